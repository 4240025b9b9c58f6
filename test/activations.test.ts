// Activations and costs: σ values through the network, the softmax layer, the linear-neuron
// exercise, the "no learning slowdown" claim of cross-entropy (Nielsen ch. 3), the guarded logs,
// and the construction-time errors for invalid pairings.
import { describe, it, expect } from "vitest";
import { Network, OptionError } from "../src/index.js";
import type { Activation } from "../src/kernels.js";
import { BACKENDS } from "./helpers.js";

const sig = (z: number) => 1 / (1 + Math.exp(-z));
const ELEMENTWISE: [Activation, (z: number) => number][] = [
  ["sigmoid", sig],
  ["tanh", Math.tanh],
  ["relu", (z) => Math.max(0, z)],
  ["leaky-relu", (z) => (z > 0 ? z : 0.01 * z)],
  ["linear", (z) => z],
];

/** A [1, 1] network computing σ(w·x + b). */
function unit(backend: string, output: Activation, w: number, b: number, cost: "quadratic" | "cross-entropy" = "quadratic") {
  const net = new Network([1, 1], { backend: backend as never, seed: 1, output, cost });
  net.weights = [[[w]]];
  net.biases = [[b]];
  return net;
}

describe.each(BACKENDS)("activations and costs on %s", (backend) => {
  it.each(ELEMENTWISE)("%s: feedforward computes σ(z), including large |z|", (act, f) => {
    const net = unit(backend, act, 1, 0);
    for (const z of [-100, -20, -3, -0.5, -1e-3, 0, 1e-3, 0.25, 2, 20, 100]) {
      const a = net.feedforward([z])[0];
      expect(Number.isFinite(a), `σ(${z}) finite`).toBe(true);
      expect(Math.abs(a - f(z)), `${act}(${z}) = ${a}, want ${f(z)}`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(f(z))));
    }
  });

  it.each(ELEMENTWISE)("%s: σ'(z) in BP1 (quadratic cost: ∂C/∂b = (a − y) σ'(z))", (act, f) => {
    const h = 1e-6;
    for (const z of [-2.5, -0.3, 0.4, 1.7]) {
      const net = unit(backend, act, 1, 0);
      const y = 0.2;
      const prime = (f(z + h) - f(z - h)) / (2 * h);
      const want = (f(z) - y) * prime;
      const got = net.backprop([z], [y]).nablaB[0][0];
      expect(Math.abs(got - want), `${act} at z=${z}: got ${got}, want ${want}`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want)));
    }
  });

  it("softmax: a probability vector, shift-invariant, no overflow for huge z", () => {
    const net = new Network([2, 4], { backend, seed: 2, cost: "log-likelihood" });
    expect(net.activations).toEqual(["softmax"]);
    net.weights = [[[1, 0], [0, 1], [1, 1], [-1, 0.5]]];
    const x = [0.3, -1.2];
    const z = [0.3, -1.2, -0.9, -0.9];
    const e = z.map(Math.exp), s = e.reduce((p, q) => p + q);
    for (const shift of [0, 50, 1000, -1000]) {
      net.biases = [[shift, shift, shift, shift]];
      const a = net.feedforward(x);
      // z = x·w + shift is rounded to f32 first: at |shift| = 1000 its ulp is 6e-5.
      const tol = Math.abs(shift) >= 1000 ? 2e-4 : 1e-6;
      a.forEach((v, j) => expect(Math.abs(v - e[j] / s), `shift ${shift} a[${j}]`).toBeLessThan(tol));
      expect(Math.abs(a.reduce((p, q) => p + q) - 1)).toBeLessThan(1e-6);
    }
    net.biases = [[500, 0, 0, -500]];
    const a = net.feedforward(x);
    expect([...a].every(Number.isFinite)).toBe(true);
    expect(a[0]).toBeCloseTo(1, 6);
  });

  it("log-likelihood with softmax: δ^L = a − y (ch. 3, eq. 84)", () => {
    const net = new Network([2, 3], { backend, seed: 3, cost: "log-likelihood" });
    const x = [0.5, -0.25];
    const a = net.feedforward(x);
    const g = net.backprop(x, 2);
    [a[0], a[1], a[2] - 1].forEach((d, j) => {
      expect(g.nablaB[0][j]).toBeCloseTo(d, 6);
      expect(g.nablaW[0][j][0]).toBeCloseTo(d * x[0], 6);
    });
  });

  it("linear neurons (Nielsen's exercise): σ' = 1, so backprop is the closed-form gradient of a linear map", () => {
    // a^1 = W1 x + b1, a^2 = W2 a^1 + b2, C = ½‖a^2 − y‖²:
    //   δ^2 = a^2 − y,  δ^1 = W2ᵀ δ^2,  ∂C/∂W2 = δ^2 (a^1)ᵀ,  ∂C/∂W1 = δ^1 xᵀ
    const net = new Network([3, 4, 2], { backend, seed: 4, activation: "linear", output: "linear" });
    const [W1, W2] = net.weights, [b1, b2] = net.biases;
    const x = [0.2, -0.7, 1.1], y = [0.5, -0.5];
    const a1 = W1.map((row, j) => row.reduce((s, w, k) => s + w * x[k], b1[j]));
    const a2 = W2.map((row, j) => row.reduce((s, w, k) => s + w * a1[k], b2[j]));
    const d2 = a2.map((v, j) => v - y[j]);
    const d1 = a1.map((_, k) => W2.reduce((s, row, j) => s + row[k] * d2[j], 0));
    const g = net.backprop(x, y);
    const close = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThan(1e-5 * (1 + Math.abs(want)));
    d2.forEach((d, j) => { close(g.nablaB[1][j], d); a1.forEach((a, k) => close(g.nablaW[1][j][k], d * a)); });
    d1.forEach((d, j) => { close(g.nablaB[0][j], d); x.forEach((xk, k) => close(g.nablaW[0][j][k], d * xk)); });
  });

  it("saturated sigmoid output (z = 10, y = 0): cross-entropy's δ has no σ'(z) factor", () => {
    // Quadratic: ∂C/∂b = (a − y) σ'(z) = a·a(1 − a) ≈ 4.5e-5 — learning slows to a crawl.
    // Cross-entropy: ∂C/∂b = a − y ≈ 1 — the neuron learns fastest when it is most wrong (eq. 66–67).
    const x = [1], y = [0];
    const a = sig(10);
    const quad = unit(backend, "sigmoid", 5, 5).backprop(x, y);
    const ce = unit(backend, "sigmoid", 5, 5, "cross-entropy").backprop(x, y);
    expect(quad.nablaB[0][0] / (a * a * (1 - a))).toBeCloseTo(1, 2); // f32 a(1 − a) near a = 1 loses ~3 digits
    expect(quad.nablaW[0][0][0]).toBeCloseTo(quad.nablaB[0][0], 9); // x = 1
    expect(ce.nablaB[0][0]).toBeCloseTo(a, 6);
    expect(ce.nablaW[0][0][0]).toBeCloseTo(a, 6);
    expect(Math.abs(ce.nablaW[0][0][0]) / Math.abs(quad.nablaW[0][0][0])).toBeGreaterThan(1e4);
  });

  it("…and so training escapes saturation with cross-entropy but not with the quadratic cost (ch. 3's w = b = 2 example)", () => {
    // Nielsen's demo: x = 1 → y = 0, starting at w = b = 2 (a ≈ 0.98), η = 0.15, one example.
    const run = (cost: "quadratic" | "cross-entropy") => {
      const net = unit(backend, "sigmoid", 2, 2, cost);
      net.train([[[1], [0]]], { epochs: 40, batchSize: 1, learningRate: 0.15 });
      return net.feedforward([1])[0];
    };
    const quad = run("quadratic"), ce = run("cross-entropy");
    expect(quad).toBeGreaterThan(0.9); // still stuck near 0.98
    expect(ce).toBeLessThan(0.3);
  });

  it("guarded logs (network2's nan_to_num): log 0 gives a large finite cost, never Infinity or NaN", () => {
    // a = σ(100) is exactly 1 in f32: cross-entropy −ln(1 − a) would be +∞; with y = 1 the cost is 0.
    const net = unit(backend, "sigmoid", 0, 100, "cross-entropy");
    expect(net.feedforward([0])[0]).toBe(1);
    const wrong = net.evaluate([[[0], [0]]]).cost, right = net.evaluate([[[0], [1]]]).cost;
    expect(Number.isFinite(wrong)).toBe(true);
    expect(wrong).toBeCloseTo(-Math.log(1e-45), 6); // ≈ 103.6
    expect(right).toBe(0);
    expect(net.backprop([0], [0]).nablaB[0][0]).toBe(1); // δ = a − y, finite
    // Softmax output with a_y = 0 exactly.
    const sm = new Network([1, 2], { backend, seed: 1, cost: "log-likelihood" });
    sm.weights = [[[0], [0]]];
    sm.biases = [[200, -200]];
    expect(sm.feedforward([0])[1]).toBe(0);
    const c = sm.evaluate([[[0], 1]]).cost;
    expect(Number.isFinite(c)).toBe(true);
    expect(c).toBeCloseTo(-Math.log(1e-45), 6);
  });

  it("costs match their definitions (evaluate = mean C_x)", () => {
    const x = [0.3, 0.6], y = [0.25, 1, 0];
    for (const [cost, output, C] of [
      ["quadratic", "tanh", (a: Float32Array) => 0.5 * a.reduce((s, v, j) => s + (v - y[j]) ** 2, 0)],
      ["cross-entropy", "sigmoid", (a: Float32Array) => -a.reduce((s, v, j) => s + y[j] * Math.log(v) + (1 - y[j]) * Math.log(1 - v), 0)],
      ["log-likelihood", "softmax", (a: Float32Array) => -Math.log(a[1])],
    ] as const) {
      const net = new Network([2, 3], { backend, seed: 8, cost, output });
      const yy = cost === "log-likelihood" ? [0, 1, 0] : y;
      const a = net.feedforward(x);
      expect(net.evaluate([[x, yy]]).cost, cost).toBeCloseTo(C(a), 5);
    }
  });
});

