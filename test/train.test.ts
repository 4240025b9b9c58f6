// Learning: XOR, and Nielsen's chapter-1 run on a fixed split of the mnist package's digits.
import { describe, it, expect } from "vitest";
import { Network } from "../src/index.js";
import { mnistSplit } from "../src/data/mnist.js";
import { expectClose } from "./helpers.js";

describe("training", () => {
  it.each([1, 2, 3, 4, 5])("learns XOR (seed %i)", (seed) => {
    const xor: [number[], number[]][] = [[[0, 0], [0]], [[0, 1], [1]], [[1, 0], [1]], [[1, 1], [0]]];
    const net = new Network([2, 8, 1], { seed, cost: "cross-entropy" });
    net.train(xor, { epochs: 2000, batchSize: 4, learningRate: 2 });
    for (const [x, [y]] of xor) expect(Math.abs(net.feedforward(x)[0] - y), `XOR(${x})`).toBeLessThan(0.1);
  });

  const { train, test } = mnistSplit(8000, 2000, 0);

  it("[784, 30, 10], η = 3.0, m = 10 reaches ≥ 90% on the 2,000 held-out digits within 3 epochs", () => {
    const net = new Network([784, 30, 10], { seed: 1 });
    const history = net.train(train, { epochs: 3, batchSize: 10, learningRate: 3.0, testData: test });
    expect(Math.max(...history.map((h) => h.accuracy!))).toBeGreaterThanOrEqual(0.9);
    expect(history.at(-1)!.total).toBe(2000);
    expect(net.evaluate(test).accuracy).toBe(history.at(-1)!.accuracy);
  });

  it("wasm and js with the same seed and shuffle: false end within tolerance of each other", () => {
    // One epoch of 800 updates: f32 rounding differs between the builds (JS accumulates in
    // f64), so weights drift slightly apart; we require max relative difference ≤ 2e-3 and
    // accuracies within 0.5 percentage points.
    const run = (backend: "wasm" | "js") => {
      const net = new Network([784, 30, 10], { seed: 1, backend });
      const h = net.train(train, { epochs: 1, batchSize: 10, learningRate: 3.0, shuffle: false, testData: test });
      return { w: net.weights.flat(2), acc: h[0].accuracy! };
    };
    const wasm = run("wasm"), js = run("js");
    expectClose(wasm.w, js.w, 2e-3, "weights wasm vs js");
    expect(Math.abs(wasm.acc - js.acc)).toBeLessThanOrEqual(0.005);
  });
});
