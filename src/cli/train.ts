// `nabla train`: build a network, train it over the library's epoch generator (so Ctrl-C is
// handled between batches and epochs), print Nielsen's `Epoch N: correct / total` lines, save the model.
import { Network } from "../network.js";
import { ACTIVATIONS, COSTS, type Activation, type Cost } from "../kernels.js";
import { BACKENDS, type BackendOption } from "../wasm.js";
import { INITS, type EpochStats, type Init, type OptimizerOption } from "../options.js";
import { DivergenceError, OptionError, ShapeError } from "../errors.js";
import { parse, Values, UsageError, type OptionSpec } from "./args.js";
import { loadDataset, TASKS, type Dataset } from "./dataset.js";
import { savePlan, saveModel, saveProblem, type SaveResult } from "./model.js";
import { dataset } from "../dataset.js";
import { ProgressBar, duration, type Io } from "./progress.js";

export const DATA_OPTIONS: OptionSpec = {
  data: { type: "string" },
  label: { type: "string" },
  header: { type: "boolean" },
  "test-fraction": { type: "string" },
  "train-size": { type: "string" },
  "test-size": { type: "string" },
  standardize: { type: "boolean" },
};

/** Flags of train only (besides the data flags). */
const TASK_OPTION: OptionSpec = { task: { type: "string" } };

export const TRAIN_OPTIONS: OptionSpec = {
  ...DATA_OPTIONS,
  ...TASK_OPTION,
  sizes: { type: "string" },
  hidden: { type: "string" },
  activation: { type: "string" },
  output: { type: "string" },
  cost: { type: "string" },
  init: { type: "string" },
  optimizer: { type: "string" },
  momentum: { type: "string" },
  lambda: { type: "string" },
  l1: { type: "string" },
  epochs: { type: "string" },
  batch: { type: "string" },
  eta: { type: "string" },
  seed: { type: "string" },
  backend: { type: "string" },
  "early-stopping": { type: "string" },
  schedule: { type: "string" },
  shuffle: { type: "boolean" },
  monitor: { type: "boolean" },
  save: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** Default η per optimizer: Nielsen's 3.0 for SGD; momentum's steps are 1/(1−μ) times larger; Adam's usual 0.001. */
export function defaultEta(optimizer: string, mu: number): number {
  return optimizer === "adam" ? 0.001 : optimizer === "momentum" ? Number((3.0 * (1 - mu)).toPrecision(6)) : 3.0;
}

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
  optimizer: OptimizerOption;
  lambda: number;
  l1: number;
  epochs: number;
  batch: number;
  eta: number;
  seed: number;
  backend: BackendOption;
  earlyStopping: number;
  /** network2.py's schedule: halve η after this many epochs without a better test accuracy (0 = off). */
  schedule: number;
  shuffle: boolean;
  monitor: boolean;
}

/** Reads the network and training flags; sizes are completed from the data (input and class count). */
export function trainSettings(v: Values, data: { inputs: number; classes: number } | null): TrainSettings {
  const sizesFlag = v.ints("sizes", 2), hidden = v.string("hidden") === "" ? [] : v.ints("hidden", 1);
  if (sizesFlag && hidden) throw new UsageError("give --sizes or --hidden, not both", "train");
  // Before the data is loaded (data = null) only the flags themselves are checked.
  const sizes = sizesFlag ?? [data?.inputs ?? 1, ...(hidden ?? [30]), data?.classes ?? 1];
  if (data && sizes[0] !== data.inputs) {
    throw new UsageError(`--sizes starts with ${sizes[0]} but the data has ${data.inputs} inputs per sample (use --hidden to give only the hidden layers)`, "train");
  }
  if (data && sizes[sizes.length - 1] < data.classes) {
    throw new UsageError(`--sizes ends with ${sizes[sizes.length - 1]} outputs but the data has ${data.classes} classes`, "train");
  }
  const acts = v.choices("activation", ACTIVATIONS);
  const optimizer = v.choice("optimizer", ["sgd", "momentum", "adam"] as const) ?? "sgd";
  const mu = v.number("momentum", (x) => x >= 0 && x < 1, "a number in [0, 1)");
  if (mu !== undefined && optimizer !== "momentum") throw new UsageError("--momentum is the momentum coefficient μ of --optimizer momentum", "train");
  return {
    sizes,
    activation: acts === undefined ? "sigmoid" : acts.length === 1 ? acts[0] : acts,
    output: v.choice("output", ACTIVATIONS),
    cost: v.choice("cost", COSTS) ?? "quadratic",
    init: v.choice("init", INITS),
    optimizer: optimizer === "momentum" ? { name: "momentum", mu: mu ?? 0.9 } : optimizer,
    lambda: v.number("lambda", (x) => x >= 0, "a number ≥ 0") ?? 0,
    l1: v.number("l1", (x) => x >= 0, "a number ≥ 0") ?? 0,
    epochs: v.int("epochs", 1) ?? 30,
    batch: v.int("batch", 1) ?? 10,
    eta: v.number("eta", (x) => x > 0, "a number > 0") ?? defaultEta(optimizer, mu ?? 0.9),
    seed: v.int("seed", 0, 2 ** 32 - 1) ?? 1,
    backend: v.choice("backend", BACKENDS) ?? "wasm",
    earlyStopping: v.int("early-stopping", 0) ?? 0,
    schedule: v.int("schedule", 0) ?? 0,
    shuffle: v.bool("shuffle") ?? true,
    monitor: v.bool("monitor") ?? false,
  };
}

