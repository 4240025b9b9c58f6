// Saving and reading a model: nabla's own JSON (toJSON / parseModel) and Nielsen's
// network2.py `save` format (read only).
// The JSON is untrusted: types, shapes, finiteness and the total size are checked
// before anything is allocated; only known keys are read (no merging, so keys like
// "__proto__" have no effect); nothing is evaluated.
import { finite32 } from "./data.js";
import { ModelFormatError, describe } from "./errors.js";
import type { Activation, Cost } from "./kernels.js";
import type { Optimizer } from "./options.js";
import { parameterCount, type Plan } from "./arena.js";
import { checkActivations, checkCost, checkHeads, checkInit, checkSizes, type Init, type Model } from "./model.js";
import { preprocessingJSON } from "./preprocessing.js";
import type { Task } from "./task.js";

export interface NetworkJSON {
  format: "nabla";
  version: 1;
  sizes: number[];
  /** Hidden-layer activation(s): one name for all, or one per hidden layer. */
  activation: Activation | Activation[];
  output: Activation;
  cost: Cost;
  init: Init;
  seed: number;
  /** weights[l][j][k]: layer l+1, neuron j, input k. */
  weights: number[][][];
  /** biases[l][j]. */
  biases: number[][];
  /** State of the seeded generator, so shuffling resumes where it stopped. */
  rng: number[];
  /** Optimizer state (momentum velocities, Adam moments) in the order weights then biases, flattened. */
  optimizer?: { name: Optimizer["name"]; t: number; state1: number[]; state2?: number[] };
  /** What the outputs mean (absent in older files: inferred from the output layer). */
  task?: Task;
  /** Input standardization x' = (x − mean) / std, one entry per input. */
  preprocessing?: { mean: number[]; std: number[] };
  /** Dropout probability per hidden layer (training only; inference ignores it). */
  dropout?: number[];
}

export interface ParsedModel extends Model {
  seed: number | undefined;
  params: Float32Array;
  rng: number[] | undefined;
  optimizer: { name: Optimizer["name"]; t: number; state1: Float32Array; state2: Float32Array | null } | undefined;
}

/** −0 → +0 (JSON text has no −0; toJSON must write what fromJSON will read back). */
const plusZero = (v: number): number => v + 0;

/** Weight matrices w^l as nested arrays [l][j][k], copied from linear memory at the plan's offsets `at` (w or nablaW). */
export function matrices(F: Float32Array, sizes: readonly number[], at: readonly number[]): number[][][] {
  return at.map((off, l) => {
    const nIn = sizes[l], nOut = sizes[l + 1], base = off >>> 2;
    const m: number[][] = new Array(nOut);
    for (let j = 0; j < nOut; j++) m[j] = Array.from(F.subarray(base + j * nIn, base + (j + 1) * nIn), plusZero);
    return m;
  });
}

/** Bias vectors b^l as nested arrays [l][j], from the plan's offsets `at` (b or nablaB). */
export function vectors(F: Float32Array, sizes: readonly number[], at: readonly number[]): number[][] {
  return at.map((off, l) => Array.from(F.subarray(off >>> 2, (off >>> 2) + sizes[l + 1]), plusZero));
}

/** The JSON of a network: its model, seed, parameters, generator state and optimizer state (when not plain SGD). */
export function toJSON(model: Model & { seed: number }, F: Float32Array, p: Plan, rng: Uint32Array, opt: { name: Optimizer["name"]; t: number }): NetworkJSON {
  const hidden = model.activations.slice(0, -1);
  const json: NetworkJSON = {
    format: "nabla",
    version: 1,
    sizes: [...model.sizes],
    activation: hidden.length > 0 && hidden.every((a) => a === hidden[0]) ? hidden[0] : [...hidden],
    output: model.activations.at(-1)!,
    cost: model.cost,
    init: model.init,
    seed: model.seed,
    weights: matrices(F, model.sizes, p.w),
    biases: vectors(F, model.sizes, p.b),
    rng: Array.from(rng),
    task: model.task,
  };
  if (model.preprocessing) json.preprocessing = preprocessingJSON(model.preprocessing);
  if (model.dropout) json.dropout = [...model.dropout];
  if (opt.name !== "sgd") {
    const state = (at: number) => Array.from(F.subarray(at >>> 2, (at >>> 2) + p.paramsLen), plusZero);
    json.optimizer = { name: opt.name, t: opt.t, state1: state(p.opt1) };
    if (opt.name === "adam") json.optimizer.state2 = state(p.opt2);
  }
  return json;
}

