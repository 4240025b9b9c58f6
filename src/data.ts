// Training and test data in the forms users bring, validated once per call (never per
// sample in the hot loop) and turned into flat rows. Float32Array inputs and outputs are not
// read here: their finiteness is checked in wasm as they are loaded into linear memory
// (src/batches.ts), at memory speed; numbers in plain arrays and other typed arrays are
// checked as they are copied. A prepared Dataset (src/dataset.ts) is checked once, when made.
import { DataError, ShapeError, describe } from "./errors.js";
import { guarded } from "./check.js";
import { Dataset, datasetRows } from "./dataset.js";
import { checkTargets, scalarTarget, type Task } from "./task.js";

/** A vector: number[] or any typed array. */
export type Vector = ArrayLike<number>;
/** One example: `{ input, output }` (mnist package, brain.js) or `[x, y]` (Nielsen). y may be a class index. */
export type Sample = { readonly input: Vector; readonly output: Vector | number } | readonly [Vector, Vector | number];
/** Zero-copy form: rows of n_in inputs and either rows of n_out outputs or one class index per row. */
export interface TensorData {
  readonly inputs: Float32Array;
  readonly outputs?: Float32Array;
  readonly labels?: ArrayLike<number>;
}
/** Training or test data: samples, tensors, or a prepared Dataset (src/dataset.ts: checked once, reused). */
export type Data = readonly Sample[] | TensorData | Dataset;

/** Validated data: `count` rows of `inputs`; targets as rows of `outputs` or as class `labels`. */
export interface Rows {
  readonly count: number;
  /**
   * count × n_in values: f32, or bytes multiplied by `scale` as they are loaded; null for
   * samples, whose rows are `views` (the caller's own Float32Arrays, not copied).
   */
  readonly inputs: Float32Array | Uint8Array | null;
  /** The factor of byte inputs (1 for f32 inputs). */
  readonly scale: number;
  readonly outputs: Float32Array | null;
  readonly labels: Int32Array | null;
  /**
   * Whether inputs and outputs are known finite (a Dataset, bytes, or after one full pass);
   * until then every batch is checked in wasm as it is loaded (src/batches.ts).
   */
  checked: boolean;
  /** The argument (e.g. "data") and how to name value k of row i of its inputs or outputs in an error. */
  readonly arg: string;
  readonly at: (i: number, k: number, output: boolean) => string;
  readonly expected: string;
  /** Per-row views, for copying shuffled rows without allocating (made on first use, kept by a Dataset). */
  views?: { x: (Float32Array | Uint8Array)[]; y: Float32Array[] | null };
  /** Byte inputs as 32-bit words, for copying shuffled rows 4 bytes at a time (made on first use). */
  words?: Uint32Array;
}

const FINITE = "a finite number";
export const FINITE32 = "a finite number (within the float32 range)";

