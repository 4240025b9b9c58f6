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

/**
 * Accumulates a task's metrics over batches (`new MetricAccumulator(task, nOut)`): reset(),
 * addCost(sum), add(...) per batch, result() at the end.
 */
export interface MetricAccumulator {
  readonly task: Task;
  readonly nOut: number;
  /** Forgets everything added. */
  reset(): void;
  /** Adds a batch's summed cost Σ_x C_x (kernels.cost). */
  addCost(sum: number): void;
  /**
   * Adds m samples: outputs out[outAt + r·n_out + j]; targets either rows y[yAt + r·n_out + j]
   * or (classification only) class indices labels[labelAt + r].
   */
  add(m: number, out: ArrayLike<number>, outAt: number, y: ArrayLike<number> | null, yAt: number,
      labels?: ArrayLike<number> | null, labelAt?: number): void;
  /** The metrics of everything added since construction or reset(). */
  result(): Metrics;
}

// A function with its state in closure variables, not a class with private fields: the same
// object to its callers, and half the size minified (a page loads this).
export const MetricAccumulator = function (task: Task, n: number): MetricAccumulator {
  let total = 0, cost = 0, costed = false, correct = 0, labelsRight = 0, se = 0, ae = 0, saturated = 0;
  /** Classification: samples per class; binary: [zeros, ones]; multi-label: ones per output. */
  const counts = new Float64Array(task === "binary" ? 2 : n);
  /** Regression, per output: Welford mean and M2 of the targets, and Σ (a − y)². */
  const r = task === "regression" ? n : 0, mean = new Float64Array(r), m2 = new Float64Array(r), res = new Float64Array(r);
  return {
    task,
    nOut: n,
    reset() {
      total = cost = correct = labelsRight = se = ae = saturated = 0;
      costed = false;
      for (const a of [counts, mean, m2, res]) a.fill(0);
    },
    addCost(sum) {
      cost += sum;
      costed = true;
    },
    add(m, out, outAt, y, yAt, labels = null, labelAt = 0) {
      if (task !== "regression") {
        for (let i = outAt, end = outAt + m * n; i < end; i++) {
          const a = out[i];
          if (a <= SATURATION_EPS || a >= 1 - SATURATION_EPS) saturated++;
        }
      }
      for (let r = 0; r < m; r++) {
        const o = outAt + r * n, t = yAt + r * n;
        switch (task) {
          case "classification": {
            const truth = labels ? labels[labelAt + r] : argmax(y!, t, n);
            if (argmax(out, o, n) === truth) correct++;
            counts[truth]++;
            break;
          }
          case "binary": {
            const truth = labels ? labels[labelAt + r] : +(y![yAt + r] >= 0.5);
            if (+(out[outAt + r] >= 0.5) === truth) correct++;
            counts[truth]++;
            break;
          }
          case "multi-label": {
            let right = 0;
            for (let j = 0; j < n; j++) {
              const truth = y![t + j] >= 0.5;
              if (out[o + j] >= 0.5 === truth) right++;
              if (truth) counts[j]++;
            }
            labelsRight += right;
            if (right === n) correct++;
            break;
          }
          case "regression": {
            const k = total + r + 1; // Welford's count after this sample
            for (let j = 0; j < n; j++) {
              const v = y![t + j], d = out[o + j] - v;
              se += d * d;
              ae += Math.abs(d);
              res[j] += d * d;
              const dm = v - mean[j];
              mean[j] += dm / k;
              m2[j] += dm * (v - mean[j]);
            }
          }
        }
      }
      total += m;
    },
    result() {
      const out: Metrics = { total, cost: costed ? cost / total : NaN };
      if (task === "regression") {
        out.mse = se / (total * n);
        out.mae = ae / (total * n);
        let r2 = 0;
        for (let j = 0; j < n; j++) r2 += m2[j] > 0 ? 1 - res[j] / m2[j] : res[j] === 0 ? 1 : 0;
        out.r2 = r2 / n;
        return out;
      }
      out.correct = correct;
      out.saturated = saturated / (total * n);
      let chance = 0;
      if (task === "multi-label") {
        out.accuracy = labelsRight / (total * n);
        out.exactMatch = correct / total;
        for (let j = 0; j < n; j++) chance += Math.max(counts[j], total - counts[j]) / total;
        out.chance = chance / n;
      } else {
        out.accuracy = correct / total;
        out.chance = counts.reduce((a, b) => Math.max(a, b), 0) / total;
      }
      return out;
    },
  };
} as unknown as new (task: Task, nOut: number) => MetricAccumulator;

/** Index of the largest of n values at v[p..p+n) (the first on ties; NaN never wins). */
export function argmax(v: ArrayLike<number>, p: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (v[p + j] > v[p + best]) best = j;
  return best;
}
