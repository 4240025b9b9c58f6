// A prepared data set: validated and converted once, then reused by every call —
// train, evaluate, feedforwardBatch, testData, NetworkWorker (sent to the worker once) and
// `nabla train` — none of which checks it again. It is immutable: it holds its own copies (or
// buffers moved to it with `transfer: true`) and hands them to no one, so skipping the
// check later is safe. Byte inputs (e.g. pixels) stay bytes and are widened to f32 in wasm as
// each batch is loaded (kernels.loadBytes): 60,000 MNIST images are 47 MB, not 188 MB.
import { toRows, tensorRows, tensorAt, finite32, type Rows, type Sample, type TensorData } from "./data.js";
import { DataError, OptionError, ShapeError, describe } from "./errors.js";
import { checkNumber, failWith } from "./check.js";
import { checkKeys } from "./options.js";

/** Byte inputs: rows of n_in bytes (Uint8Array), each multiplied by `scale` when loaded. */
export interface ByteData {
  readonly inputs: Uint8Array;
  readonly outputs?: Float32Array;
  readonly labels?: ArrayLike<number>;
}

export interface DatasetOptions {
  /** Inputs per sample: the network's n_in (sizes[0]). */
  inputs: number;
  /** Outputs per sample: the network's n_out (the last size); labels must be below it. */
  outputs: number;
  /** With Uint8Array inputs (required there): the factor each byte is multiplied by, e.g. 1/255. */
  scale?: number;
  /**
   * Move the typed arrays' buffers into the data set instead of copying them: no copy, and your
   * arrays become empty (detached). Default false. Buffers that cannot move (shared, or Node's
   * pooled small Buffers) are copied.
   */
  transfer?: boolean;
}

const rowsOf = new WeakMap<Dataset, Rows>();
/**
 * The method by which NetworkWorker's client gets a data set's wire form without importing
 * this module (the page-side client stays small): a registered symbol both sides know.
 */
export const WIRE: unique symbol = Symbol.for("nabla.dataset.wire") as never;
const WHERE = "dataset(data, options)";

/**
 * Training or test data checked and converted once: pass it wherever data goes (train,
 * evaluate, feedforwardBatch, testData, NetworkWorker, many times) and it is not checked again.
 * Make one with `dataset(data, { inputs, outputs })`.
 */
export class Dataset {
  // (Each field is set once, by adopt(), and frozen.)
  /** Number of samples. */
  declare readonly count: number;
  /** Inputs per sample (the network's n_in). */
  declare readonly inputSize: number;
  /** Outputs per sample (the network's n_out). */
  declare readonly outputSize: number;
  /** How inputs are stored: "float32", or "uint8" (each byte multiplied by `scale` when loaded). */
  declare readonly inputType: "float32" | "uint8";
  /** The factor of byte inputs (1 for float32 inputs). */
  declare readonly scale: number;
  /** Targets as class indices ("labels") or as rows of n_out ("outputs"). */
  declare readonly targets: "labels" | "outputs";
  /** Bytes the data set holds. */
  declare readonly byteLength: number;

  /** Same as `dataset(data, options)`. */
  constructor(data: readonly Sample[] | TensorData | ByteData, options: DatasetOptions) {
    adopt(this, prepare(data, options), options.inputs, options.outputs);
  }

  /** The data set as it crosses to a worker (NetworkWorker sends it once). */
  [WIRE](): WireDataset {
    return toWireDataset(this);
  }
}

/**
 * Checks and converts data once, for reuse across calls: samples (`{ input, output }` or
 * `[x, y]`), tensors (`{ inputs: Float32Array, outputs | labels }`), or bytes
 * (`{ inputs: Uint8Array, outputs | labels }` with `scale`, e.g. 1/255).
 *
 *     const train = dataset({ inputs: pixels, labels }, { inputs: 784, outputs: 10, scale: 1 / 255 });
 *     net.train(train, { epochs: 30 });   net.evaluate(test);
 */
export function dataset(data: readonly Sample[] | TensorData | ByteData, options: DatasetOptions): Dataset {
  return new Dataset(data, options);
}

function adopt(d: Dataset, rows: Rows, nIn: number, nOut: number): Dataset {
  Object.assign(d, {
    count: rows.count, inputSize: nIn, outputSize: nOut,
    inputType: rows.inputs instanceof Uint8Array ? "uint8" : "float32", scale: rows.scale,
    targets: rows.labels ? "labels" : "outputs",
    byteLength: rows.inputs!.byteLength + (rows.outputs?.byteLength ?? 0) + (rows.labels?.byteLength ?? 0),
  });
  rowsOf.set(d, rows);
  return Object.freeze(d);
}

/** The rows of a data set for a network with nIn inputs and nOut outputs (sizes checked, nothing else). */
export function datasetRows(d: Dataset, where: string, arg: string, nIn: number, nOut: number): Rows {
  const rows = rowsOf.get(d);
  if (!rows) throw new DataError(where, arg, "a data set made by dataset(data, options)", "an object that only looks like one");
  if (d.inputSize !== nIn || d.outputSize !== nOut) {
    throw new ShapeError(where, arg, `a data set of ${nIn} inputs and ${nOut} outputs per sample (the network's sizes)`,
      `one of ${d.inputSize} inputs and ${d.outputSize} outputs`);
  }
  return rows;
}

