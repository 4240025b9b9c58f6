// Training and test data in the forms users bring, validated once per call (never per
// sample in the hot loop) and turned into flat Float32Array rows.
import { DataError, NablaError, ShapeError, describe } from "./errors.js";

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
export type Data = readonly Sample[] | TensorData;

/** Validated data: `count` rows of `inputs`; targets as rows of `outputs` or as class `labels`. */
export interface Rows {
  readonly count: number;
  readonly inputs: Float32Array;
  readonly outputs: Float32Array | null;
  readonly labels: Int32Array | null;
}

function isVector(v: unknown): v is Vector {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/** x is a number that stays finite as float32 (1e39 is finite in float64 but Infinity in float32). */
export const finite32 = (x: unknown): x is number => typeof x === "number" && Number.isFinite(Math.fround(x));

/**
 * Copies n values of v into out[at..], checking each as it is read (each element is read
 * exactly once, so a getter cannot pass the check and then hand over something else).
 */
function copyFinite(where: string, arg: string, v: ArrayLike<number>, n: number, out: Float32Array, at: number, row: number, field: string): void {
  for (let k = 0; k < n; k++) {
    const x = v[k];
    if (!finite32(x)) {
      throw new DataError(where, `${arg}[${row}]${field}[${k}]`, "a finite number (within the float32 range)", describe(x));
    }
    out[at + k] = x;
  }
}

function checkLabel(where: string, arg: string, y: unknown, nOut: number, row: number, field: string): number {
  if (typeof y !== "number" || !Number.isInteger(y) || y < 0 || y >= nOut) {
    throw new DataError(where, `${arg}[${row}]${field}`, `a class index, an integer from 0 to ${nOut - 1}`, describe(y));
  }
  return y;
}

/** Largest number of float32 values one call's data may hold (2^31: 8 GiB). */
export const MAX_DATA_VALUES = 2 ** 31;

/** Validates data for a network with nIn inputs and nOut outputs; `arg` names it in errors (e.g. "data"). */
export function toRows(where: string, arg: string, data: unknown, nIn: number, nOut: number): Rows {
  let at = -1;
  try {
    return rowsOf(where, arg, data, nIn, nOut, (i) => { at = i; });
  } catch (e) {
    if (e instanceof NablaError) throw e;
    // A getter or Proxy trap in the caller's data threw, or the engine refused an allocation.
    throw new DataError(where, at >= 0 ? `${arg}[${at}]` : arg, "readable data (plain arrays, typed arrays or objects)",
      `a value whose reading failed (${e instanceof Error ? `${e.name}: ${e.message}` : describe(e)})`);
  }
}

function rowsOf(where: string, arg: string, data: unknown, nIn: number, nOut: number, reading: (i: number) => void): Rows {
  if (data === null || typeof data !== "object") {
    throw new DataError(where, arg, "an array of { input, output } or [x, y] samples, or { inputs: Float32Array, outputs | labels }", describe(data));
  }
  if (!Array.isArray(data)) return tensorRows(where, arg, data as TensorData, nIn, nOut);
  const count = data.length;
  if (count === 0) throw new DataError(where, arg, "a non-empty array of samples", "an empty array");
  if (count * Math.max(nIn, nOut) > MAX_DATA_VALUES) {
    throw new DataError(where, arg, `at most ${MAX_DATA_VALUES} values per call (split the data)`,
      `${count} samples of ${nIn} inputs (${((count * (nIn + nOut) * 4) / 2 ** 30).toFixed(1)} GiB as float32)`);
  }
  const inputs = new Float32Array(count * nIn);
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
    if (!isVector(x) || x.length !== nIn) {
      throw new ShapeError(where, `${arg}[${i}]${inField}`, `a vector of length ${nIn} (the network's input size)`, describe(x));
    }
    copyFinite(where, arg, x, nIn, inputs, i * nIn, i, inField);
    if (typeof y === "number") {
      if (outputs) throw new DataError(where, `${arg}[${i}]${outField}`, "a vector like the samples before it", describe(y));
      labels ??= new Int32Array(count);
      labels[i] = checkLabel(where, arg, y, nOut, i, outField);
    } else {
      if (labels) throw new DataError(where, `${arg}[${i}]${outField}`, "a class index like the samples before it", describe(y));
      if (!isVector(y) || y.length !== nOut) {
        throw new ShapeError(where, `${arg}[${i}]${outField}`, `a vector of length ${nOut} (the network's output size) or a class index`, describe(y));
      }
      outputs ??= new Float32Array(count * nOut);
      copyFinite(where, arg, y, nOut, outputs, i * nOut, i, outField);
    }
  }
  return { count, inputs, outputs, labels };
}

function tensorRows(where: string, arg: string, d: TensorData, nIn: number, nOut: number): Rows {
  const { inputs, outputs, labels } = d;
  if (!(inputs instanceof Float32Array)) {
    throw new DataError(where, `${arg}.inputs`, `a Float32Array of rows of ${nIn} (or an array of samples)`, describe(inputs));
  }
  if (inputs.length === 0 || inputs.length % nIn !== 0) {
    throw new ShapeError(where, `${arg}.inputs`, `a non-empty Float32Array whose length is a multiple of ${nIn}`, `length ${inputs.length}`);
  }
  const count = inputs.length / nIn;
  for (let i = 0; i < inputs.length; i++) {
    if (!Number.isFinite(inputs[i])) {
      throw new DataError(where, `${arg}.inputs[${Math.floor(i / nIn)}][${i % nIn}]`, "a finite number", describe(inputs[i]));
    }
  }
  if (outputs !== undefined) {
    if (!(outputs instanceof Float32Array) || outputs.length !== count * nOut) {
      throw new ShapeError(where, `${arg}.outputs`, `a Float32Array of length ${count * nOut} (${count} rows of ${nOut})`, describe(outputs));
    }
    for (let i = 0; i < outputs.length; i++) {
      if (!Number.isFinite(outputs[i])) {
        throw new DataError(where, `${arg}.outputs[${Math.floor(i / nOut)}][${i % nOut}]`, "a finite number", describe(outputs[i]));
      }
    }
    return { count, inputs, outputs, labels: null };
  }
  if (labels === undefined || !isVector(labels) || labels.length !== count) {
    throw new ShapeError(where, `${arg}.outputs or ${arg}.labels`, `a Float32Array of ${count}×${nOut} outputs or ${count} class labels`, describe(labels));
  }
  const ints = new Int32Array(count);
  for (let i = 0; i < count; i++) ints[i] = checkLabel(where, `${arg}.labels`, labels[i], nOut, i, "");
  return { count, inputs, outputs: null, labels: ints };
}

/** Index of the largest of n values at F[p..p+n). */
export function argmax(F: ArrayLike<number>, p: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (F[p + j] > F[p + best]) best = j;
  return best;
}
