// Metrics per task (src/metrics.ts) and predictions (src/predict.ts): hand-worked examples, and
// the streaming accumulator against a two-pass float64 reference over random batches of uneven sizes.
import { describe, it, expect } from "vitest";
import { MetricAccumulator } from "../src/metrics.js";
import { predictRows, predictRow, probabilityRow, checkProbabilities } from "../src/predict.js";
import { OptionError } from "../src/errors.js";
import { Random } from "../src/random.js";

const f32 = (rows: number[][]) => Float32Array.from(rows.flat());

describe("metrics, worked by hand", () => {
  it("classification: argmax against class indices and against one-hot rows", () => {
    const out = f32([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6]]);
    const byLabel = new MetricAccumulator("classification", 3);
    byLabel.add(3, out, 0, null, 0, [1, 1, 2], 0);
    byLabel.addCost(1.5);
    expect(byLabel.result()).toEqual({ total: 3, cost: 0.5, correct: 2, accuracy: 2 / 3, chance: 2 / 3, saturated: 0 });
    const byRow = new MetricAccumulator("classification", 3);
    byRow.add(3, out, 0, f32([[0, 1, 0], [0, 1, 0], [0, 0, 1]]), 0);
    expect(byRow.result().accuracy).toBe(2 / 3);
  });

  it("binary: threshold 0.5 on the one output (0.5 itself is class 1)", () => {
    const a = new MetricAccumulator("binary", 1);
    a.add(4, Float32Array.of(0.2, 0.5, 0.9, 0.49), 0, Float32Array.of(0, 1, 0, 1), 0);
    const r = a.result();
    expect([r.correct, r.accuracy, r.chance]).toEqual([2, 0.5, 0.5]);
    // Saturated outputs: within 1e-3 of 0 or 1.
    const s = new MetricAccumulator("binary", 1);
    s.add(4, Float32Array.of(0.0009, 0.0011, 0.9991, 1), 0, Float32Array.of(0, 0, 1, 1), 0);
    expect(s.result().saturated).toBe(3 / 4);
    // The case of the issue: one output, argmax would call every sample class 0 and score 1.
    const b = new MetricAccumulator("binary", 1);
    b.add(2, Float32Array.of(0.1, 0.2), 0, Float32Array.of(1, 1), 0);
    expect(b.result().accuracy).toBe(0);
  });

  it("multi-label: accuracy per label, exact match per sample", () => {
    const a = new MetricAccumulator("multi-label", 2);
    a.add(2, f32([[0.9, 0.1], [0.6, 0.7]]), 0, f32([[1, 0], [0, 1]]), 0);
    expect(a.result()).toEqual({ total: 2, cost: NaN, correct: 1, accuracy: 3 / 4, exactMatch: 1 / 2, chance: 0.5, saturated: 0 });
  });

  it("regression: mse, mae, r2 and no accuracy", () => {
    const a = new MetricAccumulator("regression", 1);
    a.add(3, Float32Array.of(1, 2, 4), 0, Float32Array.of(1, 3, 2), 0);
    // errors 0, −1, 2; ȳ = 2, SS_tot = 2, SS_res = 5
    expect(a.result()).toEqual({ total: 3, cost: NaN, mse: 5 / 3, mae: 1, r2: 1 - 5 / 2 });
    expect("accuracy" in a.result()).toBe(false);
  });

  it("regression: a constant target column has r2 1 when exact, 0 otherwise (scikit-learn's force_finite)", () => {
    const exact = new MetricAccumulator("regression", 1);
    exact.add(2, Float32Array.of(3, 3), 0, Float32Array.of(3, 3), 0);
    expect(exact.result().r2).toBe(1);
    const off = new MetricAccumulator("regression", 1);
    off.add(2, Float32Array.of(3, 4), 0, Float32Array.of(3, 3), 0);
    expect(off.result().r2).toBe(0);
  });

  it("reads rows at offsets (as in linear memory) and reset() starts over", () => {
    const a = new MetricAccumulator("classification", 2);
    const heap = Float32Array.of(9, 9, 9, 0.2, 0.8, 0.6, 0.4), labels = Int32Array.of(7, 1, 1);
    a.add(2, heap, 3, null, 0, labels, 1);
    expect(a.result().accuracy).toBe(0.5);
    a.reset();
    a.add(1, heap, 3, null, 0, labels, 1);
    expect(a.result()).toEqual({ total: 1, cost: NaN, correct: 1, accuracy: 1, chance: 1, saturated: 0 });
  });
});

