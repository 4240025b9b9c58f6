// Batches in and out of linear memory: loading rows into a^0 and y (widening byte inputs and
// checking unchecked floats in wasm on the way), and evaluation over all rows in chunks.
import type { Arena } from "./arena.js";
import type { Rows } from "./data.js";
import type { Task } from "./task.js";
import { MetricAccumulator, type Metrics } from "./metrics.js";
import { DataError, describe } from "./errors.js";
import { forward, cost } from "./passes.js";
import { applyPreprocessing } from "./preprocessing.js";

/** Samples per forward call in evaluate / feedforwardBatch. */
export const CHUNK = 256;

/** What evaluate() reports: the metrics of the network's task (src/metrics.ts). */
export interface Evaluation {
  task: Task;
  /** Samples evaluated. */
  total: number;
  /** Mean cost per sample (without the regularization term). */
  cost: number;
  /** Classification tasks: samples classified right (multi-label: samples with every label right). */
  correct?: number;
  /** Classification tasks: correct / total; multi-label: share of (sample, label) pairs right. */
  accuracy?: number;
  /** Multi-label: share of samples with every label right. */
  exactMatch?: number;
  /** Regression: mean squared error, mean absolute error (over samples and outputs), r2 (averaged over outputs). */
  mse?: number;
  mae?: number;
  r2?: number;
}

/** The public form of a task's metrics (without the internal chance and saturation figures). */
export function evaluation(task: Task, r: Metrics): Evaluation {
  const { chance, saturated, ...e } = r; // (the task's metrics are what the accumulator gave it)
  return { task, ...e };
}

/** One view per row of inputs (and outputs), for copying shuffled rows without allocating; kept on the rows. */
function views(rows: Rows, nIn: number, nOut: number): NonNullable<Rows["views"]> {
  if (rows.views && (rows.views.y || !rows.outputs)) return rows.views;
  let x = rows.views?.x;
  if (!x) {
    x = new Array(rows.count);
    for (let i = 0; i < rows.count; i++) x[i] = rows.inputs!.subarray(i * nIn, (i + 1) * nIn);
  }
  let y: Float32Array[] | null = null;
  if (rows.outputs) {
    y = new Array(rows.count);
    for (let i = 0; i < rows.count; i++) y[i] = rows.outputs.subarray(i * nOut, (i + 1) * nOut);
  }
  return (rows.views = { x, y });
}

/**
 * Copies rows idx[start .. start+m) (rows start .. start+m without idx) into a^0 and y
 * (one-hot for class labels), widening byte inputs with kernels.loadBytes. Rows not yet known
 * finite are checked in wasm once in place (kernels.allFinite): a DataError names the first
 * bad value. A buffer detached since the data was checked is a DataError too. `at`: the batch
 * row the first one lands in (feedforwardBatch with threads loads one chunk while the last runs).
 * `check` false leaves the inputs' check to the caller (feedforwardBatch with threads: the
 * forward tasks check their own rows; a chunk in which one found a bad value is loaded again
 * with `check`, which throws the error).
 */
