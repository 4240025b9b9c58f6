// Option types and their validation. Unknown keys are errors (a typo must not be ignored).
import { ACTIVATIONS, COSTS, type Activation, type Cost } from "./kernels.js";
import { BACKENDS, type BackendOption } from "./wasm.js";
import { OptionError, ShapeError, describe } from "./errors.js";
import type { Data } from "./data.js";

export const INITS = ["nielsen", "scaled", "glorot", "he"] as const;
/** Weight init: nielsen N(0,1); scaled N(0,1/√n_in) (default); glorot N(0,√(2/(n_in+n_out))); he N(0,√(2/n_in)). */
export type Init = (typeof INITS)[number];

export interface NetworkOptions {
  /** Seed of the one generator behind init and shuffling. Default: drawn at random (see `net.seed`). */
  seed?: number;
  /** Cost function. Default "quadratic". */
  cost?: Cost;
  /** Hidden-layer activation, or one per layer (hidden layers only, or every layer including the output). Default "sigmoid". */
  activation?: Activation | readonly Activation[];
  /** Output-layer activation. Default "softmax" with log-likelihood cost, else "sigmoid". */
  output?: Activation;
  /** "wasm" (default: best build this engine runs), "wasm-relaxed", "wasm-simd", "wasm-scalar" or "js". */
  backend?: BackendOption;
  /** Weight initializer. Default "scaled". */
  init?: Init;
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
  /** Evaluation on testData, when given. */
  testCost?: number;
  correct?: number;
  total?: number;
  accuracy?: number;
  /** Exact cost and accuracy on the whole training data after the epoch, with `monitorTraining: true`. */
  trainingCost?: number;
  trainingAccuracy?: number;
  seconds: number;
  samplesPerSecond: number;
}

export interface TrainOptions {
  epochs?: number;
  /** Mini-batch size m. Default 10. */
  batchSize?: number;
  /** Learning rate η. Default 3.0 (Nielsen's chapter-1 value). */
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
  /** Stop after this many epochs without a better test accuracy (needs testData). */
  earlyStopping?: number;
  /** network2.py's schedule: halve η after `patience` epochs without better test accuracy; stop once η has dropped to η/128. */
  schedule?: { patience: number };
  /** Called after every epoch; return false to stop. */
  onEpoch?: (stats: EpochStats) => void | boolean;
  /** Called about 100 times per epoch with the samples done so far. */
  onProgress?: (done: number, total: number) => void;
}

const TRAIN_KEYS = ["epochs", "batchSize", "learningRate", "lambda", "l1", "shuffle", "optimizer", "testData",
  "monitorTraining", "earlyStopping", "schedule", "onEpoch", "onProgress"];
const NET_KEYS = ["seed", "cost", "activation", "output", "backend", "init"];

export function checkKeys(where: string, arg: string, o: unknown, keys: readonly string[]): Record<string, unknown> {
  if (o === undefined) return {};
  if (o === null || typeof o !== "object" || Array.isArray(o)) throw new OptionError(where, arg, "an options object", describe(o));
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) throw new OptionError(where, `${arg}.${k}`, `one of the known options (${keys.join(", ")})`, "an unknown option");
  }
  return o as Record<string, unknown>;
}

