// Option types and their validation. Unknown keys are errors (a typo must not be ignored).
import type { Activation, Cost } from "./kernels.js";
import { BACKENDS, type BackendOption } from "./wasm.js";
import { OptionError, ShapeError, describe } from "./errors.js";
import { checkNumber, failWith, oneOf } from "./check.js";
import { checkThreads, type ThreadsOption } from "./threads/option.js";
import { checkActivations, checkCost, checkHeads, checkInit, checkSeed, checkSizes, OPTIMIZERS, type Init, type Model } from "./model.js";
import type { Task } from "./task.js";
import { DEFAULTS, defaultLearningRate } from "./defaults.js";

/** The smallest positive float32 (a subnormal): 2^−149. */
const MIN_FLOAT32 = 1.401298464324817e-45;
import type { Data } from "./data.js";

export { INITS, type Init } from "./model.js";

export interface NetworkOptions {
  /** Seed of the one generator behind init and shuffling. Default: drawn at random (see `net.seed`). */
  seed?: number;
  /** Cost function. Default "quadratic". */
  cost?: Cost;
  /** Hidden-layer activation, or one per layer (hidden layers only, or every layer including the output). Default "sigmoid". */
  activation?: Activation | readonly Activation[];
  /** Output-layer activation. Default "softmax" with log-likelihood cost, else "sigmoid". */
  output?: Activation;
  /**
   * "wasm" (default: best build this engine runs), "wasm-relaxed", "wasm-simd", "wasm-scalar", "js", or
   * "auto": the best wasm build, or "js" where WebAssembly is unavailable (e.g. iOS Lockdown Mode).
   */
  backend?: BackendOption;
  /** Weight initializer. Default "scaled". */
  init?: Init;
  /**
   * Threads computing (src/threads/): 1 (default), a whole number up to 256, or "auto" (the cores
   * the platform reports, at most 16). Results are bit-identical for every thread count. The
   * scalar and js backends, and platforms without shared memory, use one (see `net.threads`).
   */
  threads?: ThreadsOption;
  /**
   * What the outputs mean: "classification", "binary", "multi-label" or "regression". Default:
   * inferred from the output layer (one sigmoid output → binary, linear → regression, else classification).
   */
  task?: Task;
  /** Inverted dropout in training: a probability p for every hidden layer, or one per hidden layer. Default none. */
  dropout?: number | readonly number[];
  /** Input standardization x' = (x − mean) / std, per input (or one number for all), saved with the model. */
  preprocessing?: { mean: number | ArrayLike<number>; std: number | ArrayLike<number> };
}

export type OptimizerOption =
  | "sgd" | "momentum" | "adam"
  | { name: "sgd" }
  | { name: "momentum"; mu?: number }
  | { name: "adam"; beta1?: number; beta2?: number; epsilon?: number };

