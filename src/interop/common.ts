// What the exporters read from a network and what the importers hand back: flat float32
// layers, the activations, the cost and the optional preprocessing (x' = (x − mean) / std).
import { Network } from "../network.js";
import { ModelFormatError, NablaError, describe } from "../errors.js";
import { finite32 } from "../data.js";
import { plan, parameterCount, MAX_BYTES } from "../arena.js";
import { MAX_LAYERS, parseModel } from "../serialize.js";
import type { NetworkJSON } from "../serialize.js";
import type { Activation, BackendName, Cost } from "../kernels.js";
import type { BackendOption } from "../wasm.js";

/** nabla's leaky-ReLU slope for z < 0 (src/baseline/activations.ts, assembly/activations.ts): 0.01 as float32. */
export const LEAKY_ALPHA = Math.fround(0.01);

/** The network's input standardization, as in the model JSON's `preprocessing` field. */
export interface Preprocessing {
  mean: number[];
  std: number[];
}

/** One weight layer: w row-major (nOut, nIn) as nabla stores it, b (nOut). */
export interface Layer {
  nIn: number;
  nOut: number;
  w: Float32Array;
  b: Float32Array;
  activation: Activation;
}

export interface Model {
  layers: Layer[];
  cost: Cost;
  preprocessing: { mean: Float32Array; std: Float32Array } | null;
}

/** A network as the importers return it: what `Network.fromJSON` reads (no seed, generator or optimizer state). */
export type ImportedJSON = Omit<NetworkJSON, "seed" | "rng" | "init" | "optimizer"> & { preprocessing?: Preprocessing };

/** Options of fromONNX / fromTfjs: those of Network.fromJSON. */
export interface ImportOptions {
  backend?: BackendOption | BackendName;
  seed?: number;
}

/**
 * The layers of a Network or of model JSON (checked by the model parser of Network.fromJSON,
 * src/serialize.ts, with its errors: no network is made, so no backend needs to be loaded).
 */
export function readModel(where: string, model: Network | NetworkJSON | string): Model {
  let parsed: unknown = model;
  if (model instanceof Network) parsed = model.toJSON();
  else if (typeof model === "string") {
    try { parsed = JSON.parse(model); } catch (e) {
      throw new ModelFormatError(where, "model", "a Network, model JSON or its text", `text that does not parse (${(e as Error).message})`);
    }
  }
  const m = parseModel("Network.fromJSON(json, options)", parsed);
  const p = plan(m.sizes, 0, 1); // params at offset 0: weights, then biases, each layer row-major
  const layers: Layer[] = p.w.map((at, l) => {
    const nIn = m.sizes[l], nOut = m.sizes[l + 1];
    return { nIn, nOut, w: m.params.slice(at >>> 2, (at >>> 2) + nIn * nOut), b: m.params.slice(p.b[l] >>> 2, (p.b[l] >>> 2) + nOut),
      activation: m.activations[l] };
  });
  return { layers, cost: m.cost, preprocessing: m.preprocessing };
}

/**
 * Runs an importer so that any failure is a ModelFormatError: a throwing getter or Proxy in a
 * caller-built object, or an engine limit, still gets a typed error naming the input.
 */
export function guarded<T>(where: string, arg: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof NablaError) throw e;
    throw new ModelFormatError(where, arg, "a model that can be read", `one that failed while reading (${e instanceof Error ? `${e.name}: ${e.message}` : describe(e)})`);
  }
}

/** Checks { mean, std } (each n numbers, finite float32, std > 0) and returns them as float32. */
export function checkPreprocessing(where: string, arg: string, v: unknown, n: number): { mean: Float32Array; std: Float32Array } {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new ModelFormatError(where, arg, "{ mean, std }", describe(v));
  const o = v as Record<string, unknown>;
  const vec = (k: "mean" | "std"): Float32Array => {
    const a = o[k];
    if (!Array.isArray(a) && !(a instanceof Float32Array)) throw new ModelFormatError(where, `${arg}.${k}`, `an array of ${n} numbers (the input size)`, describe(a));
    if (a.length !== n) throw new ModelFormatError(where, `${arg}.${k}`, `an array of ${n} numbers (the input size)`, describe(a));
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const x = a[i];
      if (!finite32(x) || (k === "std" && !(Math.fround(x) > 0))) {
        throw new ModelFormatError(where, `${arg}.${k}[${i}]`, k === "std" ? "a positive finite number" : "a finite number (within the float32 range)", describe(x));
      }
      out[i] = x;
    }
    return out;
  };
  return { mean: vec("mean"), std: vec("std") };
}

/** Refuses layer sizes that nabla could not hold, before any weight is read. */
export function checkSizes(where: string, arg: string, sizes: number[]): void {
  if (sizes.length - 1 > MAX_LAYERS) throw new ModelFormatError(where, arg, `at most ${MAX_LAYERS} layers`, `${sizes.length - 1}`);
  if (plan(sizes, 1024, 1).end > MAX_BYTES) {
    throw new ModelFormatError(where, arg, "a network that fits in 4 GiB of WebAssembly memory", `layers [${sizes.slice(0, 8).join(", ")}${sizes.length > 8 ? ", …" : ""}] (${parameterCount(sizes)} parameters)`);
  }
}

/** The cost an imported network trains with: `given` when it suits the output, else softmax → log-likelihood, otherwise quadratic. */
export function costFor(output: Activation, given: unknown): Cost {
  if (given === "log-likelihood" && output === "softmax") return given;
  if (given === "cross-entropy" && output === "sigmoid") return given;
  if (given === "quadratic" && output !== "softmax") return given;
  return output === "softmax" ? "log-likelihood" : "quadratic";
}

/** The model JSON of imported layers. */
export function toJSON(m: Model): ImportedJSON {
  const sizes = [m.layers[0].nIn, ...m.layers.map((l) => l.nOut)];
  const hidden = m.layers.slice(0, -1).map((l) => l.activation);
  const json: ImportedJSON = {
    format: "nabla",
    version: 1,
    sizes,
    activation: hidden.length > 0 && hidden.every((a) => a === hidden[0]) ? hidden[0] : hidden,
    output: m.layers[m.layers.length - 1].activation,
    cost: m.cost,
    weights: m.layers.map((l) => {
      const rows: number[][] = new Array(l.nOut);
      for (let j = 0; j < l.nOut; j++) rows[j] = Array.from(l.w.subarray(j * l.nIn, (j + 1) * l.nIn));
      return rows;
    }),
    biases: m.layers.map((l) => Array.from(l.b)),
  };
  if (m.preprocessing) json.preprocessing = { mean: Array.from(m.preprocessing.mean), std: Array.from(m.preprocessing.std) };
  return json;
}

/** A Network from imported model JSON; its preprocessing, if any, is applied by the network (Network.fromJSON reads it). */
export function toNetwork(json: ImportedJSON, options: ImportOptions): Network {
  return Network.fromJSON(json, options as Parameters<typeof Network.fromJSON>[1]);
}