describe("activation options and pairing errors", () => {
  const err = (f: () => unknown): OptionError => {
    try { f(); } catch (e) { return e as OptionError; }
    throw new Error("did not throw");
  };
  const expectOptionError = (f: () => unknown, argument: string) => {
    const e = err(f);
    expect(e).toBeInstanceOf(OptionError);
    expect(e.argument).toBe(argument);
    expect(e.message).toContain(argument);
  };

  it("per-layer activations: one name, an array per hidden layer, or per layer; output default by cost", () => {
    expect(new Network([2, 3, 3, 1], { activation: "relu" }).activations).toEqual(["relu", "relu", "sigmoid"]);
    expect(new Network([2, 3, 3, 1], { activation: ["relu", "tanh"], output: "linear" }).activations).toEqual(["relu", "tanh", "linear"]);
    expect(new Network([2, 3, 3, 1], { activation: ["relu", "tanh", "linear"] }).activations).toEqual(["relu", "tanh", "linear"]);
    expect(new Network([2, 3, 4], { cost: "log-likelihood" }).activations).toEqual(["sigmoid", "softmax"]);
    expect(new Network([2, 3, 4], { cost: "cross-entropy" }).activations).toEqual(["sigmoid", "sigmoid"]);
    expect(new Network([2, 4]).activations).toEqual(["sigmoid"]);
  });

  it("invalid pairings are refused at construction, naming the option", () => {
    expectOptionError(() => new Network([2, 3], { output: "softmax" }), "options.cost"); // softmax + quadratic
    expectOptionError(() => new Network([2, 3], { output: "softmax", cost: "quadratic" }), "options.cost");
    expectOptionError(() => new Network([2, 3], { output: "softmax", cost: "cross-entropy" }), "options.output");
    expectOptionError(() => new Network([2, 3], { output: "tanh", cost: "cross-entropy" }), "options.output");
    expectOptionError(() => new Network([2, 3], { output: "relu", cost: "cross-entropy" }), "options.output");
    expectOptionError(() => new Network([2, 3], { output: "sigmoid", cost: "log-likelihood" }), "options.output");
    expectOptionError(() => new Network([2, 3], { output: "linear", cost: "log-likelihood" }), "options.output");
    expectOptionError(() => new Network([2, 3, 3], { activation: "softmax" }), "options.activation[0]");
    expectOptionError(() => new Network([2, 3, 3, 3], { activation: ["relu", "softmax"] }), "options.activation[1]");
    expectOptionError(() => new Network([2, 3, 3, 3], { activation: ["relu", "tanh", "softmax"], cost: "quadratic" }), "options.cost");
  });

  it("bad activation / cost values are refused, naming the option", () => {
    expectOptionError(() => new Network([2, 3], { activation: "ReLU" as never }), "options.activation");
    expectOptionError(() => new Network([2, 3, 3], { activation: ["relu", "nope"] as never }), "options.activation[1]");
    expectOptionError(() => new Network([2, 3, 3], { activation: ["relu", "relu", "relu", "relu"] }), "options.activation");
    expectOptionError(() => new Network([2, 3], { output: "identity" as never }), "options.output");
    expectOptionError(() => new Network([2, 3], { cost: "crossentropy" as never }), "options.cost");
    expectOptionError(() => new Network([2, 3, 3, 3], { activation: ["relu", "relu", "tanh"], output: "sigmoid" }), "options.output");
    expectOptionError(() => new Network([2, 3], { activaton: "relu" } as never), "options.activaton");
  });
});