const NIELSEN_COSTS: Record<string, Cost> = { QuadraticCost: "quadratic", CrossEntropyCost: "cross-entropy" };
const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
export { MAX_LAYERS } from "./model.js";

/**
 * Validates an untrusted model (object or JSON text) and returns it as flat float32 parameters.
 *
 * Order of work, so that a hostile file cannot make the loader allocate more than the input
 * it already is: (1) scalar fields and layer sizes, (2) the total memory the network would
 * need (the arena's `plan(...).end`, all 7 parameter-sized buffers included) against 4 GiB,
 * (3) a full walk of weights, biases and optimizer state checking shapes, types and float32
 * finiteness, and only then (4) the allocation of the parameter arrays, filled by a second
 * walk that re-checks every value (a getter or Proxy cannot swap in NaN between the passes).
 * Only own properties of known keys are read, so "__proto__" / "constructor" keys do nothing;
 * nothing is evaluated. Every failure is a ModelFormatError naming the offending path.
 */
export function parseModel(where: string, input: unknown): ParsedModel {
  try {
    return parse(where, input);
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    // A throwing getter or Proxy trap in a caller-built object, or an engine limit hit by the
    // input itself (e.g. nesting too deep): still a typed error, never a raw one.
    throw new ModelFormatError(where, "json", "a plain model object or JSON text",
      `a value that could not be read (${e instanceof Error ? `${e.name}: ${e.message}` : describe(e)})`);
  }
}