export function load(n: Arena, where: string, rows: Rows, idx: Uint32Array | null, start: number, m: number, at = 0, check = true): void {
  const { k, plan: p, sizes } = n, nIn = sizes[0], nOut = sizes[sizes.length - 1];
  const { inputs, outputs, labels } = rows;
  if ((inputs && inputs.length === 0) || (outputs && outputs.length === 0)) throw detached(where, rows.arg);
  const bytes = inputs instanceof Uint8Array;
  const F = n.F, x0 = (p.a[0] >>> 2) + at * nIn, y0 = (p.y >>> 2) + at * nOut;
  const X = bytes ? n.U8 : F, xAt = bytes ? p.bytes + at * nIn : x0;
  // Typed array set() between arrays of one type is a memcpy: one per batch in order, one per row when shuffled.
  if (!idx && inputs) {
    X.set(inputs.subarray(start * nIn, (start + m) * nIn), xAt);
    if (outputs) F.set(outputs.subarray(start * nOut, (start + m) * nOut), y0);
  } else if (bytes && idx) {
    // Shuffled byte rows are copied by a loop, not through per-row views: a view per row of a
    // 60,000-image set would cost more memory (~6 MB) than a batch copy costs time. Whole 32-bit
    // words when rows allow it (n_in % 4 = 0, aligned: MNIST's 784).
    const words = nIn % 4 === 0 && inputs.byteOffset % 4 === 0;
    const S = words ? (rows.words ??= new Uint32Array(inputs.buffer, inputs.byteOffset, inputs.length >>> 2)) : inputs!;
    const D = words ? n.U32 : n.U8, w = words ? nIn >>> 2 : nIn;
    for (let r = 0, d = words ? p.bytes >>> 2 : p.bytes; r < m; r++, d += w) {
      for (let j = 0, s = idx[start + r] * w; j < w; j++) D[d + j] = S[s + j];
    }
  } else {
    const { x, y } = views(rows, nIn, nOut);
    for (let r = 0; r < m; r++) {
      const i = idx ? idx[start + r] : start + r, xi = x[i];
      if (xi.length !== nIn) throw detached(where, `${rows.arg}[${i}]`); // a caller's row, detached since it was checked
      X.set(xi, xAt + r * nIn);
      if (y) F.set(y[i], y0 + r * nOut);
    }
  }
  if (bytes) k.loadBytes(4 * x0, xAt, m * nIn, rows.scale);
  if (n.pre) applyPreprocessing(F, x0, m, nIn, n.pre);
  if (labels) {
    F.fill(0, y0, y0 + m * nOut);
    for (let r = 0; r < m; r++) F[y0 + r * nOut + labels[idx ? idx[start + r] : start + r]] = 1;
  }
  if (!rows.checked) {
    if (check && !k.allFinite(4 * x0, m * nIn)) throw notFinite(where, rows, F, x0, nIn, idx, start, m, false);
    if (outputs && !k.allFinite(4 * y0, m * nOut)) throw notFinite(where, rows, F, y0, nOut, idx, start, m, true);
  }
}

function detached(where: string, arg: string): DataError {
  return new DataError(where, arg, "data whose buffers stay attached during the call", "a detached buffer (transferred or resized during the call)");
}

function notFinite(where: string, rows: Rows, F: Float32Array, at: number, n: number, idx: Uint32Array | null,
                   start: number, m: number, output: boolean): DataError {
  const bad = F.subarray(at, at + m * n).findIndex((v) => !Number.isFinite(v));
  const r = Math.floor(bad / n), row = idx ? idx[start + r] : start + r;
  return new DataError(where, rows.at(row, bad % n, output), rows.expected, describe(F[at + bad]));
}

/**
 * The task's metrics and mean cost over all rows, in chunks of CHUNK: the cost is summed per
 * chunk, so the chunks do not depend on what the batch buffers grew to (a training batch size, a
 * feedforwardBatch with threads) — the same rows give the same figures whatever ran before.
 * Targets are read from y as loaded (class labels become one-hot rows there).
 */
export function evaluateRows(n: Arena, where: string, rows: Rows, task: Task): Metrics {
  const chunk = Math.min(rows.count, CHUNK);
  n.ensure(where, chunk);
  const L = n.sizes.length - 1, acc = new MetricAccumulator(task, n.sizes[L]);
  for (let start = 0; start < rows.count; start += chunk) {
    const m = Math.min(chunk, rows.count - start);
    load(n, where, rows, null, start, m);
    forward(n, m);
    acc.addCost(cost(n, m));
    const p = n.plan;
    acc.add(m, n.F, p.a[L] >>> 2, n.F, p.y >>> 2);
  }
  rows.checked = true;
  return acc.result();
}
