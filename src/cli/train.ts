// `nabla train`: build a network (or --resume a saved one), train it over the library's epoch
// generator (so Ctrl-C is handled between batches and epochs), print Nielsen's
// `Epoch N: correct / total` lines (or the task's metrics), save the model.
import { Network } from "../network.js";
import { ACTIVATIONS, COSTS, type Activation, type Cost } from "../kernels.js";
import { BACKENDS, type BackendOption } from "../wasm.js";
import { INITS, type EpochStats, type Init, type OptimizerOption } from "../options.js";
import { DEFAULTS, defaultLearningRate } from "../defaults.js";
import { DivergenceError, OptionError, ShapeError } from "../errors.js";
import { parse, Values, UsageError, type OptionSpec } from "./args.js";
import { loadDataset, tensors, TASKS, type Dataset, type Task } from "./dataset.js";
import { savePlan, saveModel, saveProblem, loadModel, modelSpec, type SaveResult, type TrainingRecord } from "./model.js";
import { dataset } from "../dataset.js";
import { ProgressBar, duration, type Io } from "./progress.js";
import { initFrom } from "./init-from.js";

export const DATA_OPTIONS: OptionSpec = {
  data: { type: "string" },
  label: { type: "string" },
  header: { type: "boolean" },
  "test-fraction": { type: "string" },
  "train-size": { type: "string" },
  "test-size": { type: "string" },
  standardize: { type: "boolean" },
};

/** Flags that describe the network: fixed by the model file with --resume. */
const NETWORK_FLAGS = ["task", "sizes", "hidden", "activation", "output", "cost", "init", "seed", "dropout", "standardize"] as const;