function oneOf<T extends string>(where: string, arg: string, v: unknown, allowed: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (typeof v !== "string" || !allowed.includes(v as T)) {
    throw new OptionError(where, arg, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`, describe(v));
  }
  return v as T;
}

export function number(where: string, arg: string, v: unknown, dflt: number,
                       test: (x: number) => boolean, expected: string): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v) || !test(v)) throw new OptionError(where, arg, expected, describe(v));
  return v;
}

/** Checks layer sizes: at least 2 layers of positive integers. */
export function checkSizes(where: string, arg: string, sizes: unknown): number[] {
  if (!Array.isArray(sizes) || sizes.length < 2) {
    throw new ShapeError(where, arg, "an array of at least 2 layer sizes, e.g. [784, 30, 10]", describe(sizes));
  }
  sizes.forEach((n, l) => {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
      throw new ShapeError(where, `${arg}[${l}]`, "a positive integer number of neurons", describe(n));
    }
  });
  return [...sizes];
}

export interface ResolvedNetworkOptions {
  seed: number;
  cost: Cost;
  activations: Activation[];
  backend: BackendOption;
  init: Init;
}

/** Validates constructor options, resolving per-layer activations and checking activation × cost pairings. */
export function resolveNetworkOptions(where: string, L: number, options: unknown): ResolvedNetworkOptions {
  const o = checkKeys(where, "options", options, NET_KEYS);
  const seed = number(where, "options.seed", o.seed, Math.floor(Math.random() * 2 ** 32),
    (x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32, "an integer from 0 to 2^32 − 1");
  const cost = oneOf(where, "options.cost", o.cost, COSTS, "quadratic");
  const init = oneOf(where, "options.init", o.init, INITS, "scaled");
  const backend = oneOf(where, "options.backend", o.backend, BACKENDS, "wasm");
  const defaultOut: Activation = cost === "log-likelihood" ? "softmax" : "sigmoid";
  let output = oneOf(where, "options.output", o.output, ACTIVATIONS, defaultOut);
  const activations: Activation[] = [];
  if (Array.isArray(o.activation)) {
    const acts = o.activation as unknown[];
    if (acts.length !== L - 1 && acts.length !== L) {
      throw new OptionError(where, "options.activation", `one activation per hidden layer (${L - 1}) or per layer (${L})`, describe(acts));
    }
    acts.forEach((a, i) => activations.push(oneOf(where, `options.activation[${i}]`, a, ACTIVATIONS, "sigmoid")));
    if (acts.length === L) {
      if (o.output !== undefined && o.output !== activations[L - 1]) {
        throw new OptionError(where, "options.output", `the same as options.activation[${L - 1}] or absent`, describe(o.output));
      }
      output = activations.pop()!;
    }
  } else {
    const a = oneOf(where, "options.activation", o.activation, ACTIVATIONS, "sigmoid");
    for (let l = 0; l < L - 1; l++) activations.push(a);
  }
  activations.forEach((a, l) => {
    if (a === "softmax") throw new OptionError(where, `options.activation[${l}]`, "an element-wise activation (softmax is for the output layer only)", '"softmax"');
  });
  activations.push(output);
  if (cost === "log-likelihood" && output !== "softmax") {
    throw new OptionError(where, "options.output", '"softmax" with the log-likelihood cost (δ^L = a − y needs it)', JSON.stringify(output));
  }
  if (cost === "cross-entropy" && output !== "sigmoid") {
    throw new OptionError(where, "options.output", '"sigmoid" with the cross-entropy cost (use log-likelihood for softmax)', JSON.stringify(output));
  }
  if (cost === "quadratic" && output === "softmax") {
    throw new OptionError(where, "options.cost", '"log-likelihood" with a softmax output (nabla does not implement the softmax Jacobian for other costs)', '"quadratic"');
  }
  return { seed, cost, activations, backend, init };
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
  onEpoch?: TrainOptions["onEpoch"];
  onProgress?: TrainOptions["onProgress"];
}

export function resolveTrainOptions(where: string, options: unknown): ResolvedTrainOptions {
  const o = checkKeys(where, "options", options, TRAIN_KEYS);
  const int = (k: string, d: number, min: number) =>
    number(where, `options.${k}`, o[k], d, (x) => Number.isInteger(x) && x >= min, `an integer ≥ ${min}`);
  const nonneg = (k: string, d: number) => number(where, `options.${k}`, o[k], d, (x) => x >= 0, "a finite number ≥ 0");
  const fn = (k: string) => {
    if (o[k] !== undefined && typeof o[k] !== "function") throw new OptionError(where, `options.${k}`, "a function", describe(o[k]));
    return o[k] as never;
  };
  const bool = (k: string, d: boolean) => {
    if (o[k] !== undefined && typeof o[k] !== "boolean") throw new OptionError(where, `options.${k}`, "true or false", describe(o[k]));
    return (o[k] as boolean | undefined) ?? d;
  };
  let patience = 0;
  if (o.schedule !== undefined) {
    const s = checkKeys(where, "options.schedule", o.schedule, ["patience"]);
    patience = number(where, "options.schedule.patience", s.patience, 10, (x) => Number.isInteger(x) && x >= 1, "an integer ≥ 1");
  }
  return {
    epochs: int("epochs", 1, 0),
    batchSize: int("batchSize", 10, 1),
    eta: number(where, "options.learningRate", o.learningRate, 3.0, (x) => x > 0, "a finite number > 0"),
    lambda: nonneg("lambda", 0),
    l1: nonneg("l1", 0),
    shuffle: bool("shuffle", true),
    optimizer: resolveOptimizer(where, o.optimizer),
    monitorTraining: bool("monitorTraining", false),
    earlyStopping: int("earlyStopping", 0, 0),
    patience,
    onEpoch: fn("onEpoch"),
    onProgress: fn("onProgress"),
  };
}

function resolveOptimizer(where: string, v: unknown): Optimizer {
  const names = ["sgd", "momentum", "adam"] as const;
  const opt: Optimizer = { name: "sgd", mu: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  if (v === undefined) return opt;
  if (typeof v === "string") {
    opt.name = oneOf(where, "options.optimizer", v, names, "sgd");
    return opt;
  }
  const o = checkKeys(where, "options.optimizer", v, ["name", "mu", "beta1", "beta2", "epsilon"]);
  // The name is required and each optimizer takes only its own hyper-parameters: { mu: 0.5 } alone
  // or { name: "adam", mu: 0.5 } would otherwise train silently with settings the caller did not mean.
  if (o.name === undefined) throw new OptionError(where, "options.optimizer.name", '"sgd", "momentum" or "adam"', "undefined");
  opt.name = oneOf(where, "options.optimizer.name", o.name, names, "sgd");
  const own: Record<Optimizer["name"], string[]> = { sgd: ["name"], momentum: ["name", "mu"], adam: ["name", "beta1", "beta2", "epsilon"] };
  for (const k of Object.keys(o)) {
    if (o[k] !== undefined && !own[opt.name].includes(k)) {
      throw new OptionError(where, `options.optimizer.${k}`, `absent: ${JSON.stringify(opt.name)} takes only ${own[opt.name].join(", ")}`, describe(o[k]));
    }
  }
  const unit = (k: string, d: number) => number(where, `options.optimizer.${k}`, o[k], d, (x) => x >= 0 && x < 1, "a number in [0, 1)");
  opt.mu = unit("mu", 0.9);
  opt.beta1 = unit("beta1", 0.9);
  opt.beta2 = unit("beta2", 0.999);
  opt.epsilon = number(where, "options.optimizer.epsilon", o.epsilon, 1e-8, (x) => x > 0, "a number > 0");
  return opt;
}