function parse(where: string, input: unknown): ParsedModel {
  let json = input;
  if (typeof json === "string") {
    try { json = JSON.parse(json); } catch (e) {
      throw new ModelFormatError(where, "json", "valid JSON text", `text that does not parse (${(e as Error).message})`);
    }
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new ModelFormatError(where, "json", "a model object { sizes, weights, biases, ... }", describe(json));
  }
  const j = json as Record<string, unknown>;
  const get = (k: string): unknown => (has(j, k) ? j[k] : undefined);
  const fail = (arg: string, expected: string, v: unknown): never => { throw new ModelFormatError(where, `json.${arg}`, expected, describe(v)); };

  // ---- (1) format ----------------------------------------------------------------------------
  const format = get("format");
  if (format !== undefined && format !== "nabla") fail("format", '"nabla" (or absent, for network2.py files)', format);
  const version = get("version");
  if (format === "nabla" && version !== undefined && version !== 1) fail("version", "1", version);

  // ---- (2) sizes and their total size, before anything proportional to it is allocated -------
  // The rules of src/model.ts, as for the constructor: a network the library builds, it loads.
  const sizes = checkSizes(get("sizes"), fail, (arg, expected, text) => { throw new ModelFormatError(where, `json.${arg}`, expected, text); });
  const L = sizes.length - 1;
  const cost = checkCost(get("cost"), fail, NIELSEN_COSTS);
  // A model file names the hidden layers' activations and the output's apart (perLayer = false).
  const activations = checkActivations(L, get("activation"), get("output"), cost, fail, false);
  const init = checkInit(get("init"), fail);
  const heads = checkHeads(sizes, activations, cost, { task: get("task"), dropout: get("dropout"), preprocessing: get("preprocessing") },
    (arg, expected, text) => { throw new ModelFormatError(where, `json.${arg}`, expected, text); });
  const seedRaw = get("seed");
  const seed = seedRaw === undefined ? undefined
    : typeof seedRaw === "number" && Number.isInteger(seedRaw) && seedRaw >= 0 && seedRaw < 2 ** 32 ? seedRaw : fail("seed", "an integer from 0 to 2^32 − 1", seedRaw);

  const rngRaw = get("rng");
  let rng: number[] | undefined;
  if (rngRaw !== undefined) {
    if (!Array.isArray(rngRaw) || rngRaw.length !== 4) fail("rng", "4 unsigned 32-bit integers, not all 0", rngRaw);
    rng = [];
    for (let i = 0; i < 4; i++) {
      const x = (rngRaw as unknown[])[i];
      if (typeof x !== "number" || !Number.isInteger(x) || x < 0 || x >= 2 ** 32) fail(`rng[${i}]`, "an unsigned 32-bit integer", x);
      rng.push(x as number);
    }
    if (rng.every((x) => x === 0)) fail("rng", "4 unsigned 32-bit integers, not all 0", rngRaw);
  }

  // ---- (3) first walk: shapes, types, finiteness — nothing allocated -------------------------
  const count = parameterCount(sizes);
  const W = get("weights"), B = get("biases");
  if (!Array.isArray(W) || W.length !== L) fail("weights", `an array of ${L} weight matrices`, W);
  if (!Array.isArray(B) || B.length !== L) fail("biases", `an array of ${L} bias vectors`, B);
  // Walks weights then biases (the arena's order), calling put(value) for each parameter.
  const walkParams = (put: (x: number) => void): void => {
    for (let l = 0; l < L; l++) {
      const rows = (W as unknown[])[l], nOut = sizes[l + 1], nIn = sizes[l];
      if (!Array.isArray(rows) || rows.length !== nOut) fail(`weights[${l}]`, `an array of ${nOut} rows (sizes[${l + 1}])`, rows);
      for (let r = 0; r < nOut; r++) {
        const row = (rows as unknown[])[r];
        if (!Array.isArray(row) || row.length !== nIn) fail(`weights[${l}][${r}]`, `an array of ${nIn} numbers (sizes[${l}])`, row);
        for (let k = 0; k < nIn; k++) {
          const x = (row as unknown[])[k];
          if (!finite32(x)) fail(`weights[${l}][${r}][${k}]`, "a finite number (within the float32 range)", x);
          put(x as number);
        }
      }
    }
    for (let l = 0; l < L; l++) {
      const bs = (B as unknown[])[l], nOut = sizes[l + 1];
      if (!Array.isArray(bs) || bs.length !== nOut) fail(`biases[${l}]`, `an array of ${nOut} numbers (sizes[${l + 1}])`, bs);
      for (let r = 0; r < nOut; r++) {
        let x = (bs as unknown[])[r];
        if (Array.isArray(x) && x.length === 1) x = x[0]; // network2.py stores biases as column vectors
        if (!finite32(x)) fail(`biases[${l}][${r}]`, "a finite number (within the float32 range)", x);
        put(x as number);
      }
    }
  };
  walkParams(() => {});

  let optName: Optimizer["name"] | undefined, optT = 0;
  let o: Record<string, unknown> = {};
  const optRaw = get("optimizer");
  if (optRaw !== undefined) {
    if (optRaw === null || typeof optRaw !== "object" || Array.isArray(optRaw)) fail("optimizer", "{ name, t, state1, state2? }", optRaw);
    o = optRaw as Record<string, unknown>;
    const name = has(o, "name") ? o.name : undefined;
    if (name !== "sgd" && name !== "momentum" && name !== "adam") fail("optimizer.name", '"sgd", "momentum" or "adam"', name);
    optName = name as Optimizer["name"];
    const t = has(o, "t") ? o.t : 0;
    if (typeof t !== "number" || !Number.isSafeInteger(t) || t < 0) fail("optimizer.t", "a non-negative integer", t);
    optT = t as number;
  }
  const stateKeys = optName === "adam" ? ["state1", "state2"] : optName === "momentum" ? ["state1"] : [];
  const walkState = (k: string, put: (x: number) => void): void => {
    const v = has(o, k) ? o[k] : undefined;
    if (!Array.isArray(v) || v.length !== count) fail(`optimizer.${k}`, `an array of ${count} numbers (one per parameter)`, v);
    for (let i = 0; i < count; i++) {
      const x = (v as unknown[])[i];
      if (!finite32(x)) fail(`optimizer.${k}[${i}]`, "a finite number (within the float32 range)", x);
      // Adam's second moment is a running mean of squares: a negative one would make √m₂ NaN.
      if (k === "state2" && (x as number) < 0) fail(`optimizer.${k}[${i}]`, "a number ≥ 0 (Adam's second moment is a mean of squares)", x);
      put(x as number);
    }
  };
  for (const k of stateKeys) walkState(k, () => {});

  // ---- (4) allocate, then copy (re-checking each value) --------------------------------------
  const params = new Float32Array(count);
  let p = 0;
  walkParams((x) => { params[p++] = x; });
  let optimizer: ParsedModel["optimizer"];
  if (optName === "momentum" || optName === "adam") {
    const vec = (k: string): Float32Array => {
      const v = new Float32Array(count);
      let i = 0;
      walkState(k, (x) => { v[i++] = x; });
      return v;
    };
    optimizer = { name: optName, t: optT, state1: vec("state1"), state2: optName === "adam" ? vec("state2") : null };
  }
  return { sizes, activations, cost, init, ...heads, seed, params, rng, optimizer };
}