describe("metrics, streamed, against a two-pass float64 reference", () => {
  it.each([1, 3])("regression with %i outputs, targets around 1e4 (Welford keeps SS_tot exact)", (n) => {
    const rng = new Random(n), count = 1000;
    const out = new Float32Array(count * n), y = new Float32Array(count * n);
    for (let i = 0; i < count * n; i++) {
      y[i] = 1e4 + (i % n) + rng.next();
      out[i] = y[i] + (rng.next() - 0.5) * 0.5;
    }
    const a = new MetricAccumulator("regression", n);
    for (let start = 0, m = 1; start < count; start += m, m = (m * 7) % 61 + 1) {
      const mb = Math.min(m, count - start);
      a.add(mb, out, start * n, y, start * n);
    }
    let se = 0, ae = 0, r2 = 0;
    for (let j = 0; j < n; j++) {
      let mean = 0, ssTot = 0, ssRes = 0;
      for (let s = 0; s < count; s++) mean += y[s * n + j] / count;
      for (let s = 0; s < count; s++) {
        const d = out[s * n + j] - y[s * n + j];
        ssTot += (y[s * n + j] - mean) ** 2;
        ssRes += d * d;
        se += d * d;
        ae += Math.abs(d);
      }
      r2 += (1 - ssRes / ssTot) / n;
    }
    const r = a.result();
    expect(r.total).toBe(count);
    expect(r.mse).toBeCloseTo(se / (count * n), 12);
    expect(r.mae).toBeCloseTo(ae / (count * n), 12);
    expect(Math.abs(r.r2! - r2)).toBeLessThan(1e-9);
    expect(r.r2!).toBeGreaterThan(0.5); // the predictions are informative: r2 ≈ 1 − 0.25/1 ≈ 0.75
  });

  it("classification accuracy and chance over uneven batches equal a direct count", () => {
    const rng = new Random(5), count = 500, n = 4;
    const out = new Float32Array(count * n), labels = new Int32Array(count);
    for (let i = 0; i < out.length; i++) out[i] = rng.next();
    for (let s = 0; s < count; s++) labels[s] = rng.int(n);
    const a = new MetricAccumulator("classification", n);
    for (let start = 0, m = 3; start < count; start += m, m = (m * 5) % 37 + 1) a.add(Math.min(m, count - start), out, start * n, null, 0, labels, start);
    let right = 0;
    const perClass = [0, 0, 0, 0];
    for (let s = 0; s < count; s++) {
      const row = Array.from(out.subarray(s * n, s * n + n));
      if (row.indexOf(Math.max(...row)) === labels[s]) right++;
      perClass[labels[s]]++;
    }
    expect(a.result().correct).toBe(right);
    expect(a.result().chance).toBe(Math.max(...perClass) / count);
  });
});

describe("predictions and probabilities", () => {
  const out = f32([[0.2, 0.7, 0.1], [0.5, 0.5, 0.0]]);
  it("per task, from output rows", () => {
    expect(predictRows("classification", out, 2, 3)).toEqual([1, 0]); // ties: the first
    expect(predictRows("binary", Float32Array.of(0.5, 0.49), 2, 1)).toEqual([1, 0]);
    expect(predictRows("multi-label", out, 2, 3)).toEqual([[0, 1, 0], [1, 1, 0]]);
    expect(predictRow("regression", out, 1, 3)).toEqual([0.5, 0.5, 0]);
    expect(probabilityRow("binary", Float32Array.of(0.3, 0.8), 1, 1)).toBe(Math.fround(0.8));
    expect(probabilityRow("classification", out, 0, 3)).toEqual(Array.from(out.subarray(0, 3)));
  });

  it("refuses probabilities where the outputs are not probabilities", () => {
    expect(() => checkProbabilities("predictProba(x)", "regression", "linear")).toThrow(OptionError);
    expect(() => checkProbabilities("predictProba(x)", "classification", "sigmoid")).toThrow(/softmax/);
    expect(() => checkProbabilities("predictProba(x)", "classification", "softmax")).not.toThrow();
    expect(() => checkProbabilities("predictProba(x)", "binary", "sigmoid")).not.toThrow();
  });
});

describe("summary", () => {
  it("one line per layer with its parameter count, then the totals", async () => {
    const { summaryText } = await import("../src/summary.js");
    const text = summaryText({ sizes: [784, 30, 10], activations: ["relu", "softmax"], cost: "log-likelihood", init: "he", task: "classification",
      dropout: [0.5], preprocessing: true, backend: "wasm-simd" });
    expect(text.split("\n")).toEqual([
      "layer     neurons  activation        parameters  dropout",
      "--------  -------  ----------------  ----------  -------",
      "input         784  (x − mean) / std",
      "hidden 1       30  relu                  23,550  0.5",
      "output         10  softmax                  310",
      "23,860 parameters; task classification; cost log-likelihood; init he; backend wasm-simd",
    ]);
  });
});
