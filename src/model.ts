// One model description: what a network is (layer sizes, an activation per layer, the cost,
// the initializer), the defaults and the pairing rules between them, and the limits on its
// size. The constructor (from NetworkOptions) and the model parser (src/serialize.ts, from
// untrusted JSON) both describe a network through these functions, so a network the library
// builds is one it can load, and the other way round.
//
// Every rule reports through a `Fail` callback (src/check.ts), so each caller throws its own
// error class (ShapeError / OptionError for the constructor, ModelFormatError for a model file)
// naming its own argument ("options.output" or "json.output").
import { ACTIVATIONS, COSTS, type Activation, type Cost } from "./kernels.js";
import { plan, parameterCount, MAX_BYTES } from "./arena.js";
import { checkTask, type Task } from "./task.js";
import { checkDropout } from "./dropout.js";
import { checkPreprocessing, type Preprocessing } from "./preprocessing.js";
import { DEFAULTS } from "./defaults.js";
import { describe } from "./errors.js";
import { checkNumber, oneOf, type Fail } from "./check.js";

export const INITS = ["nielsen", "scaled", "glorot", "he"] as const;
/** The optimizers (options.optimizer, and the optimizer state a model file carries). */
export const OPTIMIZERS = ["sgd", "momentum", "adam"] as const;
/** Weight init: nielsen N(0,1); scaled N(0,1/√n_in) (default); glorot N(0,√(2/(n_in+n_out))); he N(0,√(2/n_in)). */
export type Init = (typeof INITS)[number];

/** A network's description: everything but its parameters. */
export interface Model {
  /** Neurons per layer, input first. */
  readonly sizes: readonly number[];
  /** Activation of each weight layer, the output layer last. */
  readonly activations: readonly Activation[];
  readonly cost: Cost;
  readonly init: Init;
  /** What the outputs mean (src/task.ts): inferred from the output layer unless given. */
  readonly task: Task;
  /** Inverted-dropout probability per hidden layer (training only), or null for none. */
  readonly dropout: readonly number[] | null;
  /** The standardization applied to every input, or null (src/preprocessing.ts). */
  readonly preprocessing: Preprocessing | null;
}

/** The output activation a cost pairs with by default: softmax for log-likelihood, else sigmoid. */
export const defaultOutput = (cost: Cost): Activation => (cost === "log-likelihood" ? "softmax" : "sigmoid");

/** Largest number of layers (input layer included) a network may have, built or loaded. */
export const MAX_LAYERS = 1000;
/** Base offset assumed for the size check (the kernels' heap base is below it on every backend). */
const SIZE_CHECK_BASE = 1024;

export type { Fail } from "./check.js";

/** A count for a message: as given while exact, in exponent form beyond 2^53 ("8.11e+31"). */
const big = (x: number, text = String(x)): string => (x < 2 ** 53 ? text : x.toExponential(2));

/**
 * Layer sizes: 2 to MAX_LAYERS positive integers, and a network that fits in 4 GiB of
 * WebAssembly memory (all 7 parameter-sized buffers of the arena counted) — checked before
 * anything proportional to the size is allocated.
 */
export function checkSizes(sizes: unknown, fail: Fail): number[] {
  if (!Array.isArray(sizes) || sizes.length < 2 || sizes.length > MAX_LAYERS) {
    fail("sizes", `an array of at least 2 (and at most ${MAX_LAYERS}) layer sizes, e.g. [784, 30, 10]`, describe(sizes));
  }
  const s: number[] = [];
  for (let l = 0; l < (sizes as unknown[]).length; l++) {
    const n = (sizes as unknown[])[l];
    // Any safe integer here: the 4 GiB check below then says how large the network would be.
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1) fail(`sizes[${l}]`, "a positive integer number of neurons", describe(n));
    s.push(n as number);
  }
  const need = plan(s, SIZE_CHECK_BASE, 1).end;
  if (need > MAX_BYTES) {
    const shown = s.length > 8 ? `[${s.slice(0, 8).join(",")},…] (${s.length} layers)` : JSON.stringify(s);
    const count = parameterCount(s);
    fail("sizes", "a network that fits in 4 GiB of WebAssembly memory",
      `${shown}, which would need ${big(need / 2 ** 30, (need / 2 ** 30).toFixed(1))} GiB (${big(count)} parameters, 7 buffers of each)`);
  }
  return s;
}

