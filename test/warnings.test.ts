// Collapse warnings (src/warnings.ts) on REAL runs over MNIST digits (the `mnist` dev dependency,
// 2000 training / 500 test digits, 3 epochs): the runs the issue reports collapsing to chance get a
// warning that names the cause, and Nielsen's [784, 30, 10] run and the default learning rates
// stay silent. Each epoch's signals are measured on the test digits through the public API.
import { describe, it, expect } from "vitest";
import { Network } from "../src/index.js";
import { mnistSplit } from "../src/data/mnist.js";
import { MetricAccumulator } from "../src/metrics.js";
import { trainingWarnings, type EpochSignal } from "../src/warnings.js";
import { defaultLearningRate } from "../src/defaults.js";
import type { NetworkOptions } from "../src/options.js";

const { train, test } = mnistSplit(2000, 500);

/** Trains 3 epochs; returns each epoch's warnings. eta undefined = the default for this network. */
function run(sizes: number[], options: NetworkOptions, optimizer: "sgd" | "momentum" | "adam", eta?: number): string[][] {
  const net = new Network(sizes, { seed: 1, ...options });
  const defaultEta = defaultLearningRate(optimizer, net.activations, net.cost);
  const regression = net.activations.at(-1) === "linear";
  const data = regression ? { inputs: train.inputs, outputs: Float32Array.from(train.labels, (l) => l / 9) } : train;
  const history: EpochSignal[] = [], warnings: string[][] = [];
  for (let epoch = 0; epoch < 3; epoch++) {
    const [stats] = net.train(data, { epochs: 1, learningRate: eta ?? defaultEta, optimizer });
    const m = new MetricAccumulator(regression ? "regression" : "classification", sizes.at(-1)!);
    const out = net.feedforwardBatch(test.inputs);
    if (regression) m.add(500, out, 0, Float32Array.from(test.labels, (l) => l / 9), 0);
    else m.add(500, out, 0, null, 0, test.labels, 0);
    const r = m.result();
    history.push({ cost: stats.cost, accuracy: r.accuracy, chance: r.chance, r2: r.r2, saturated: r.saturated });
    warnings.push(trainingWarnings(history, { eta: eta ?? defaultEta, optimizer, defaultEta, activations: net.activations }));
  }
  return warnings;
}

describe("collapsing runs are named", () => {
  it("relu/softmax at Nielsen's η = 3.0: at chance, η too large", () => {
    const w = run([784, 30, 10], { activation: "relu", cost: "log-likelihood" }, "sgd", 3);
    expect(w[0]).toEqual([]); // never after one epoch
    expect(w[2]).toHaveLength(1);
    expect(w[2][0]).toMatch(/at chance/);
    expect(w[2][0]).toMatch(/η = 3 is too large for sgd/);
  });

  it.each(["adam", "momentum"] as const)("%s left at SGD's η = 3.0: stuck at chance, saturated sigmoid outputs, η too large", (optimizer) => {
    const w = run([784, 30, 10], {}, optimizer, 3);
    expect(w[2][0]).toMatch(/at chance/);
    expect(w[2][0]).toMatch(new RegExp(`η = 3 is too large for ${optimizer}`));
    expect(w[2][0]).toMatch(/sigmoid outputs are saturated/);
    expect(w[2][0]).toMatch(/cost has stopped moving \(0\.5000 → 0\.5000\)/); // the "cost exactly 0.5"
  });

  it("the default CLI run with --hidden 300 ([784, 300, 10], sigmoid, quadratic, η = 3.0): saturated sigmoid", () => {
    const w = run([784, 300, 10], {}, "sgd", 3);
    expect(w[1]).toHaveLength(1);
    expect(w[2][0]).toMatch(/at chance/);
    expect(w[2][0]).toMatch(/saturated/);
  });

  it("regression with Adam at η = 3.0: no better than the mean", () => {
    const w = run([784, 30, 1], { activation: "relu", output: "linear" }, "adam", 3);
    expect(w[2][0]).toMatch(/r2 -?\d+\.\d{3} is no better than predicting the mean/);
    expect(w[2][0]).toMatch(/η = 3 is too large for adam/);
  });
});

describe("healthy runs stay silent", () => {
  it.each([
    ["Nielsen's [784, 30, 10], sigmoid, quadratic, η = 3.0", [784, 30, 10], {}, "sgd", 3],
    ["relu/softmax at its default η", [784, 30, 10], { activation: "relu", cost: "log-likelihood" }, "sgd", undefined],
    ["Adam at its default η", [784, 30, 10], {}, "adam", undefined],
    ["momentum at its default η", [784, 30, 10], { cost: "cross-entropy" }, "momentum", undefined],
    ["regression at its default η", [784, 30, 1], { activation: "relu", output: "linear" }, "sgd", undefined],
  ] as [string, number[], NetworkOptions, "sgd" | "momentum" | "adam", number | undefined][])("%s", (_name, sizes, options, optimizer, eta) => {
    expect(run(sizes, options, optimizer, eta)).toEqual([[], [], []]);
  });
});
