// Saving and reading a model: nabla's own JSON (toJSON / parseModel) and Nielsen's
// network2.py `save` format (read only).
// The JSON is untrusted: types, shapes, finiteness and the total size are checked
// before anything is allocated; only known keys are read (no merging, so keys like
// "__proto__" have no effect); nothing is evaluated.
import { finite32, FINITE32 } from "./data.js";
import { ModelFormatError, describe } from "./errors.js";
import { checkNumber, failWith, guarded, oneOf, type Fail } from "./check.js";
import type { Activation, Cost } from "./kernels.js";
import type { Optimizer } from "./options.js";
import { parameterCount, type Plan } from "./arena.js";
import { checkActivations, checkCost, checkHeads, checkInit, checkSeed, checkSizes, OPTIMIZERS, type Init, type Model } from "./model.js";
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

/** Everything toJSON writes except the parameter-sized arrays (weights, biases, optimizer state), in its order. */
export type NetworkHeader = Omit<NetworkJSON, "weights" | "biases" | "optimizer"> & { optimizer?: { name: Optimizer["name"]; t: number } };

/**
 * toJSON's fields in its order, without the parameter-sized arrays unless `params` gives the
 * weights and biases: the header of the binary form (src/binary.ts) and the JSON.
 */
export function modelHeader(model: Model & { seed: number }, rng: Uint32Array, opt: { name: Optimizer["name"]; t: number },
                            params?: Pick<NetworkJSON, "weights" | "biases">): NetworkHeader {
  const hidden = model.activations.slice(0, -1);
  const head: NetworkHeader = {
    format: "nabla",
    version: 1,
    sizes: [...model.sizes],
    activation: hidden.length > 0 && hidden.every((a) => a === hidden[0]) ? hidden[0] : [...hidden],
    output: model.activations.at(-1)!,
    cost: model.cost,
    init: model.init,
    seed: model.seed,
    ...params,
    rng: Array.from(rng),
    task: model.task,
  };
  if (model.preprocessing) head.preprocessing = preprocessingJSON(model.preprocessing);
  if (model.dropout) head.dropout = [...model.dropout];
  if (opt.name !== "sgd") head.optimizer = { name: opt.name, t: opt.t };
  return head;
}

/** The JSON of a network: its model, seed, parameters, generator state and optimizer state (when not plain SGD). */
export function toJSON(model: Model & { seed: number }, F: Float32Array, p: Plan, rng: Uint32Array, opt: { name: Optimizer["name"]; t: number }): NetworkJSON {
  const json = modelHeader(model, rng, opt, { weights: matrices(F, model.sizes, p.w), biases: vectors(F, model.sizes, p.b) }) as NetworkJSON;
  const state = (at: number) => Array.from(F.subarray(at >>> 2, (at >>> 2) + p.paramsLen), plusZero);
  if (json.optimizer) json.optimizer.state1 = state(p.opt1);
  if (opt.name === "adam") json.optimizer!.state2 = state(p.opt2);
  return json;
}

/**
 * Checks per-layer arrays against the layer sizes and hands each value to put(x), in the arena's
 * order: weights[l] (`weights`) holds sizes[l+1] rows of sizes[l] numbers, biases[l] sizes[l+1]
 * numbers (with `columns`, a column [x] reads as x: network2.py's biases). `shape` reports a
 * wrong shape, `value` a value that is not a finite float32. Index loops, not forEach: forEach
 * skips the holes of a sparse array ([1, , 3]), which would shift every later value by one place;
 * here a hole reads as undefined and is refused by name.
 */