/** A Network from the settings; the library's option errors are usage errors here (exit 2). */
export function buildNetwork(s: TrainSettings): Network {
  try {
    return new Network(s.sizes, {
      activation: s.activation, cost: s.cost, seed: s.seed, backend: s.backend,
      ...(s.output ? { output: s.output } : {}), ...(s.init ? { init: s.init } : {}),
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
  return `[${net.sizes.join(", ")}] ${h}${net.activations.at(-1)}, ${net.cost} cost`;
}

export function epochLine(e: number, s: EpochStats): string {
  const score = s.correct !== undefined ? `${s.correct} / ${s.total}  ` : "";
  const test = s.testCost !== undefined ? `  test cost ${s.testCost.toFixed(4)}` : "";
  const training = s.trainingAccuracy !== undefined ? `  training accuracy ${(100 * s.trainingAccuracy).toFixed(2)}%` : "";
  return `Epoch ${e}: ${score}cost ${s.cost.toFixed(4)}${test}${training}  ${s.seconds.toFixed(2)} s  ${Math.round(s.samplesPerSecond)} samples/s`;
}

/** Fails before training, not after it, when the model could not be saved where asked. */
function checkWritable(file: string): void {
  const problem = saveProblem(file);
  if (problem) throw new UsageError(`--save ${file}: ${problem}`, "train");
}

export async function trainCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse("train", args, TRAIN_OPTIONS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])} (train takes only options; the dataset is --data)`, "train");
  const v = new Values("train", values);
  const quiet = v.bool("quiet") ?? false, json = v.bool("json") ?? false;
  let save = v.string("save");
  if (save === "") throw new UsageError("--save needs a file name, e.g. --save model.json", "train");
  if (save) checkWritable(save);
  const dataOpts = dataOptions(v);
  // Check every flag before the (slow) data load.
  trainSettings(v, null);

  const say = (s: string) => { if (!quiet) (json ? io.err : io.out)(s + "\n"); };
  const data: Dataset = await loadDataset(v.string("data") ?? "mnist", dataOpts);
  const s = trainSettings(v, data.info);
  if ((s.earlyStopping || s.schedule) && !data.test) {
    throw new UsageError(`--early-stopping and --schedule watch the test accuracy, and ${v.string("data") ?? "mnist"} has no test part here (--test-fraction 0?)`, "train");
  }
  const net = buildNetwork(s);
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
  say(`nabla: ${describeNetwork(net)}, ${optName(s.optimizer)}, m = ${s.batch}, η = ${Number.isInteger(s.eta) ? s.eta.toFixed(1) : s.eta}` +
    `${s.lambda ? `, λ = ${s.lambda}` : ""}${s.l1 ? `, L1 = ${s.l1}` : ""}, ${s.epochs} epochs, seed ${s.seed}, backend ${net.backend}`);
  say(`data: ${data.description}${data.info.standardize ? ", features standardized (z-score from the training part)" : ""}`);

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
  let best = -1, bestEpoch = -1, failure: unknown = null; // for the closing summary
  const t0 = performance.now();
  try {
    // Checked and converted once for all epochs. The test part is copied first (it may be a
    // view of the training part's buffer), then the training part's arrays move in: no copy.
    const sizes = { inputs: net.sizes[0], outputs: net.sizes[net.sizes.length - 1] };
    const test = data.test ? dataset(data.test, sizes) : null;
    const run = net.epochs(dataset(data.train, { ...sizes, transfer: true }), {
      epochs: s.epochs, batchSize: s.batch, learningRate: s.eta, lambda: s.lambda, l1: s.l1, optimizer: s.optimizer,
      shuffle: s.shuffle, monitorTraining: s.monitor, earlyStopping: s.earlyStopping,
      ...(s.schedule ? { schedule: { patience: s.schedule } } : {}),
      ...(test ? { testData: test } : {}),
    });
    let last = performance.now(), epoch = 0;
    bar?.start("Epoch 0");
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
            io.err(`Ctrl-C: stopped ${epoch > 0 ? `after epoch ${epoch - 1} (epoch ${epoch} was cut short and undone)` : "in epoch 0 (undone: nothing trained)"}${save && epoch > 0 ? `; saving to ${save}` : ""}\n`);
            break;
          }
        }
        continue;
      }
      bar?.clear();
      const stats = ev.stats;
      history.push(stats);
      if (json) io.out(JSON.stringify(stats) + "\n");
      else if (!quiet) io.out(epochLine(stats.epoch, stats) + "\n");
      if (stats.accuracy !== undefined && stats.accuracy > best) { best = stats.accuracy; bestEpoch = stats.epoch; }
      await breathe();
      last = performance.now();
      if (interrupts > 0) {
        run.return([]);
        io.err(`Ctrl-C: stopped after epoch ${stats.epoch}${save ? `; saving to ${save}` : ""}\n`);
        break;
      }
      if (ev.verdict === "early-stop") say(`early stopping: no better test accuracy in the last ${s.earlyStopping} epochs`);
      if (ev.verdict === "schedule-done") say(`schedule: η reached η₀/128 after ${s.schedule} epochs without a better test accuracy; stopping`);
      if (ev.verdict === "halved") say(`schedule: no better test accuracy in ${s.schedule} epochs; η halved to ${ev.eta}`);
      epoch = stats.epoch + 1;
      if (epoch < s.epochs && ev.verdict !== "early-stop" && ev.verdict !== "schedule-done") bar?.start(`Epoch ${epoch}`);
    }
  } finally {
    if (io.signals) process.off("SIGINT", onSigint);
  }

  const seconds = (performance.now() - t0) / 1000;
  const last = history.at(-1);
  if (history.length > 0 || !failure) {
    const acc = (a: number) => `${(100 * a).toFixed(2)}%`;
    const summary = `${interrupts ? "interrupted: " : ""}trained ${history.length} epoch${history.length === 1 ? "" : "s"} in ${duration(seconds)}` +
      (last?.accuracy !== undefined ? `; test accuracy ${acc(last.accuracy)} (${last.correct} / ${last.total}), best ${acc(best)} at epoch ${bestEpoch}` : "");
    (json ? io.err : io.out)(summary + "\n");
  }
  if (save && history.length > 0) {
    let saved: SaveResult;
    try {
      saved = saveModel(save, net, data.info, {
        epochs: history.length, batch: s.batch, eta: s.eta, lambda: s.lambda, l1: s.l1, optimizer: s.optimizer,
        accuracy: last?.accuracy, seconds,
      });
    } catch (e) {
      net.dispose();
      throw e; // a SaveError: "… The model was NOT saved"
    }
    const what = failure ? ` (the network as it was before the failing epoch ${history.length})` : "";
    if (saved.failed) {
      io.err(`nabla train: could not save the model to ${save} (${saved.failed}): the model was NOT saved there. ` +
        `It was saved to ${saved.path} instead${what}; move it where you want it.\n`);
      if (!failure) { net.dispose(); return 1; }
    } else (json ? io.err : io.out)(`saved ${save}${what}\n`);
  }
  net.dispose();
  if (failure) {
    if (failure instanceof DivergenceError) throw new DivergenceError(`epoch ${history.length}`, history.length, failure.batch, failure.eta, history);
    throw failure;
  }
  return interrupts ? 130 : 0;
}