export interface Optimizer {
  name: "sgd" | "momentum" | "adam";
  mu: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface EpochStats {
  /** 0-based epoch number. */
  epoch: number;
  /** Mean training cost over the epoch's mini-batches, each measured on the forward pass before its update. */
  cost: number;
  /** Learning rate used in this epoch. */
  eta: number;
  /** Evaluation on testData, when given: the cost, and the task's metrics (accuracy for the classification tasks; mse, mae, r2 for regression). */
  testCost?: number;
  correct?: number;
  total?: number;
  accuracy?: number;
  mse?: number;
  mae?: number;
  r2?: number;
  /** Exact cost and accuracy (regression: mse and r2) on the whole training data after the epoch, with `monitorTraining: true`. */
  trainingCost?: number;
  trainingAccuracy?: number;
  trainingMse?: number;
  trainingR2?: number;
  /** Training looks collapsed (at chance, or stuck with saturated outputs): what was seen and the likely cause (src/warnings.ts). */
  warnings?: string[];
  seconds: number;
  samplesPerSecond: number;
}

export interface TrainOptions {
  /** Epochs. Default 30 (network.py's; src/defaults.ts). */
  epochs?: number;
  /** Mini-batch size m. Default 10. */
  batchSize?: number;
  /**
   * Learning rate η. Default: from the table in src/defaults.ts (docs/algorithms.md, "Defaults"),
   * by optimizer and network — 3.0 for SGD on Nielsen's sigmoid/quadratic network, 0.001 for Adam.
   */
  learningRate?: number;
  /** L2 regularization λ (network2.py): w → (1−ηλ/n) w − (η/m) Σ∇w. Default 0. */
  lambda?: number;
  /** L1 regularization λ: w → w − (ηλ/n) sgn(w) − (η/m) Σ∇w. Default 0. */
  l1?: number;
  /** Shuffle before each epoch (from the network's seeded generator). Default true. */
  shuffle?: boolean;
  optimizer?: OptimizerOption;
  testData?: Data;
  /** Also measure exact cost and accuracy on the training data after each epoch (one more pass). */
  monitorTraining?: boolean;
  /** Stop after this many epochs without a better test accuracy (regression: test cost) (needs testData or validationSplit). */
  earlyStopping?: number;
  /** At the end, put back the weights and biases of the epoch with the best test accuracy (regression: test cost). Default false. */
  restoreBest?: boolean;
  /** Hold out this fraction of the data (its last rows, in the given order) as testData. In (0, 1); not with testData. */
  validationSplit?: number;
  /** network2.py's schedule: halve η after `patience` epochs without better test accuracy; stop once η has dropped to η/128. */
  schedule?: { patience: number };
  /** Called after every epoch; return false to stop. */
  onEpoch?: (stats: EpochStats) => void | boolean;
  /** Called about 100 times per epoch with the samples done so far. */
  onProgress?: (done: number, total: number) => void;
}

const TRAIN_KEYS = ["epochs", "batchSize", "learningRate", "lambda", "l1", "shuffle", "optimizer", "testData",
  "monitorTraining", "earlyStopping", "schedule", "onEpoch", "onProgress", "restoreBest", "validationSplit"];
const NET_KEYS = ["seed", "cost", "activation", "output", "backend", "init", "threads", "task", "dropout", "preprocessing"];

export function checkKeys(where: string, arg: string, o: unknown, keys: readonly string[]): Record<string, unknown> {
  if (o === undefined) return {};
  if (o === null || typeof o !== "object" || Array.isArray(o)) throw new OptionError(where, arg, "an options object", describe(o));
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) throw new OptionError(where, `${arg}.${k}`, `one of the known options (${keys.join(", ")})`, "an unknown option");
  }
  return o as Record<string, unknown>;
}

/**
 * The model a constructor call describes (sizes and options checked by the rules of
 * src/model.ts, shared with the model parser), its seed and backend.
 */
export function resolveNetworkOptions(where: string, sizes: unknown, options: unknown): Model & { seed: number; backend: BackendOption; threads: ThreadsOption } {
  const s = checkSizes(sizes, failWith(ShapeError, where));
  const o = checkKeys(where, "options", options, NET_KEYS);
  const fail = failWith(OptionError, where, "options.");
  const seed = o.seed === undefined ? Math.floor(Math.random() * 2 ** 32) : checkSeed(o.seed, fail);
  const cost = checkCost(o.cost, fail);
  const init: Init = checkInit(o.init, fail);
  const backend = o.backend === undefined ? "wasm" : oneOf(o.backend, BACKENDS, "backend", fail);
  const activations = checkActivations(s.length - 1, o.activation, o.output, cost, fail);
  const threads = checkThreads(where, "options.threads", o.threads);
  const heads = checkHeads(s, activations, cost, o, fail);
  return { sizes: s, activations, cost, init, ...heads, seed, backend, threads };
}

export interface ResolvedTrainOptions {
  epochs: number;
  batchSize: number;
  eta: number;
  lambda: number;
  l1: number;
  shuffle: boolean;
  optimizer: Optimizer;
  monitorTraining: boolean;
  earlyStopping: number;
  patience: number;
  restoreBest: boolean;
  /** 0 for none. */
  validationSplit: number;
  /** The table's η for this optimizer and network (what warnings compare η with). */
  defaultEta: number;
  onEpoch?: TrainOptions["onEpoch"];
  onProgress?: TrainOptions["onProgress"];
}

/**
 * Checks train options; defaults from src/defaults.ts. The default η depends on the optimizer
 * and the network (`model`: its activations and cost).
 */