export function walkLayers(arg: string, v: unknown, sizes: readonly number[], weights: boolean, put: (x: number) => void,
                           shape: Fail, value: Fail, columns = false): void {
  const list = (x: unknown, n: number, name: string): unknown[] => (Array.isArray(x) && x.length === n ? x : shape(name, `an array of ${n}`, describe(x)));
  const leaf = (x: unknown, name: string) => put(finite32(x) ? x : value(name, FINITE32, describe(x)));
  const layers = list(v, sizes.length - 1, arg);
  for (let l = 0; l < layers.length; l++) {
    const name = `${arg}[${l}]`, rows = list(layers[l], sizes[l + 1], name);
    for (let j = 0; j < rows.length; j++) {
      const x = rows[j];
      if (weights) {
        const row = list(x, sizes[l], `${name}[${j}]`);
        for (let k = 0; k < row.length; k++) leaf(row[k], `${name}[${j}][${k}]`);
      } else leaf(columns && Array.isArray(x) && x.length === 1 ? x[0] : x, `${name}[${j}]`);
    }
  }
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
/** The binary form's float section (src/binary.ts): parse's two questions to it, so the JSON path carries none of its code. */
export interface Section {
  /** Checks that the header holds no arrays and the section's length is what it declares; the floats, and the preprocessing as views on them. */
  open(j: Record<string, unknown>, o: Record<string, unknown>, sizes: number[], count: number, nStates: number, preprocessing: unknown): { floats: Float32Array; preprocessing: unknown };
  /** Checks every value; the parameters and optimizer state as views. */
  close(floats: Float32Array, sizes: readonly number[], count: number, optName: Optimizer["name"] | undefined, optT: number,
    model: Omit<ParsedModel, "params" | "optimizer">): ParsedModel;
}

export function parseModel(where: string, input: unknown, section?: Section): ParsedModel {
  return guarded(() => parse(where, input, section),
    (what) => new ModelFormatError(where, "json", "a plain model object or JSON text", `a value that could not be read (${what})`));
}

function parse(where: string, input: unknown, section?: Section): ParsedModel {
  const root = section ? "header" : "json";
  let json = input;
  if (typeof json === "string") {
    try { json = JSON.parse(json); } catch (e) {
      throw new ModelFormatError(where, "json", "valid JSON text", `text that does not parse (${(e as Error).message})`);
    }
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new ModelFormatError(where, root, "a model object { sizes, weights, biases, ... }", describe(json));
  }
  const j = json as Record<string, unknown>;
  const get = (k: string): unknown => (has(j, k) ? j[k] : undefined);
  const fail = failWith(ModelFormatError, where, `${root}.`);
  const failV = (arg: string, expected: string, v: unknown): never => fail(arg, expected, describe(v));

  // ---- (1) format ----------------------------------------------------------------------------
  const format = get("format");
  if (format !== undefined && format !== "nabla") failV("format", '"nabla" (or absent, for network2.py files)', format);
  const version = get("version");
  if (format === "nabla" && version !== undefined && version !== 1) failV("version", "1", version);

  // ---- (2) sizes and their total size, before anything proportional to it is allocated -------
  // The rules of src/model.ts, as for the constructor: a network the library builds, it loads.
  const sizes = checkSizes(get("sizes"), fail);
  const L = sizes.length - 1;
  const cost = checkCost(get("cost"), fail, NIELSEN_COSTS);
  // A model file names the hidden layers' activations and the output's apart (perLayer = false).
  const activations = checkActivations(L, get("activation"), get("output"), cost, fail, false);
  const init = checkInit(get("init"), fail);
  // The optimizer's name and step count (its state arrays are read in (3)).
  let optName: Optimizer["name"] | undefined, optT = 0;
  let o: Record<string, unknown> = {};
  const optRaw = get("optimizer");
  if (optRaw !== undefined) {
    if (optRaw === null || typeof optRaw !== "object" || Array.isArray(optRaw)) failV("optimizer", "{ name, t, state1, state2? }", optRaw);
    o = optRaw as Record<string, unknown>;
    optName = oneOf(has(o, "name") ? o.name : undefined, OPTIMIZERS, "optimizer.name", fail);
    optT = has(o, "t") ? checkNumber(o.t, (t) => Number.isSafeInteger(t) && t >= 0, "optimizer.t", "a non-negative integer", fail) : 0;
  }
  const count = parameterCount(sizes);
  const stateKeys = optName === "adam" ? ["state1", "state2"] : optName === "momentum" ? ["state1"] : [];

  // A binary model (src/binary.ts): the parameter-sized arrays are in its float32 section,
  // whose length the section checks against this header before anything is read.
  let preprocessing = get("preprocessing");
  const floats = section ? section.open(j, o, sizes, count, stateKeys.length, preprocessing) : null;
  if (floats) preprocessing = floats.preprocessing;
  const heads = checkHeads(sizes, activations, cost, { task: get("task"), dropout: get("dropout"), preprocessing }, fail);
  const seedRaw = get("seed");
  const seed = seedRaw === undefined ? undefined : checkSeed(seedRaw, fail);

  const rngRaw = get("rng");
  let rng: number[] | undefined;
  if (rngRaw !== undefined) {
    const expected = "4 unsigned 32-bit integers, not all 0";
    if (!Array.isArray(rngRaw) || rngRaw.length !== 4) failV("rng", expected, rngRaw);
    rng = [];
    for (let i = 0; i < 4; i++) {
      rng.push(checkSeed((rngRaw as unknown[])[i], fail, `rng[${i}]`));
    }
    if (rng.every((x) => x === 0)) failV("rng", expected, rngRaw);
  }

  // ---- (3) first walk: shapes, types, finiteness — nothing allocated -------------------------
  if (section && floats) return section.close(floats.floats, sizes, count, optName, optT, { sizes, activations, cost, init, ...heads, seed, rng });
  const notFinite = (x: unknown, arg: string): never => failV(arg, FINITE32, x);
  const W = get("weights"), B = get("biases");
  // Walks weights then biases (the arena's order), calling put(value) for each parameter
  // (network2.py stores biases as column vectors: [x] reads as x).
  const walkParams = (put: (x: number) => void): void => {
    walkLayers("weights", W, sizes, true, put, fail, fail);
    walkLayers("biases", B, sizes, false, put, fail, fail, true);
  };
  walkParams(() => {});

  const walkState = (k: string, put: (x: number) => void): void => {
    const v = has(o, k) ? o[k] : undefined;
    if (!Array.isArray(v) || v.length !== count) failV(`optimizer.${k}`, `an array of ${count} numbers (one per parameter)`, v);
    for (let i = 0; i < count; i++) {
      const x = (v as unknown[])[i];
      if (!finite32(x)) notFinite(x, `optimizer.${k}[${i}]`);
      // Adam's second moment is a running mean of squares: a negative one would make √m₂ NaN.
      if (k === "state2" && (x as number) < 0) failV(`optimizer.${k}[${i}]`, "a number ≥ 0 (Adam's second moment is a mean of squares)", x);
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
