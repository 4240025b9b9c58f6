// Reading a saved model: nabla's own JSON and Nielsen's network2.py `save` format.
// The JSON is untrusted: types, shapes, finiteness and the total size are checked
// before anything is allocated; only known keys are read (no merging, so keys like
// "__proto__" have no effect); nothing is evaluated.
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

export function parseModel(where: string, input: unknown): ParsedModel {
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

  const sizesRaw = get("sizes");
  if (!Array.isArray(sizesRaw) || sizesRaw.length < 2 || sizesRaw.length > 1000) fail("sizes", "an array of 2 to 1000 layer sizes", sizesRaw);
  const sizes = (sizesRaw as unknown[]).map((n, l) =>
    typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 2 ** 28 ? n : fail(`sizes[${l}]`, "a positive integer ≤ 2^28", n));
  const L = sizes.length - 1;
  // Refuse an oversized model before allocating anything.
  const need = plan(sizes, 0, 1).end;
  if (need > MAX_BYTES) {
    throw new ModelFormatError(where, "json.sizes", "a network that fits in 4 GiB of WebAssembly memory",
      `${JSON.stringify(sizes.length > 8 ? sizes.slice(0, 8).concat(["…" as never]) : sizes)}, which would need ${(need / 2 ** 30).toFixed(1)} GiB (${parameterCount(sizes)} parameters)`);
  }

  const nabla = get("format") === "nabla";
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
    a.forEach((x, i) => activations.push(act(x, `activation[${i}]`)));
  } else {
    const h = a === undefined ? "sigmoid" : act(a, "activation");
    for (let l = 0; l < L - 1; l++) activations.push(h);
  }
  const out = get("output");
  activations.push(out === undefined ? (cost === "log-likelihood" ? "softmax" : "sigmoid") : act(out, "output"));

  const initRaw = get("init");
  const init: Init = initRaw === undefined ? (nabla ? "scaled" : "scaled")
    : typeof initRaw === "string" && (INITS as readonly string[]).includes(initRaw) ? (initRaw as Init) : fail("init", INITS.join(", "), initRaw);
  const seedRaw = get("seed");
  const seed = seedRaw === undefined ? undefined
    : typeof seedRaw === "number" && Number.isInteger(seedRaw) && seedRaw >= 0 && seedRaw < 2 ** 32 ? seedRaw : fail("seed", "an integer from 0 to 2^32 − 1", seedRaw);

  // Weights: L matrices (sizes[l+1] × sizes[l]); biases: L vectors, plain or as Nielsen's column vectors [[b], ...].
  const count = parameterCount(sizes);
  const params = new Float32Array(count);
  let wLen = 0;
  for (let l = 0; l < L; l++) wLen += sizes[l + 1] * sizes[l];
  const W = get("weights"), B = get("biases");
  if (!Array.isArray(W) || W.length !== L) fail("weights", `an array of ${L} weight matrices`, W);
  if (!Array.isArray(B) || B.length !== L) fail("biases", `an array of ${L} bias vectors`, B);
  let p = 0, q = wLen;
  for (let l = 0; l < L; l++) {
    const rows = (W as unknown[])[l], nOut = sizes[l + 1], nIn = sizes[l];
    if (!Array.isArray(rows) || rows.length !== nOut) fail(`weights[${l}]`, `an array of ${nOut} rows (sizes[${l + 1}])`, rows);
    for (let r = 0; r < nOut; r++) {
      const row = (rows as unknown[])[r];
      if (!Array.isArray(row) || row.length !== nIn) fail(`weights[${l}][${r}]`, `an array of ${nIn} numbers (sizes[${l}])`, row);
      for (let k = 0; k < nIn; k++) {
        const x = (row as unknown[])[k];
        if (typeof x !== "number" || !Number.isFinite(x)) fail(`weights[${l}][${r}][${k}]`, "a finite number", x);
        params[p++] = x as number;
      }
    }
    const bs = (B as unknown[])[l];
    if (!Array.isArray(bs) || bs.length !== nOut) fail(`biases[${l}]`, `an array of ${nOut} numbers (sizes[${l + 1}])`, bs);
    for (let r = 0; r < nOut; r++) {
      let x = (bs as unknown[])[r];
      if (Array.isArray(x) && x.length === 1) x = x[0]; // network2.py stores biases as column vectors
      if (typeof x !== "number" || !Number.isFinite(x)) fail(`biases[${l}][${r}]`, "a finite number", x);
      params[q++] = x as number;
    }
  }

  const rngRaw = get("rng");
  let rng: number[] | undefined;
  if (rngRaw !== undefined) {
    if (!Array.isArray(rngRaw) || rngRaw.length !== 4 || !rngRaw.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32) || rngRaw.every((x) => x === 0)) {
      fail("rng", "4 unsigned 32-bit integers, not all 0", rngRaw);
    }
    rng = rngRaw as number[];
  }

  let optimizer: ParsedModel["optimizer"];
  const optRaw = get("optimizer");
  if (optRaw !== undefined) {
    if (optRaw === null || typeof optRaw !== "object") fail("optimizer", "{ name, t, state1, state2? }", optRaw);
    const o = optRaw as Record<string, unknown>;
    const name = has(o, "name") ? o.name : undefined;
    if (name !== "sgd" && name !== "momentum" && name !== "adam") fail("optimizer.name", '"sgd", "momentum" or "adam"', name);
    const t = has(o, "t") ? o.t : 0;
    if (typeof t !== "number" || !Number.isInteger(t) || t < 0) fail("optimizer.t", "a non-negative integer", t);
    const vec = (k: string): Float32Array => {
      const v = has(o, k) ? o[k] : undefined;
      if (!Array.isArray(v) || v.length !== count) fail(`optimizer.${k}`, `an array of ${count} numbers (one per parameter)`, v);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        const x = (v as unknown[])[i];
        if (typeof x !== "number" || !Number.isFinite(x)) fail(`optimizer.${k}[${i}]`, "a finite number", x);
        out[i] = x as number;
      }
      return out;
    };
    optimizer = name === "sgd" ? undefined
      : { name: name as Optimizer["name"], t: t as number, state1: vec("state1"), state2: name === "adam" ? vec("state2") : null };
  }
  return { sizes, activations, cost, init, seed, params, rng, optimizer };
}
