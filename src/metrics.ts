// Streaming metrics per task, fed one batch of output rows at a time (the network's a^L in
// linear memory, m rows of n_out float32) with the batch's targets (rows of n_out, or class
// indices). Every buffer is allocated once, in the constructor: add() allocates nothing.
//
//   classification  accuracy: argmax of the outputs = the class (label, or argmax of the target row)
//   binary          accuracy: (a ≥ 0.5) = (y ≥ 0.5)
//   multi-label     accuracy per label: share of (sample, output) pairs with (a_j ≥ 0.5) = (y_j ≥ 0.5);
//                   exactMatch: share of samples with every output right
//   regression      mse = mean (a_j − y_j)², mae = mean |a_j − y_j| over samples and outputs;
//                   r2 = mean over outputs of 1 − SS_res/SS_tot (scikit-learn's r2_score, "uniform_average");
//                   no accuracy
//
// Sums are float64. SS_tot comes from Welford's running mean and M2 per output, so it does not
// cancel catastrophically when the targets' mean is large. An output whose targets are all equal
// has SS_tot = 0: its r2 is 1 if predicted exactly and 0 otherwise (scikit-learn's force_finite).
// `cost` is not computed here: the kernels' cost (f64 sum per batch) is passed to addCost().
import type { Task } from "./task.js";

export interface Metrics {
  /** Samples seen. */
  total: number;
  /** Mean cost per sample, from addCost() (NaN when none was added). */
  cost: number;
  /** Classification tasks: samples classified right (multi-label: samples with every label right). */
  correct?: number;
  /** Classification tasks: correct / total (multi-label: per label). */
  accuracy?: number;
  /** Multi-label: share of samples with every label right. */
  exactMatch?: number;
  /** Share of the most frequent class (per label for multi-label): the accuracy of always guessing it. */
  chance?: number;
  /** Regression: mean squared error over samples and outputs. */
  mse?: number;
  /** Regression: mean absolute error over samples and outputs. */
  mae?: number;
  /** Regression: coefficient of determination, averaged over outputs. */
  r2?: number;
  /** Classification tasks: share of output values within SATURATION_EPS of 0 or 1 (see src/warnings.ts). */
  saturated?: number;
}

/** An output value this close to 0 or 1 counts as saturated. */
export const SATURATION_EPS = 1e-3;

export class MetricAccumulator {
  readonly task: Task;
  readonly nOut: number;
  #total = 0;
  #cost = 0;
  #costed = false;
  #correct = 0;
  #labelsRight = 0;
  #se = 0;
  #ae = 0;
  #saturated = 0;
  /** Classification: samples per class; binary: [zeros, ones]; multi-label: ones per output. */
  readonly #counts: Float64Array;
  /** Regression, per output: Welford mean and M2 of the targets, and Σ (a − y)². */
  readonly #mean: Float64Array;
  readonly #m2: Float64Array;
  readonly #res: Float64Array;

  constructor(task: Task, nOut: number) {
    this.task = task;
    this.nOut = nOut;
    this.#counts = new Float64Array(task === "binary" ? 2 : nOut);
    const r = task === "regression" ? nOut : 0;
    this.#mean = new Float64Array(r);
    this.#m2 = new Float64Array(r);
    this.#res = new Float64Array(r);
  }

  reset(): void {
    this.#total = this.#cost = this.#correct = this.#labelsRight = this.#se = this.#ae = this.#saturated = 0;
    this.#costed = false;
    this.#counts.fill(0);
    this.#mean.fill(0);
    this.#m2.fill(0);
    this.#res.fill(0);
  }

  /** Adds a batch's summed cost Σ_x C_x (kernels.cost). */
  addCost(sum: number): void {
    this.#cost += sum;
    this.#costed = true;
  }

  /**
   * Adds m samples: outputs out[outAt + r·n_out + j]; targets either rows y[yAt + r·n_out + j]
   * or (classification only) class indices labels[labelAt + r].
   */
  add(m: number, out: ArrayLike<number>, outAt: number, y: ArrayLike<number> | null, yAt: number,
      labels: ArrayLike<number> | null = null, labelAt = 0): void {
    const n = this.nOut, counts = this.#counts;
    if (this.task !== "regression") {
      let saturated = 0;
      for (let i = outAt, end = outAt + m * n; i < end; i++) {
        const a = out[i];
        if (a <= SATURATION_EPS || a >= 1 - SATURATION_EPS) saturated++;
      }
      this.#saturated += saturated;
    }
    switch (this.task) {
      case "classification":
        for (let r = 0; r < m; r++) {
          const guess = argmax(out, outAt + r * n, n);
          const truth = labels ? labels[labelAt + r] : argmax(y!, yAt + r * n, n);
          if (guess === truth) this.#correct++;
          counts[truth]++;
        }
        break;
      case "binary":
        for (let r = 0; r < m; r++) {
          const truth = labels ? labels[labelAt + r] : y![yAt + r] >= 0.5 ? 1 : 0;
          if ((out[outAt + r] >= 0.5 ? 1 : 0) === truth) this.#correct++;
          counts[truth]++;
        }
        break;
      case "multi-label":
        for (let r = 0; r < m; r++) {
          let right = 0;
          for (let j = 0; j < n; j++) {
            const truth = y![yAt + r * n + j] >= 0.5;
            if (out[outAt + r * n + j] >= 0.5 === truth) right++;
            if (truth) counts[j]++;
          }
          this.#labelsRight += right;
          if (right === n) this.#correct++;
        }
        break;
      case "regression": {
        const mean = this.#mean, m2 = this.#m2, res = this.#res;
        for (let r = 0; r < m; r++) {
          const k = this.#total + r + 1; // Welford's count after this sample
          for (let j = 0; j < n; j++) {
            const t = y![yAt + r * n + j], d = out[outAt + r * n + j] - t;
            this.#se += d * d;
            this.#ae += Math.abs(d);
            res[j] += d * d;
            const dm = t - mean[j];
            mean[j] += dm / k;
            m2[j] += dm * (t - mean[j]);
          }
        }
        break;
      }
    }
    this.#total += m;
  }

  /** The metrics of everything added since construction or reset(). */
  result(): Metrics {
    const total = this.#total, n = this.nOut;
    const out: Metrics = { total, cost: this.#costed ? this.#cost / total : NaN };
    if (this.task === "regression") {
      out.mse = this.#se / (total * n);
      out.mae = this.#ae / (total * n);
      let r2 = 0;
      for (let j = 0; j < n; j++) {
        const ssTot = this.#m2[j], ssRes = this.#res[j];
        r2 += ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0;
      }
      out.r2 = r2 / n;
      return out;
    }
    out.correct = this.#correct;
    out.saturated = this.#saturated / (total * n);
    const counts = this.#counts;
    if (this.task === "multi-label") {
      out.accuracy = this.#labelsRight / (total * n);
      out.exactMatch = this.#correct / total;
      let chance = 0;
      for (let j = 0; j < n; j++) chance += Math.max(counts[j], total - counts[j]) / total;
      out.chance = chance / n;
    } else {
      out.accuracy = this.#correct / total;
      let most = 0;
      for (let j = 0; j < counts.length; j++) most = Math.max(most, counts[j]);
      out.chance = most / total;
    }
    return out;
  }
}

/** Index of the largest of n values at v[p..p+n) (the first on ties; NaN never wins). */
export function argmax(v: ArrayLike<number>, p: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (v[p + j] > v[p + best]) best = j;
  return best;
}