export function resolveTrainOptions(where: string, options: unknown,
                                    model: { activations: readonly Activation[]; cost: Cost } = { activations: ["sigmoid", "sigmoid"], cost: "quadratic" }): ResolvedTrainOptions {
  const o = checkKeys(where, "options", options, TRAIN_KEYS);
  const fail = failWith(OptionError, where, "options.");
  const num = (k: string, d: number, test: (x: number) => boolean, expected: string) => (o[k] === undefined ? d : checkNumber(o[k], test, k, expected, fail));
  const int = (k: string, d: number, min: number) => num(k, d, (x) => Number.isInteger(x) && x >= min, `an integer ≥ ${min}`);
  const nonneg = (k: string, d: number) => num(k, d, (x) => x >= 0, "a finite number ≥ 0");
  const typed = <T>(k: string, type: string, expected: string, d?: T): T => (o[k] === undefined ? d! : typeof o[k] === type ? (o[k] as T) : fail(k, expected, describe(o[k])));
  const bool = (k: string, d: boolean) => typed(k, "boolean", "true or false", d);
  let patience = 0;
  if (o.schedule !== undefined) {
    const s = checkKeys(where, "options.schedule", o.schedule, ["patience"]);
    patience = s.patience === undefined ? 10 : checkNumber(s.patience, (x) => Number.isInteger(x) && x >= 1, "schedule.patience", "an integer ≥ 1", fail);
  }
  const optimizer = resolveOptimizer(where, o.optimizer);
  const defaultEta = defaultLearningRate(optimizer.name, model.activations, model.cost, optimizer.mu);
  return {
    epochs: int("epochs", DEFAULTS.epochs, 0),
    batchSize: int("batchSize", DEFAULTS.batchSize, 1),
    eta: num("learningRate", defaultEta, (x) => x > 0, "a finite number > 0"),
    lambda: nonneg("lambda", DEFAULTS.lambda),
    l1: nonneg("l1", DEFAULTS.l1),
    shuffle: bool("shuffle", DEFAULTS.shuffle),
    optimizer,
    monitorTraining: bool("monitorTraining", false),
    earlyStopping: int("earlyStopping", 0, 0),
    patience,
    restoreBest: bool("restoreBest", false),
    validationSplit: num("validationSplit", 0, (x) => x > 0 && x < 1, "a fraction in (0, 1)"),
    defaultEta,
    onEpoch: typed("onEpoch", "function", "a function"),
    onProgress: typed("onProgress", "function", "a function"),
  };
}

function resolveOptimizer(where: string, v: unknown): Optimizer {
  const opt: Optimizer = { name: DEFAULTS.optimizer, mu: DEFAULTS.mu, beta1: DEFAULTS.beta1, beta2: DEFAULTS.beta2, epsilon: DEFAULTS.epsilon };
  if (v === undefined) return opt;
  const fail = failWith(OptionError, where, "options.optimizer");
  if (typeof v === "string") {
    opt.name = oneOf(v, OPTIMIZERS, "", fail);
    return opt;
  }
  const o = checkKeys(where, "options.optimizer", v, ["name", "mu", "beta1", "beta2", "epsilon"]);
  // The name is required and each optimizer takes only its own hyper-parameters: { mu: 0.5 } alone
  // or { name: "adam", mu: 0.5 } would otherwise train silently with settings the caller did not mean.
  opt.name = oneOf(o.name, OPTIMIZERS, ".name", fail);
  const own: Record<Optimizer["name"], string[]> = { sgd: ["name"], momentum: ["name", "mu"], adam: ["name", "beta1", "beta2", "epsilon"] };
  for (const k of Object.keys(o)) {
    if (o[k] !== undefined && !own[opt.name].includes(k)) {
      fail(`.${k}`, `absent: ${JSON.stringify(opt.name)} takes only ${own[opt.name].join(", ")}`, describe(o[k]));
    }
  }
  const num = (k: string, d: number, test: (x: number) => boolean, expected: string) => (o[k] === undefined ? d : checkNumber(o[k], test, `.${k}`, expected, fail));
  const unit = (k: string, d: number) => num(k, d, (x) => x >= 0 && x < 1, "a number in [0, 1)");
  opt.mu = unit("mu", 0.9);
  opt.beta1 = unit("beta1", 0.9);
  opt.beta2 = unit("beta2", 0.999);
  // ε is used in float32: below the smallest positive float32 (≈ 1.4e-45) it is 0 there, and √m₂ + ε can be 0.
  opt.epsilon = num("epsilon", DEFAULTS.epsilon, (x) => x >= MIN_FLOAT32, `a number ≥ ${MIN_FLOAT32} (the smallest positive float32)`);
  return opt;
}
