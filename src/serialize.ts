// Reading a saved model: nabla's own JSON and Nielsen's network2.py `save` format.
// The JSON is untrusted: types, shapes, finiteness and the total size are checked
// before anything is allocated; only known keys are read (no merging, so keys like
// "__proto__" have no effect); nothing is evaluated.
import { finite32 } from "./data.js";
import { ModelFormatError, describe } from "./errors.js";
import { ACTIVATIONS, COSTS, type Activation, type Cost } from "./kernels.js";
import { INITS, type Init, type Optimizer } from "./options.js";
import { plan, MAX_BYTES, parameterCount } from "./arena.js";

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
}

export interface ParsedModel {
  sizes: number[];
  activations: Activation[];
  cost: Cost;
  init: Init;
  seed: number | undefined;
  params: Float32Array;
  rng: number[] | undefined;
  optimizer: { name: Optimizer["name"]; t: number; state1: Float32Array; state2: Float32Array | null } | undefined;
}

const NIELSEN_COSTS: Record<string, Cost> = { QuadraticCost: "quadratic", CrossEntropyCost: "cross-entropy" };
const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
/** Largest number of layers a model may declare. */
export const MAX_LAYERS = 1000;
/** Base offset assumed for the size check, as in the Network constructor. */
const SIZE_CHECK_BASE = 1024;
/** A count for a message: as given while exact, in exponent form beyond 2^53 ("8.11e+31"). */
const big = (text: string, x: number): string => (x < 2 ** 53 ? text : x.toExponential(2));

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

  // ---- (1) scalar fields and sizes ----------------------------------------------------------
  const format = get("format");
  if (format !== undefined && format !== "nabla") fail("format", '"nabla" (or absent, for network2.py files)', format);
  const version = get("version");
  if (format === "nabla" && version !== undefined && version !== 1) fail("version", "1", version);

  const sizesRaw = get("sizes");
  if (!Array.isArray(sizesRaw) || sizesRaw.length < 2 || sizesRaw.length > MAX_LAYERS) fail("sizes", `an array of 2 to ${MAX_LAYERS} layer sizes`, sizesRaw);
  const nLayers = (sizesRaw as unknown[]).length;
  const sizes: number[] = [];
  for (let l = 0; l < nLayers; l++) {
    const n = (sizesRaw as unknown[])[l];
    // Any safe integer here: the 4 GiB check below then says how large the network would be.
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1) fail(`sizes[${l}]`, "a positive integer", n);
    sizes.push(n as number);
  }
  const L = sizes.length - 1;

  // ---- (2) total size, before anything proportional to it is allocated -----------------------
  const need = plan(sizes, SIZE_CHECK_BASE, 1).end;
  if (need > MAX_BYTES) {
    const shown = sizes.length > 8 ? `[${sizes.slice(0, 8).join(",")},…] (${sizes.length} layers)` : JSON.stringify(sizes);
    throw new ModelFormatError(where, "json.sizes", "a network that fits in 4 GiB of WebAssembly memory",
      `${shown}, which would need ${big((need / 2 ** 30).toFixed(1), need / 2 ** 30)} GiB (${big(String(parameterCount(sizes)), parameterCount(sizes))} parameters, 7 buffers of each)`);
  }

  let cost: Cost;
  const c = get("cost");
  if (c === undefined) cost = "quadratic";
  else if (typeof c === "string" && (COSTS as readonly string[]).includes(c)) cost = c as Cost;
  else if (typeof c === "string" && has(NIELSEN_COSTS, c)) cost = NIELSEN_COSTS[c];
  else cost = fail("cost", `one of ${[...COSTS, ...Object.keys(NIELSEN_COSTS)].join(", ")}`, c);

  const act = (v: unknown, arg: string): Activation =>
    typeof v === "string" && (ACTIVATIONS as readonly string[]).includes(v) ? (v as Activation) : fail(arg, `one of ${ACTIVATIONS.join(", ")}`, v);
  const activations: Activation[] = [];
  const a = get("activation");
  if (Array.isArray(a)) {
    if (a.length !== L - 1) fail("activation", `an array of ${L - 1} hidden-layer activations`, a);
    for (let i = 0; i < L - 1; i++) activations.push(act(a[i], `activation[${i}]`));
  } else {
    const h = a === undefined ? "sigmoid" : act(a, "activation");
    for (let l = 0; l < L - 1; l++) activations.push(h);
  }
  activations.forEach((h, i) => { if (h === "softmax") fail(`activation[${i}]`, "an element-wise activation (softmax is for the output layer only)", h); });
  const out = get("output");
  const output = out === undefined ? (cost === "log-likelihood" ? "softmax" : "sigmoid") : act(out, "output");
  // The same activation × cost pairings the constructor enforces (δ^L = a − y needs them).
  if (cost === "log-likelihood" && output !== "softmax") fail("output", '"softmax" with the log-likelihood cost', output);
  if (cost === "cross-entropy" && output !== "sigmoid") fail("output", '"sigmoid" with the cross-entropy cost', output);
  if (cost === "quadratic" && output === "softmax") fail("cost", '"log-likelihood" with a softmax output', cost);
  activations.push(output);

  const initRaw = get("init");
  const init: Init = initRaw === undefined ? "scaled"
    : typeof initRaw === "string" && (INITS as readonly string[]).includes(initRaw) ? (initRaw as Init) : fail("init", INITS.join(", "), initRaw);
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
  return { sizes, activations, cost, init, seed, params, rng, optimizer };
}