export const TRAIN_OPTIONS: OptionSpec = {
  ...DATA_OPTIONS,
  task: { type: "string" },
  sizes: { type: "string" },
  hidden: { type: "string" },
  activation: { type: "string" },
  output: { type: "string" },
  cost: { type: "string" },
  init: { type: "string" },
  "init-from": { type: "string" },
  dropout: { type: "string" },
  optimizer: { type: "string" },
  momentum: { type: "string" },
  lambda: { type: "string" },
  l1: { type: "string" },
  epochs: { type: "string" },
  batch: { type: "string" },
  eta: { type: "string" },
  seed: { type: "string" },
  backend: { type: "string" },
  threads: { type: "string" },
  "early-stopping": { type: "string" },
  "restore-best": { type: "boolean" },
  "validation-split": { type: "string" },
  schedule: { type: "string" },
  shuffle: { type: "boolean" },
  monitor: { type: "boolean" },
  resume: { type: "string" },
  save: { type: "string" },
  "weights-only": { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** --data and its companions, as load options. */
export function dataOptions(v: Values) {
  return {
    label: v.string("label"),
    header: v.bool("header"),
    testFraction: v.number("test-fraction", (x) => x >= 0 && x < 1, "a fraction in [0, 1)"),
    trainSize: v.int("train-size", 1),
    testSize: v.int("test-size", 0),
    standardize: v.bool("standardize"),
    ...(v.has("task") ? { task: v.choice("task", TASKS) } : {}),
  };
}

export interface TrainSettings {
  sizes: number[];
  activation: Activation[] | Activation;
  output?: Activation;
  cost: Cost;
  init?: Init;
  task?: Task;
  /** Dropout probability for every hidden layer, or one per hidden layer. */
  dropout?: number | number[];
  optimizer: OptimizerOption;
  lambda: number;
  l1: number;
  epochs: number;
  batch: number;
  /** --eta, or the default of src/defaults.ts for this optimizer and network. */
  eta: number;
  seed: number;
  backend: BackendOption;
  threads: number | "auto";
  earlyStopping: number;
  /** network2.py's schedule: halve η after this many epochs without a better test accuracy (0 = off). */
  schedule: number;
  shuffle: boolean;
  monitor: boolean;
  /** Put back the best epoch's weights at the end (default: on with --early-stopping). */
  restoreBest: boolean;
  /** Fraction of the training part held out as validation data (0: none; the test part is watched). */
  validationSplit: number;
}

/** What the data (or a resumed model) says about the network: inputs, classes (or target columns), task. */
export interface DataShape {
  inputs: number;
  classes: number;
  task?: Task;
}

/** The output activation when --output is not given: linear for regression, softmax with log-likelihood, else sigmoid. */
export function defaultOutput(cost: Cost, task: Task | undefined): Activation {
  return task === "regression" ? "linear" : cost === "log-likelihood" ? "softmax" : "sigmoid";
}

/**
 * Reads the network and training flags; sizes are completed from the data (input and output
 * count). `base` (a resumed model's record) supplies the training settings not given as flags.
 */
export function trainSettings(v: Values, data: DataShape | null, base: Partial<TrainSettings> = {}): TrainSettings {
  const sizesFlag = v.ints("sizes", 2), hidden = v.string("hidden") === "" ? [] : v.ints("hidden", 1);
  if (sizesFlag && hidden) throw new UsageError("give --sizes or --hidden, not both", "train");
  const task = data?.task;
  const nOut = task === "binary" ? 1 : data?.classes ?? 1;
  // Before the data is loaded (data = null) only the flags themselves are checked.
  const sizes = base.sizes ?? sizesFlag ?? [data?.inputs ?? 1, ...(hidden ?? [30]), nOut];
  if (data && !base.sizes && sizes[0] !== data.inputs) {
    throw new UsageError(`--sizes starts with ${sizes[0]} but the data has ${data.inputs} inputs per sample (use --hidden to give only the hidden layers)`, "train");
  }
  if (data && !base.sizes && (task === "regression" || task === "binary" || task === "multi-label" ? sizes.at(-1) !== nOut : sizes.at(-1)! < nOut)) {
    throw new UsageError(`--sizes ends with ${sizes.at(-1)} outputs but the data has ${task === "regression" || task === "multi-label" ? `${nOut} target column${nOut === 1 ? "" : "s"}`
      : task === "binary" ? "a binary target (one output)" : `${nOut} classes`}`, "train");
  }
  const acts = v.choices("activation", ACTIVATIONS);
  const optimizer = v.choice("optimizer", ["sgd", "momentum", "adam"] as const);
  const optName = optimizer ?? (typeof base.optimizer === "string" ? base.optimizer : base.optimizer?.name) ?? DEFAULTS.optimizer;
  const mu = v.number("momentum", (x) => x >= 0 && x < 1, "a number in [0, 1)");
  if (mu !== undefined && optName !== "momentum") throw new UsageError("--momentum is the momentum coefficient μ of --optimizer momentum", "train");
  const baseMu = typeof base.optimizer === "object" && base.optimizer.name === "momentum" ? base.optimizer.mu : undefined;
  const cost = base.cost ?? v.choice("cost", COSTS) ?? DEFAULTS.cost;
  const activation = base.activation ?? (acts === undefined ? DEFAULTS.activation : acts.length === 1 ? acts[0] : acts);
  const output = base.output ?? v.choice("output", ACTIVATIONS);
  const L = sizes.length - 1;
  // Every layer's activation, the output last, as the library resolves them: for the default η.
  const list = Array.isArray(activation) ? activation : new Array<Activation>(Math.max(0, L - 1)).fill(activation);
  const activations = list.length === L ? list : [...list, output ?? defaultOutput(cost, task)];
  const eff = optName === "momentum" ? mu ?? baseMu ?? DEFAULTS.mu : DEFAULTS.mu;
  return {
    sizes,
    activation,
    output,
    cost,
    init: base.init ?? v.choice("init", INITS),
    task,
    dropout: base.dropout ?? dropoutFlag(v, L - 1),
    optimizer: optName === "momentum" ? { name: "momentum", mu: eff } : optName,
    lambda: v.number("lambda", (x) => x >= 0, "a number ≥ 0") ?? base.lambda ?? DEFAULTS.lambda,
    l1: v.number("l1", (x) => x >= 0, "a number ≥ 0") ?? base.l1 ?? DEFAULTS.l1,
    epochs: v.int("epochs", 1) ?? DEFAULTS.epochs,
    batch: v.int("batch", 1) ?? base.batch ?? DEFAULTS.batchSize,
    eta: v.number("eta", (x) => x > 0, "a number > 0") ?? (optimizer === undefined || optName === optOf(base.optimizer) ? base.eta : undefined)
      ?? defaultLearningRate(optName, activations, cost, eff),
    seed: v.int("seed", 0, 2 ** 32 - 1) ?? base.seed ?? 1,
    backend: v.choice("backend", BACKENDS) ?? "wasm",
    threads: v.string("threads") === "auto" ? "auto" : v.int("threads", 1, 256) ?? "auto",
    earlyStopping: v.int("early-stopping", 0) ?? 0,
    schedule: v.int("schedule", 0) ?? 0,
    shuffle: v.bool("shuffle") ?? DEFAULTS.shuffle,
    monitor: v.bool("monitor") ?? false,
    restoreBest: v.bool("restore-best") ?? (v.int("early-stopping", 0) ?? 0) > 0,
    validationSplit: v.number("validation-split", (x) => x > 0 && x < 1, "a fraction in (0, 1)") ?? 0,
  };
}

const optOf = (o: OptimizerOption | undefined) => (o === undefined ? undefined : typeof o === "string" ? o : o.name);

/** --dropout p (every hidden layer) or p,p,… (one per hidden layer), each in [0, 1). */
function dropoutFlag(v: Values, hiddenLayers: number): number | number[] | undefined {
  const s = v.string("dropout");
  if (s === undefined) return undefined;
  const parts = s.split(",").map((p) => p.trim());
  const ps = parts.map((p) => (/^\s*(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/.test(p) ? Number(p) : NaN));
  if (ps.some((p) => !(p >= 0 && p < 1))) throw new UsageError(`--dropout must be a probability in [0, 1) or one per hidden layer (e.g. 0.5 or 0.5,0.2), got ${JSON.stringify(s)}`, "train");
  if (ps.length > 1 && ps.length !== hiddenLayers) {
    throw new UsageError(`--dropout lists ${ps.length} probabilities but the network has ${hiddenLayers} hidden layer${hiddenLayers === 1 ? "" : "s"} (give one for all, or one per hidden layer)`, "train");
  }
  return ps.length === 1 ? ps[0] : ps;
}

/** A Network from the settings; the library's option errors are usage errors here (exit 2). */
export function buildNetwork(s: TrainSettings, preprocessing?: { mean: number[]; std: number[] } | null): Network {
  try {
    return new Network(s.sizes, {
      activation: s.activation, cost: s.cost, seed: s.seed, backend: s.backend, threads: s.threads,
      output: s.output ?? (s.sizes.length - 1 === (Array.isArray(s.activation) ? s.activation.length : -1) ? undefined : defaultOutput(s.cost, s.task)),
      ...(s.init ? { init: s.init } : {}), ...(s.task ? { task: s.task } : {}),
      ...(s.dropout !== undefined ? { dropout: s.dropout } : {}), ...(preprocessing ? { preprocessing } : {}),
    });
  } catch (e) {
    if (e instanceof OptionError || e instanceof ShapeError) {
      // "new Network(sizes, options): options.output must be …" → "--output must be …"
      const msg = e.message.replace(/^new Network\(sizes, options\): /, "").replace(/\boptions\.(\w+)/g, "--$1");
      throw new UsageError(msg, "train");
    }
    throw e;
  }
}

const optName = (o: OptimizerOption) => (typeof o === "string" ? o : o.name === "momentum" ? `momentum μ = ${o.mu}` : o.name);

export function describeNetwork(net: Network): string {
  const hidden = net.activations.slice(0, -1);
  const h = hidden.length === 0 ? "" : hidden.every((a) => a === hidden[0]) ? `${hidden[0]}/` : `${hidden.join(",")}/`;
  return `[${net.sizes.join(", ")}] ${h}${net.activations.at(-1)}, ${net.cost} cost${net.task === "classification" ? "" : `, ${net.task}`}` +
    `${net.dropout ? `, dropout ${net.dropout.join(",")}` : ""}`;
}

/** The task's test metrics of an epoch (or an evaluation), as on the epoch line: "91 / 100", "r2 0.9731  mse 0.0123  mae 0.0876". */
export function metricsText(s: { correct?: number; total?: number; accuracy?: number; r2?: number; mse?: number; mae?: number }, task: Task): string {
  if (task === "regression") return s.r2 === undefined ? "" : `r2 ${s.r2.toFixed(4)}  mse ${s.mse!.toPrecision(4)}  mae ${s.mae!.toPrecision(4)}`;
  if (s.correct === undefined) return "";
  return task === "multi-label" ? `label accuracy ${(100 * s.accuracy!).toFixed(2)}%, ${s.correct} / ${s.total} all right` : `${s.correct} / ${s.total}`;
}

export function epochLine(e: number, s: EpochStats, task: Task = "classification"): string {
  const m = metricsText(s, task);
  const score = m ? `${m}  ` : "";
  const test = s.testCost !== undefined ? `  test cost ${s.testCost.toFixed(4)}` : "";
  const training = s.trainingAccuracy !== undefined ? `  training accuracy ${(100 * s.trainingAccuracy).toFixed(2)}%`
    : s.trainingR2 !== undefined ? `  training r2 ${s.trainingR2.toFixed(4)}` : "";
  return `Epoch ${e}: ${score}cost ${s.cost.toFixed(4)}${test}${training}  ${s.seconds.toFixed(2)} s  ${Math.round(s.samplesPerSecond)} samples/s`;
}

/** Fails before training, not after it, when the model could not be saved where asked. */
function checkWritable(file: string): void {
  const problem = saveProblem(file);
  if (problem) throw new UsageError(`--save ${file}: ${problem}`, "train");
}

/** The score early stopping watches, higher is better (as the library's): accuracy, or −test cost for regression. */
const score = (s: EpochStats, task: Task) => (task === "regression" ? (s.testCost === undefined ? undefined : -s.testCost) : s.accuracy);

export async function trainCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse("train", args, TRAIN_OPTIONS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])} (train takes only options; the dataset is --data)`, "train");
  const v = new Values("train", values);
  const quiet = v.bool("quiet") ?? false, json = v.bool("json") ?? false;
  let save = v.string("save");
  const resume = v.string("resume"), weightsOnly = v.bool("weights-only") ?? false;
  if (save === "") throw new UsageError("--save needs a file name, e.g. --save model.json", "train");
  if (resume === "") throw new UsageError("--resume needs a model file, e.g. --resume model.json", "train");
  if (weightsOnly && !save) throw new UsageError("--weights-only is how --save writes the model: give --save too", "train");
  if (resume) {
    const fixed = NETWORK_FLAGS.filter((f) => v.has(f));
    if (fixed.length > 0) {
      throw new UsageError(`--resume continues the saved network: ${fixed.map((f) => `--${f}`).join(", ")} ${fixed.length === 1 ? "is" : "are"} fixed by ${resume} (leave ${fixed.length === 1 ? "it" : "them"} out)`, "train");
    }
  }
  if (save) checkWritable(save);
  const dataOpts = dataOptions(v);
  // Check every flag before the (slow) data load.
  trainSettings(v, null);

  const say = (s: string) => { if (!quiet) (json ? io.err : io.out)(s + "\n"); };
  let net: Network, data: Dataset, s: TrainSettings, offset = 0;
  if (resume) {
    // The network, its optimizer state and generator from the file; the training settings from
    // its record unless given as flags; the data as it was trained on (files named with --data).
    const m = loadModel(resume, v.choice("backend", BACKENDS));
    net = m.net;
    const spec = v.string("data") ?? modelSpec(resume, m.info?.spec, "train");
    data = await loadDataset(spec, { ...dataOpts, model: m.info ?? undefined, task: net.task });
    if (data.info.inputs !== net.sizes[0]) {
      net.dispose();
      throw new UsageError(`${resume} takes ${net.sizes[0]} inputs per sample but ${spec} has ${data.info.inputs}`, "train");
    }
    const t = m.training ?? {};
    offset = t.epochs ?? 0;
    s = trainSettings(v, { ...data.info, task: net.task }, {
      sizes: [...net.sizes], activation: [...net.activations], cost: net.cost, init: net.init, task: net.task, seed: net.seed,
      ...(net.dropout ? { dropout: [...net.dropout] } : {}),
      ...(t.optimizer ? { optimizer: t.optimizer } : {}), ...(t.eta ? { eta: t.eta } : {}), ...(t.batch ? { batch: t.batch } : {}),
      ...(t.lambda !== undefined ? { lambda: t.lambda } : {}), ...(t.l1 !== undefined ? { l1: t.l1 } : {}),
    });
    s.backend = net.backend as BackendOption;
  } else {
    data = await loadDataset(v.string("data") ?? "mnist", dataOpts);
    s = trainSettings(v, data.info);
    net = v.string("init-from") !== undefined ? initFrom(v, s, data.info) : buildNetwork(s, data.standardization);
  }
  if ((s.earlyStopping || s.schedule || s.restoreBest) && !data.test && !s.validationSplit) {
    net.dispose();
    throw new UsageError(`--early-stopping, --schedule and --restore-best watch the test ${data.info.task === "regression" ? "cost" : "accuracy"}, and ${v.string("data") ?? "mnist"} has no test part here (--test-fraction 0?): ` +
      "give --validation-split", "train");
  }
  if (save) {
    // The format follows the network's size (known now that the data gave its input size): a
    // large one is saved in the binary form, as file.nabla — checked here, before training.
    const plan = savePlan(save, net.sizes);
    if (plan.path !== save) {
      try { checkWritable(plan.path); } catch (e) { net.dispose(); throw e; }
      say(`the network is too large for a JSON model file: it will be saved in nabla's binary form as ${plan.path}`);
      save = plan.path;
    }
  }
  const task = net.task;
  say(`nabla: ${describeNetwork(net)}, ${optName(s.optimizer)}, m = ${s.batch}, η = ${Number.isInteger(s.eta) ? s.eta.toFixed(1) : s.eta}` +
    `${s.lambda ? `, λ = ${s.lambda}` : ""}${s.l1 ? `, L1 = ${s.l1}` : ""}, ${s.epochs} epochs, seed ${s.seed}, backend ${net.backend}`);
  if (resume) say(`resumed: ${resume} after ${offset} epoch${offset === 1 ? "" : "s"}${net.toJSON().optimizer || optOf(s.optimizer) === "sgd" ? "" : ` (it has no ${optOf(s.optimizer)} state: starting from zero)`}`);
  say(`data: ${data.description}${data.standardization ? ", features standardized (z-score from the training part, saved as the model's preprocessing)" : ""}`);
  if (data.inferred) say(data.inferred);
  if (task === "binary" && data.info.classNames) say(`task: binary (one sigmoid output: P(${data.info.classNames[1]}); ${data.info.classNames[0]} below 0.5)`);
  if (s.validationSplit) say(`validation: the last ${Math.round(s.validationSplit * 100)}% of the training part (epoch lines, early stopping); the test part is evaluated once, at the end`);

  const bar = io.isTTY && !quiet && !json ? new ProgressBar(io, "") : null;
  let interrupts = 0;
  // Training runs in the library's epoch generator (net.epochs), which this loop drives; it
  // yields to the event loop after each epoch and, within one, every ~100 ms at a progress
  // event, so Ctrl-C is seen there: the first ends training (mid-epoch, that epoch is undone and
  // the network is as after the last whole one); a second one quits without saving.
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) {
      io.err("\nCtrl-C again: quitting now.\n");
      process.exit(130);
    }
  };
  if (io.signals) process.on("SIGINT", onSigint);
  // Let a pending SIGINT handler run. Twice: on the event loop's very first turn (the first
  // epoch runs while the module is still being evaluated) one setImmediate resolves before
  // libuv has polled its signal pipe.
  const breathe = async () => {
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
  };

  const history: EpochStats[] = [];
  let best = -Infinity, bestEpoch = -1, failure: unknown = null, warned = false; // for the closing summary
  const t0 = performance.now();
  const sizes = { inputs: net.sizes[0], outputs: net.sizes[net.sizes.length - 1] };
  // Checked and converted once for all epochs. The test part is copied first (it may be a
  // view of the training part's buffer), then the training part's arrays move in: no copy.
  const test = data.test ? dataset(tensors(data.test), sizes) : null;
  try {
    const run = net.epochs(dataset(tensors(data.train), { ...sizes, transfer: true }), {
      epochs: s.epochs, batchSize: s.batch, learningRate: s.eta, lambda: s.lambda, l1: s.l1, optimizer: s.optimizer,
      shuffle: s.shuffle, monitorTraining: s.monitor, earlyStopping: s.earlyStopping, restoreBest: s.restoreBest,
      ...(s.schedule ? { schedule: { patience: s.schedule } } : {}),
      ...(s.validationSplit ? { validationSplit: s.validationSplit } : test ? { testData: test } : {}),
    });
    let last = performance.now(), epoch = 0;
    bar?.start(`Epoch ${offset}`);
    for (;;) {
      let r;
      try {
        r = run.next();
      } catch (err) {
        failure = err; // the network is as it was at the start of the failing epoch
        break;
      }
      if (r.done) break;
      const ev = r.value;
      if (ev.type === "progress") {
        bar?.update(ev.done, ev.total);
        if (performance.now() - last > 100) {
          await breathe();
          last = performance.now();
          if (interrupts > 0) {
            run.return([]);
            bar?.clear();
            io.err(`Ctrl-C: stopped ${epoch > 0 ? `after epoch ${offset + epoch - 1} (epoch ${offset + epoch} was cut short and undone)` : `in epoch ${offset} (undone: nothing trained)`}${save && epoch > 0 ? `; saving to ${save}` : ""}\n`);
            break;
          }
        }
        continue;
      }
      bar?.clear();
      const stats = { ...ev.stats, epoch: offset + ev.stats.epoch };
      history.push(stats);
      if (json) io.out(JSON.stringify(stats) + "\n");
      else if (!quiet) io.out(epochLine(stats.epoch, stats, task) + "\n");
      // The library's collapse warnings: in full the first time, then a reminder.
      if (stats.warnings) {
        io.err(warned ? `warning: epoch ${stats.epoch}: still stuck (see above)\n` : `warning: epoch ${stats.epoch}: ${stats.warnings.join(" ")}\n`);
        warned = true;
      }
      const sc = score(stats, task);
      if (sc !== undefined && sc > best) { best = sc; bestEpoch = stats.epoch; }
      await breathe();
      last = performance.now();
      if (interrupts > 0) {
        run.return([]);
        io.err(`Ctrl-C: stopped after epoch ${stats.epoch}${save ? `; saving to ${save}` : ""}\n`);
        break;
      }
      const watched = `better ${s.validationSplit ? "validation" : "test"} ${task === "regression" ? "cost" : "accuracy"}`;
      if (ev.verdict === "early-stop") say(`early stopping: no ${watched} in the last ${s.earlyStopping} epochs`);
      if (ev.verdict === "schedule-done") say(`schedule: η reached η₀/128 after ${s.schedule} epochs without a ${watched}; stopping`);
      if (ev.verdict === "halved") say(`schedule: no ${watched} in ${s.schedule} epochs; η halved to ${ev.eta}`);
      epoch = ev.stats.epoch + 1;
      if (epoch < s.epochs && ev.verdict !== "early-stop" && ev.verdict !== "schedule-done") bar?.start(`Epoch ${offset + epoch}`);
    }
  } finally {
    if (io.signals) process.off("SIGINT", onSigint);
  }

  const seconds = (performance.now() - t0) / 1000;
  // With restoreBest the network now holds the best epoch's weights (the library put them back).
  const restored = s.restoreBest && bestEpoch >= 0 && !failure && bestEpoch !== history.at(-1)?.epoch;
  const kept = restored ? history.find((h) => h.epoch === bestEpoch) : history.at(-1);
  const pct = (a: number) => `${(100 * a).toFixed(2)}%`;
  const watchedPart = s.validationSplit ? "validation" : "test";
  if (history.length > 0 || !failure) {
    const m = kept ? metricsText(kept, task) : "";
    const summary = `${interrupts ? "interrupted: " : ""}trained ${history.length} epoch${history.length === 1 ? "" : "s"} in ${duration(seconds)}` +
      (kept && m ? `; ${watchedPart} ${task === "regression" ? m : `accuracy ${pct(kept.accuracy!)} (${m})`}` +
        (task === "regression" ? `, best test cost ${(-best).toFixed(4)} at epoch ${bestEpoch}` : `, best ${pct(best)} at epoch ${bestEpoch}`) : "") +
      (restored ? `; restored the weights of epoch ${bestEpoch} (the best)` : "");
    (json ? io.err : io.out)(summary + "\n");
  }
  let final: ReturnType<Network["evaluate"]> | null = null;
  if (s.validationSplit && test && !failure && history.length > 0) {
    // The test part, untouched during training: evaluated once.
    final = net.evaluate(test);
    (json ? io.err : io.out)(`test part: ${task === "regression" ? metricsText(final, task) : `accuracy ${pct(final.accuracy!)} (${metricsText(final, task)})`}, mean cost ${final.cost.toFixed(4)}\n`);
  }
  if (save && history.length > 0) {
    let saved: SaveResult;
    const metric = final ?? kept;
    const record: TrainingRecord = {
      epochs: offset + history.length, batch: s.batch, eta: s.eta, lambda: s.lambda, l1: s.l1, optimizer: s.optimizer, seconds,
      ...(metric?.accuracy !== undefined ? { accuracy: metric.accuracy } : {}), ...(metric?.r2 !== undefined ? { r2: metric.r2 } : {}),
    };
    try {
      saved = saveModel(save, net, data.info, record, weightsOnly);
    } catch (e) {
      net.dispose();
      throw e; // a SaveError: "… The model was NOT saved"
    }
    const what = failure ? ` (the network as it was before the failing epoch ${offset + history.length})` : "";
    if (saved.failed) {
      io.err(`nabla train: could not save the model to ${save} (${saved.failed}): the model was NOT saved there. ` +
        `It was saved to ${saved.path} instead${what}; move it where you want it.\n`);
      if (!failure) { net.dispose(); return 1; }
    } else (json ? io.err : io.out)(`saved ${save}${weightsOnly ? " (weights only: no optimizer state)" : ""}${what}\n`);
  }
  net.dispose();
  if (failure) {
    if (failure instanceof DivergenceError) throw new DivergenceError(`epoch ${offset + history.length}`, offset + history.length, failure.batch, failure.eta, history);
    throw failure;
  }
  return interrupts ? 130 : 0;
}
