// Chapter 3's improvements, measured: network2.py's settings ([784, 100, 10], cross-entropy,
// scaled initialization N(0, 1/√n_in), L2 with λ = 5.0, η = 0.5, m = 10) against chapter 1's
// network.py ([784, 30, 10], quadratic cost, N(0, 1) initialization, η = 3.0, m = 10), on the
// same 8000/2000 split of real MNIST digits, for the same number of epochs, on the wasm backend.
//
// Measured (wasm-simd, seeds 1–6, this split, 10 epochs): network2's settings end at 93.6–94.8 %,
// chapter 1's at 90.3–91.6 % (its N(0, 1) weights saturate hidden neurons, so it starts slowly);
// the gap between the means of the last 3 epochs was 2.5–6.6 points. We assert 1.5 points.
// (Most of the gap at this data size is the initializer: chapter 1's network with "scaled" init
// reaches ≈ 94 % too. λ = 5.0 is network2's value for n = 50,000; with n = 8000 the same per-epoch
// weight decay would be λ ≈ 0.8, which adds about another point — see docs/algorithms.md.)
import { describe, it, expect } from "vitest";
import { Network } from "../src/index.js";
import { mnistSplit } from "../src/data/mnist.js";

const EPOCHS = 10;
const mean = (a: number[]) => a.reduce((p, q) => p + q, 0) / a.length;

describe("MNIST: network2.py's settings beat chapter 1's", () => {
  it(`[784,100,10] cross-entropy λ=5 vs [784,30,10] quadratic, ${EPOCHS} epochs each`, () => {
    const { train, test } = mnistSplit(8000, 2000);
    const net2 = new Network([784, 100, 10], { seed: 1, backend: "wasm", cost: "cross-entropy", init: "scaled" });
    const h2 = net2.train(train, { epochs: EPOCHS, batchSize: 10, learningRate: 0.5, lambda: 5.0, testData: test });
    const net1 = new Network([784, 30, 10], { seed: 1, backend: "wasm", cost: "quadratic", init: "nielsen" });
    const h1 = net1.train(train, { epochs: EPOCHS, batchSize: 10, learningRate: 3.0, testData: test });

    const acc2 = h2.map((s) => s.accuracy!), acc1 = h1.map((s) => s.accuracy!);
    const summary = `network2: ${acc2.map((a) => (100 * a).toFixed(1)).join(" ")} | chapter 1: ${acc1.map((a) => (100 * a).toFixed(1)).join(" ")}`;
    expect(h2.length, summary).toBe(EPOCHS);
    expect(h1.length, summary).toBe(EPOCHS);
    expect(acc1.at(-1)!, `chapter 1 learns (${summary})`).toBeGreaterThan(0.8);
    expect(acc2.at(-1)!, `network2 learns (${summary})`).toBeGreaterThan(0.92);
    expect(mean(acc2.slice(-3)), summary).toBeGreaterThan(mean(acc1.slice(-3)) + 0.015);
    expect(acc2.at(-1)!, summary).toBeGreaterThan(acc1.at(-1)!);
    // The reported accuracy is what evaluate() says about the final network.
    expect(net2.evaluate(test).accuracy).toBe(acc2.at(-1));
  });
});
