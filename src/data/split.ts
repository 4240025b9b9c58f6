// Held-out splits of labelled rows, in place: a fixed shuffle by the seeded generator
// reorders the rows of the caller's buffers (no copy), and the training and test parts are
// views (subarrays) of them.
import { Random } from "../random.js";
import { DataError } from "../errors.js";

/** count rows of nIn features (row-major) and one label, or a row of targets, per row (labels.length / count each). */
export interface LabeledRows<L extends ArrayLike<number> = Int32Array | Uint8Array | Float32Array> {
  inputs: Float32Array;
  labels: L;
  count: number;
}

type Labels = Int32Array | Uint8Array | Float32Array;

/**
 * Reorders the rows of `p` in place so that row r becomes the old row order[r] (cycle by
 * cycle; one row of scratch and one byte per row of bookkeeping). Each row's labels (w =
 * labels.length / count of them: one class label, or a row of targets) move with it.
 */
export function permuteRows<L extends Labels>(p: LabeledRows<L>, nIn: number, order: Uint32Array): void {
  const n = p.count, done = new Uint8Array(n), row = new Float32Array(nIn);
  const x = p.inputs, y = p.labels as Labels, w = n > 0 ? Math.round(y.length / n) : 1;
  const label = new Float64Array(w);
  for (let s = 0; s < n; s++) {
    if (done[s] || order[s] === s) { done[s] = 1; continue; }
    row.set(x.subarray(s * nIn, (s + 1) * nIn));
    for (let t = 0; t < w; t++) label[t] = y[s * w + t];
    let j = s;
    for (;;) {
      done[j] = 1;
      const k = order[j];
      if (k === s) {
        x.set(row, j * nIn);
        for (let t = 0; t < w; t++) y[j * w + t] = label[t];
        break;
      }
      x.copyWithin(j * nIn, k * nIn, (k + 1) * nIn);
      y.copyWithin(j * w, k * w, (k + 1) * w);
      j = k;
    }
  }
}

/**
 * Splits rows by a fixed shuffle (Random(seed)): the first count − ⌊fraction·count⌋ shuffled
 * rows train, the rest test. The rows of `p` are reordered in place and both parts are views
 * of its buffers (so they must not be modified through `p` afterwards). fraction 0 → no test part.
 */
export function holdout<L extends Labels>(p: LabeledRows<L>, nIn: number, fraction: number, seed = 0): { train: LabeledRows<L>; test: LabeledRows<L> | null } {
  if (!(fraction >= 0 && fraction < 1)) throw new DataError("holdout", "fraction", "a number in [0, 1)", String(fraction));
  const nTest = Math.floor(p.count * fraction);
  if (nTest === 0) return { train: p, test: null };
  if (nTest >= p.count) throw new DataError("holdout", "fraction", `a fraction that leaves training samples out of ${p.count}`, String(fraction));
  const idx = new Uint32Array(p.count);
  for (let i = 0; i < p.count; i++) idx[i] = i;
  new Random(seed).shuffle(idx);
  permuteRows(p, nIn, idx);
  const nTrain = p.count - nTest;
  const w = Math.round(p.labels.length / p.count);
  const part = (from: number, n: number): LabeledRows<L> => ({
    inputs: p.inputs.subarray(from * nIn, (from + n) * nIn), labels: p.labels.subarray(from * w, (from + n) * w) as L, count: n,
  });
  return { train: part(0, nTrain), test: part(nTrain, nTest) };
}
