// Collapse warnings (src/warnings.ts) on REAL runs over MNIST digits (the `mnist` dev dependency,
// 2000 training / 500 test digits, 3 epochs): the runs the issue reports collapsing to chance get a
// warning that names the cause, and Nielsen's [784, 30, 10] run and the default learning rates
// stay silent. The warnings are the epoch stats' own (the epoch loop measures the signals on the
// test data, or on the training forward passes without it).
import { describe, it, expect } from "vitest";
import { Network } from "../src/index.js";
import { mnistSplit } from "../src/data/mnist.js";
import type { NetworkOptions } from "../src/options.js";

const { train, test } = mnistSplit(2000, 500);

/**
 * Trains 3 epochs (one train call, test digits as testData, or none); returns each epoch's
 * `warnings` (an empty list where there is none). eta undefined = the default for this network.
 */
function run(sizes: number[], options: NetworkOptions, optimizer: "sgd" | "momentum" | "adam", eta?: number, withTest = true): string[][] {
  const net = new Network(sizes, { seed: 1, ...options });
  const regression = net.task === "regression";
  const values = (d: typeof train) => ({ inputs: d.inputs, outputs: Float32Array.from(d.labels, (l) => l / 9) });
  const history = net.train(regression ? values(train) : train, {
    epochs: 3, learningRate: eta, optimizer, ...(withTest ? { testData: regression ? values(test) : test } : {}),
  });
  return history.map((s) => s.warnings ?? []);
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

  it("without test data, from the training forward passes: relu/softmax at η = 3.0", () => {
    const w = run([784, 30, 10], { activation: "relu", cost: "log-likelihood" }, "sgd", 3, false);
    expect(w[0]).toEqual([]);
    expect(w[2][0]).toMatch(/at chance/);
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
    expect(run(sizes, options, optimizer, eta, false)).toEqual([[], [], []]);
  });
});