/** An array or a typed array (not a DataView). */
export function isVector(v: unknown): v is Vector {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/** x is a number that stays finite as float32 (1e39 is finite in float64 but Infinity in float32). */
export const finite32 = (x: unknown): x is number => typeof x === "number" && Number.isFinite(Math.fround(x));

/**
 * Copies n values of v into out[at..], checking each as it is read (each element is read
 * exactly once, so a getter cannot pass the check and then hand over something else); value k
 * is `${name}[${k}]` in an error.
 */
export function copyFinite(where: string, name: string, v: ArrayLike<unknown>, n: number, out: Float32Array, at: number): void {
  for (let k = 0; k < n; k++) {
    const x = v[k];
    if (!finite32(x)) throw new DataError(where, `${name}[${k}]`, FINITE32, describe(x));
    out[at + k] = x;
  }
}

/**
 * An input vector of n values (`name` in errors): a Float32Array as it is (checked in wasm as
 * it is loaded), any other vector copied and checked.
 */
export function inputVector(where: string, name: string, x: unknown, n: number): Float32Array {
  if (!isVector(x) || x.length !== n) throw new ShapeError(where, name, `a vector of length ${n} (the network's input size)`, describe(x));
  if (x instanceof Float32Array) return x;
  const out = new Float32Array(n);
  copyFinite(where, name, x, n, out, 0);
  return out;
}

function checkLabel(where: string, arg: string, y: unknown, nOut: number, row: number, field: string): number {
  if (typeof y !== "number" || !Number.isInteger(y) || y < 0 || y >= nOut) {
    throw new DataError(where, `${arg}[${row}]${field}`, `a class index, an integer from 0 to ${nOut - 1}`, describe(y));
  }
  return y;
}

/** Largest number of float32 values one call's data may hold (2^31: 8 GiB). */
export const MAX_DATA_VALUES = 2 ** 31;

/**
 * Validates data for a network with nIn inputs and nOut outputs; `arg` names it in errors (e.g.
 * "data"). The task (src/task.ts) says how a number given as a target is read — a class index
 * (classification, multi-label) or the value of the one output (binary, regression) — and which
 * target values are in range (binary: [0, 1]; multi-label: 0 or 1).
 */
export function toRows(where: string, arg: string, data: unknown, nIn: number, nOut: number, task: Task = "classification"): Rows {
  const rows = anyRows(where, arg, data, nIn, nOut, scalarTarget(task));
  if (rows.outputs) checkTargets(where, arg, task, rows.outputs, nOut);
  return rows;
}

function anyRows(where: string, arg: string, data: unknown, nIn: number, nOut: number, scalar: "class" | "value"): Rows {
  if (data instanceof Dataset) return datasetRows(data, where, arg, nIn, nOut);
  let at = -1;
  // A getter or Proxy trap in the caller's data threw, or the engine refused an allocation.
  return guarded(() => rowsOf(where, arg, data, nIn, nOut, scalar, (i) => { at = i; }),
    (what) => new DataError(where, at >= 0 ? `${arg}[${at}]` : arg, "readable data (plain arrays, typed arrays or objects)", `a value whose reading failed (${what})`));
}

function rowsOf(where: string, arg: string, data: unknown, nIn: number, nOut: number, scalar: "class" | "value",
                reading: (i: number) => void): Rows {
  if (data === null || typeof data !== "object") {
    throw new DataError(where, arg, "an array of { input, output } or [x, y] samples, or { inputs: Float32Array, outputs | labels }", describe(data));
  }
  if (!Array.isArray(data)) return tensorRows(where, arg, data as TensorData, nIn, nOut, scalar);
  const count = data.length;
  if (count === 0) throw new DataError(where, arg, "a non-empty array of samples", "an empty array");
  if (count * Math.max(nIn, nOut) > MAX_DATA_VALUES) {
    throw new DataError(where, arg, `at most ${MAX_DATA_VALUES} values per call (split the data)`, `${count} samples of ${Math.max(nIn, nOut)} values`);
  }
  // Float32Array rows are used as they are (no copy: a fresh 25 MB copy per call costs more
  // than an epoch) and checked in wasm as they are loaded; other vectors are copied value by
  // value here (each read once: a getter cannot pass, then change).
  // Holes first, before allocating anything proportional to the length a sparse array claims
  // (new Array(5e8) with one sample would otherwise cost gigabytes before its first hole is met).
  // `in` reads no element, so each sample is still read exactly once, below.
  for (let i = 0; i < count; i++) {
    if (!(i in data)) throw new DataError(where, `${arg}[${i}]`, "a sample { input, output } or a pair [x, y]", "undefined (a hole in a sparse array)");
  }
  const xs: Float32Array[] = new Array(count);
  let outputs: Float32Array | null = null, labels: Int32Array | null = null;
  reading(0);
  const pair = Array.isArray(data[0]);
  const inField = pair ? "[0]" : ".input", outField = pair ? "[1]" : ".output";
  for (let i = 0; i < count; i++) {
    reading(i);
    const s = data[i] as unknown;
    let x: unknown, y: unknown;
    if (Array.isArray(s) && s.length === 2) [x, y] = s;
    else if (s !== null && typeof s === "object" && "input" in s) ({ input: x, output: y } = s as { input: unknown; output: unknown });
    else throw new DataError(where, `${arg}[${i}]`, "a sample { input, output } or a pair [x, y]", describe(s));
    xs[i] = inputVector(where, `${arg}[${i}]${inField}`, x, nIn);
    if (typeof y === "number" && scalar === "value") {
      // binary / regression: the number is the one output's target value
      if (nOut !== 1) throw new ShapeError(where, `${arg}[${i}]${outField}`, `a vector of length ${nOut} (the network's output size)`, describe(y));
      if (!finite32(y)) throw new DataError(where, `${arg}[${i}]${outField}`, FINITE32, describe(y));
      outputs ??= new Float32Array(count);
      outputs[i] = y;
    } else if (typeof y === "number") {
      if (outputs) throw new DataError(where, `${arg}[${i}]${outField}`, "a vector like the samples before it", describe(y));
      labels ??= new Int32Array(count);
      labels[i] = checkLabel(where, arg, y, nOut, i, outField);
    } else {
      if (labels) throw new DataError(where, `${arg}[${i}]${outField}`, "a class index like the samples before it", describe(y));
      if (!isVector(y) || y.length !== nOut) {
        throw new ShapeError(where, `${arg}[${i}]${outField}`, `a vector of length ${nOut} (the network's output size) or a class index`, describe(y));
      }
      outputs ??= new Float32Array(count * nOut);
      if (y instanceof Float32Array) outputs.set(y, i * nOut);
      else copyFinite(where, `${arg}[${i}]${outField}`, y, nOut, outputs, i * nOut);
    }
  }
  return {
    count, inputs: null, views: { x: xs, y: null }, scale: 1, outputs, labels, checked: false, arg, expected: FINITE32,
    at: (i, k, output) => `${arg}[${i}]${output ? outField : inField}[${k}]`,
  };
}

/** How value k of row i of tensor data is named in an error: `data.inputs[3][7]`. */
export const tensorAt = (arg: string) => (i: number, k: number, output: boolean) => `${arg}.${output ? "outputs" : "inputs"}[${i}][${k}]`;

/**
 * Tensor data: rows of nIn Float32 inputs, or with `scale` (a dataset's byte inputs) of nIn
 * bytes, each multiplied by `scale` when loaded; targets as targetRows reads them.
 */
export function tensorRows(where: string, arg: string, d: { inputs: unknown; outputs?: unknown; labels?: unknown }, nIn: number, nOut: number,
                           scalar: "class" | "value", scale = 0): Rows {
  const { inputs } = d, type = scale ? "Uint8Array" : "Float32Array";
  if (!(inputs instanceof (scale ? Uint8Array : Float32Array))) {
    throw new DataError(where, `${arg}.inputs`, `a Float32Array of rows of ${nIn} (or an array of samples)`, describe(inputs));
  }
  if (inputs.length === 0 || inputs.length % nIn !== 0) {
    throw new ShapeError(where, `${arg}.inputs`, `a non-empty ${type} whose length is a multiple of ${nIn}`, `length ${inputs.length}`);
  }
  const count = inputs.length / nIn;
  // Finiteness of inputs and outputs: checked in wasm as they are loaded (src/batches.ts).
  return { count, inputs, scale: scale || 1, checked: false, arg, expected: FINITE, at: tensorAt(arg), ...targetRows(where, arg, d, count, nOut, scalar) };
}

/** The targets of tensor data ({ outputs } or { labels }) for count rows: shapes checked, labels copied and checked. */
export function targetRows(where: string, arg: string, d: { outputs?: unknown; labels?: unknown }, count: number, nOut: number,
                           scalar: "class" | "value" = "class"): { outputs: Float32Array | null; labels: Int32Array | null } {
  const { outputs, labels } = d;
  if (outputs !== undefined && labels !== undefined) {
    throw new DataError(where, arg, "{ inputs, outputs } or { inputs, labels }: outputs or labels, not both",
      "both (which one is meant is ambiguous)");
  }
  if (outputs !== undefined) {
    if (!(outputs instanceof Float32Array) || outputs.length !== count * nOut) {
      throw new ShapeError(where, `${arg}.outputs`, `a Float32Array of length ${count * nOut} (${count} rows of ${nOut})`, describe(outputs));
    }
    return { outputs, labels: null };
  }
  if (labels === undefined || !isVector(labels) || labels.length !== count) {
    throw new ShapeError(where, `${arg}.outputs or ${arg}.labels`, `a Float32Array of ${count}×${nOut} outputs or ${count} class labels`, describe(labels));
  }
  if (scalar === "value" && nOut === 1) {
    // binary / regression: each label is the one output's target value
    const values = new Float32Array(count);
    copyFinite(where, `${arg}.labels`, labels, count, values, 0);
    return { outputs: values, labels: null };
  }
  const ints = new Int32Array(count);
  for (let i = 0; i < count; i++) ints[i] = checkLabel(where, `${arg}.labels`, labels[i], nOut, i, "");
  return { outputs: null, labels: ints };
}

export { argmax } from "./metrics.js";