/** A copy of v, or v itself on a buffer moved here (transfer), so no one else holds it. */
function own<T extends Float32Array | Uint8Array>(v: T, transfer: boolean): T {
  if (transfer && v.buffer instanceof ArrayBuffer) {
    const { byteOffset, length } = v; // read before the move detaches v
    try {
      const moved = structuredClone(v.buffer, { transfer: [v.buffer] });
      return new (v.constructor as new (b: ArrayBuffer, o: number, n: number) => T)(moved, byteOffset, length);
    } catch { /* not transferable (e.g. Node's pooled Buffers): copied below */ }
  }
  return (v instanceof Uint8Array ? Uint8Array.from(v) : Float32Array.from(v)) as T;
}

function prepare(data: unknown, options: DatasetOptions): Rows {
  const o = checkKeys(WHERE, "options", options, ["inputs", "outputs", "scale", "transfer"]);
  // (options undefined: checkKeys gives {}, and options.inputs is refused below as undefined)
  const fail = failWith(OptionError, WHERE, "options.");
  const size = (k: string) => checkNumber(o[k], (x) => Number.isInteger(x) && x >= 1, k, "a positive integer (a layer size)", fail);
  const nIn = size("inputs"), nOut = size("outputs");
  if (o.transfer !== undefined && typeof o.transfer !== "boolean") fail("transfer", "true or false", describe(o.transfer));
  const transfer = o.transfer === true;
  const bytes = data !== null && typeof data === "object" && !Array.isArray(data) && (data as ByteData).inputs instanceof Uint8Array;
  if (bytes) {
    o.scale = checkNumber(o.scale, (x) => x > 0 && finite32(255 * x) && Math.fround(x) > 0, "scale",
      "a number > 0 (also as a float32) for Uint8Array inputs, e.g. 1/255", fail);
  } else if (o.scale !== undefined) fail("scale", "absent (it is for Uint8Array inputs only)", describe(o.scale));
  // Bytes are read as tensors are (the targets: labels copied as Int32Array and checked).
  const rows = bytes ? tensorRows(WHERE, "data", data as ByteData, nIn, nOut, "class", o.scale as number) : toRows(WHERE, "data", data, nIn, nOut);
  // Samples' rows are the caller's (or converted) vectors: gathered into one array of our own.
  // Tensors are the caller's arrays: copied (or moved).
  const mine = Array.isArray(data);
  let inputs: Float32Array | Uint8Array;
  if (rows.inputs) inputs = own(rows.inputs, transfer);
  else {
    const x = (inputs = new Float32Array(rows.count * nIn));
    rows.views!.x.forEach((v, i) => x.set(v, i * nIn));
  }
  const outputs = rows.outputs && !mine ? own(rows.outputs, transfer) : rows.outputs;
  // Once, here: every value finite (in float32; samples from plain arrays were checked as copied; bytes are).
  const bad = (v: Float32Array | Uint8Array, out: boolean, n: number) => {
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i])) throw new DataError(WHERE, rows.at(Math.floor(i / n), i % n, out), rows.expected, describe(v[i]));
    }
  };
  if (!bytes) bad(inputs, false, nIn);
  if (outputs) bad(outputs, true, nOut);
  return { ...rows, inputs, outputs, checked: true, views: undefined };
}

/** A data set as it crosses to a worker (structured clone keeps the typed arrays, not the class). */
export interface WireDataset {
  count: number;
  inputSize: number;
  outputSize: number;
  inputs: Float32Array | Uint8Array;
  scale: number;
  outputs: Float32Array | null;
  labels: Int32Array | null;
}

export function toWireDataset(d: Dataset): WireDataset {
  const r = rowsOf.get(d)!;
  return { count: r.count, inputSize: d.inputSize, outputSize: d.outputSize, inputs: r.inputs!, scale: r.scale, outputs: r.outputs, labels: r.labels };
}

/**
 * The data set again, on the worker's side: the values were checked when it was made, so only
 * the structure is checked here (a malformed message is an error, never a trap).
 */
export function fromWireDataset(where: string, w: unknown): Dataset {
  const v = w as WireDataset;
  const ok = v !== null && typeof v === "object" && Number.isSafeInteger(v.count) && v.count > 0 &&
    Number.isSafeInteger(v.inputSize) && v.inputSize > 0 && Number.isSafeInteger(v.outputSize) && v.outputSize > 0 &&
    (v.inputs instanceof Float32Array || v.inputs instanceof Uint8Array) && v.inputs.length === v.count * v.inputSize &&
    typeof v.scale === "number" && v.scale > 0 && Number.isFinite(v.scale) &&
    (v.outputs === null ? v.labels instanceof Int32Array && v.labels.length === v.count && v.labels.every((y) => y >= 0 && y < v.outputSize)
      : v.outputs instanceof Float32Array && v.outputs.length === v.count * v.outputSize && v.labels === null);
  if (!ok) throw new DataError(where, "data", "a data set as NetworkWorker sends it", describe(w));
  const rows: Rows = {
    count: v.count, inputs: v.inputs, scale: v.scale, outputs: v.outputs, labels: v.labels, checked: true, arg: "data",
    expected: "a finite number", at: tensorAt("data"),
  };
  return adopt(Object.create(Dataset.prototype) as Dataset, rows, v.inputSize, v.outputSize);
}