/** The cost (default quadratic). `aliases` maps other names to it (network2.py's class names). */
export function checkCost(v: unknown, fail: Fail, aliases: Record<string, Cost> = {}): Cost {
  if (v === undefined) return DEFAULTS.cost;
  const c = oneOf(v, [...COSTS, ...Object.keys(aliases)], "cost", fail); // aliases' own keys only
  return aliases[c] ?? (c as Cost);
}

/** A seed (or a word of the generator's state, `arg`): an integer from 0 to 2^32 − 1. */
export const checkSeed = (v: unknown, fail: Fail, arg = "seed"): number =>
  checkNumber(v, (x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32, arg, "an integer from 0 to 2^32 − 1", fail);

/** The initializer (default scaled). */
export function checkInit(v: unknown, fail: Fail): Init {
  return v === undefined ? DEFAULTS.init : oneOf(v, INITS, "init", fail);
}

/**
 * One activation per weight layer, the output's last, with the pairing rules of BP1:
 * `activation` is one name for every hidden layer, or an array of one per hidden layer (L − 1)
 * or — when `perLayer` allows it — one per layer (L, the output's last, then `output` must be
 * absent or the same). Softmax only at the output; log-likelihood needs a softmax output,
 * cross-entropy a sigmoid one (δ^L = a − y needs them), and a softmax output needs log-likelihood
 * (nabla does not implement the softmax Jacobian for the other costs).
 */
export function checkActivations(L: number, activation: unknown, output: unknown, cost: Cost, fail: Fail, perLayer = true): Activation[] {
  const acts: Activation[] = [];
  let out: Activation | undefined = output === undefined ? undefined : oneOf(output, ACTIVATIONS, "output", fail);
  if (Array.isArray(activation)) {
    const ok = activation.length === L - 1 || (perLayer && activation.length === L);
    if (!ok) fail("activation", perLayer ? `one activation per hidden layer (${L - 1}) or per layer (${L})` : `an array of ${L - 1} hidden-layer activations`, describe(activation));
    activation.forEach((a, i) => acts.push(oneOf(a, ACTIVATIONS, `activation[${i}]`, fail)));
    if (acts.length === L) {
      const last = acts.pop()!;
      if (out !== undefined && out !== last) fail("output", `the same as activation[${L - 1}] or absent`, describe(out));
      out = last;
    }
  } else {
    const h = activation === undefined ? DEFAULTS.activation : oneOf(activation, ACTIVATIONS, "activation", fail);
    for (let l = 0; l < L - 1; l++) acts.push(h);
  }
  acts.forEach((a, l) => { if (a === "softmax") fail(`activation[${l}]`, "an element-wise activation (softmax is for the output layer only)", describe(a)); });
  out ??= defaultOutput(cost);
  if (cost === "log-likelihood" && out !== "softmax") fail("output", '"softmax" with the log-likelihood cost', describe(out));
  if (cost === "cross-entropy" && out !== "sigmoid") fail("output", '"sigmoid" with the cross-entropy cost (use log-likelihood for softmax)', describe(out));
  if (cost === "quadratic" && out === "softmax") {
    fail("cost", '"log-likelihood" with a softmax output', describe(cost));
  }
  acts.push(out);
  return acts;
}

/** Standard deviation of the Gaussian a layer's weights are drawn from; whether biases are drawn N(0,1) (else 0). */
export function initScale(init: Init, nIn: number, nOut: number): number {
  return init === "nielsen" ? 1 : init === "scaled" ? 1 / Math.sqrt(nIn) : init === "glorot" ? Math.sqrt(2 / (nIn + nOut)) : Math.sqrt(2 / nIn);
}
export const gaussianBiases = (init: Init): boolean => init === "nielsen" || init === "scaled";

/**
 * The parts of a model beyond its layers: the task (checked against the output layer and the
 * cost), dropout per hidden layer, and the input preprocessing. Arguments as `fail` reports
 * them: "task", "dropout[1]", "preprocessing.std[3]".
 */
export function checkHeads(sizes: readonly number[], activations: readonly Activation[], cost: Cost,
                           v: { task?: unknown; dropout?: unknown; preprocessing?: unknown }, fail: Fail):
                           Pick<Model, "task" | "dropout" | "preprocessing"> {
  const L = sizes.length - 1;
  const task = checkTask(v.task, activations[L - 1], cost, sizes[L], fail);
  const dropout = checkDropout(v.dropout, L - 1, fail);
  const preprocessing = v.preprocessing === undefined ? null : checkPreprocessing(v.preprocessing, sizes[0], "preprocessing", fail);
  return { task, dropout, preprocessing };
}
