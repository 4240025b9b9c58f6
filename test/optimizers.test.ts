// Each optimizer's update against the formula computed here from net.backprop's gradients,
// and exact resumption of training through toJSON / fromJSON.
//
//   SGD (Nielsen eq. 20–21 + network2.py's L2, + L1):
//     w → (1 − ηλ/n) w − (η/m) Σ_x ∇w C_x − (ηλ₁/n) sgn(w),   b → b − (η/m) Σ_x ∇b C_x
//   momentum (ch. 3):  v → μv − (η/m) Σ_x ∇C_x,   w → (1 − ηλ/n) w + v − (ηλ₁/n) sgn(w)
//   Adam (Kingma & Ba, Alg. 1 with the step size of their §2):
//     g = (1/m) Σ_x ∇C_x,  m → β1 m + (1 − β1) g,  v → β2 v + (1 − β2) g²,
//     w → (1 − ηλ/n) w − η √(1 − β2^t)/(1 − β1^t) · m / (√v + ε) − (ηλ₁/n) sgn(w)
// Biases get no L2/L1 term in every optimizer.
import { describe, it, expect } from "vitest";
import { Network, OptionError } from "../src/index.js";
import { BACKENDS } from "./helpers.js";
import { Random } from "../src/random.js";

interface Setup { sizes: number[]; W: number[][][]; B: number[][]; data: [number[], number[]][] }
const SETUPS: Record<string, Setup> = {
  // 4 weights: the SIMD body of the update kernels only; 2 biases: the scalar tail only.
  "[2,2]": {
    sizes: [2, 2],
    W: [[[0.5, -0.25], [0, 0.75]]], // includes a 0 weight: sgn(0) = 0, so L1 leaves it alone
    B: [[0.1, -0.3]],
    data: [[[0.9, 0.2], [1, 0]], [[-0.4, 0.7], [0, 1]]],
  },
  // 9 weights: SIMD body + a scalar tail that carries L2/L1 too.
  "[3,3]": {
    sizes: [3, 3],
    W: [[[0.3, -0.6, 0.2], [0.45, 0.1, -0.35], [-0.2, 0.5, -0.7]]],
    B: [[0.05, -0.15, 0.25]],
    data: [[[0.9, 0.2, -0.3], [1, 0, 0]], [[-0.4, 0.7, 0.1], [0, 0, 1]]],
  },
};

type Flat = { w: number[]; b: number[] };
const flat = (net: Network): Flat => ({ w: net.weights.flat(2), b: net.biases.flat() });

const sgn = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0);

function expectNear(got: number[], want: number[], tol: number, what: string) {
  want.forEach((v, i) => expect(Math.abs(got[i] - v), `${what}[${i}]: got ${got[i]}, want ${v}`).toBeLessThanOrEqual(tol * (1 + Math.abs(v))));
}

const TOL = 2e-6; // f32 parameters and gradients

const CASES = BACKENDS.flatMap((backend) => Object.keys(SETUPS).map((setup) => [backend, setup] as const));

describe.each(CASES)("optimizer steps on %s, %s network", (backend, setup) => {
  const { sizes, W, B, data: DATA } = SETUPS[setup];
  const N = DATA.length, M = DATA.length;
  const once = { epochs: 1, shuffle: false, batchSize: M } as const;
  const fixedNet = (backend: string, cost: "quadratic" | "cross-entropy" = "quadratic") => {
    const net = new Network(sizes, { backend: backend as never, seed: 5, cost });
    net.weights = W;
    net.biases = B;
    return net;
  };
  /** Σ_x ∇C_x over DATA at the network's current parameters, from backprop (one example at a time). */
  const summedGradient = (net: Network): Flat => {
    const w = new Array(sizes[0] * sizes[1]).fill(0), b = new Array(sizes[1]).fill(0);
    for (const [x, y] of DATA) {
      const g = net.backprop(x, y);
      g.nablaW.flat(2).forEach((v, i) => (w[i] += v));
      g.nablaB.flat().forEach((v, i) => (b[i] += v));
    }
    return { w, b };
  };
  const zeros = () => ({ w: new Array(sizes[0] * sizes[1]).fill(0), b: new Array(sizes[1]).fill(0) });

  it("SGD: plain, with L2 (λ) and with L1, weights and biases", () => {
    for (const [eta, lambda, l1] of [[3, 0, 0], [0.5, 0.4, 0], [0.5, 0, 0.3], [2, 0.1, 0.2]]) {
      const net = fixedNet(backend);
      const { w: w0, b: b0 } = flat(net);
      const g = summedGradient(net);
      net.train(DATA, { ...once, learningRate: eta, lambda, l1 });
      const want = {
        w: w0.map((w, i) => (1 - (eta * lambda) / N) * w - (eta / M) * g.w[i] - ((eta * l1) / N) * sgn(w)),
        b: b0.map((b, i) => b - (eta / M) * g.b[i]),
      };
      const got = flat(net);
      expectNear(got.w, want.w, TOL, `η=${eta} λ=${lambda} l1=${l1} w`);
      expectNear(got.b, want.b, TOL, `η=${eta} λ=${lambda} l1=${l1} b`);
    }
  });

  it("momentum: two steps carry the velocity (also across train() calls)", () => {
    const eta = 0.8, mu = 0.5, lambda = 0.2, l1 = 0.1;
    const opts = { ...once, learningRate: eta, lambda, l1, optimizer: { name: "momentum", mu } } as const;
    const decay = 1 - (eta * lambda) / N, l1s = (eta * l1) / N;
    const net = fixedNet(backend);
    const p0 = flat(net), g1 = summedGradient(net);
    net.train(DATA, opts);
    const v1 = { w: g1.w.map((g) => -(eta / M) * g), b: g1.b.map((g) => -(eta / M) * g) };
    const p1 = flat(net);
    expectNear(p1.w, p0.w.map((w, i) => decay * w + v1.w[i] - l1s * sgn(w)), TOL, "step 1 w");
    expectNear(p1.b, p0.b.map((b, i) => b + v1.b[i]), TOL, "step 1 b");
    const g2 = summedGradient(net);
    net.train(DATA, opts);
    const v2 = { w: v1.w.map((v, i) => mu * v - (eta / M) * g2.w[i]), b: v1.b.map((v, i) => mu * v - (eta / M) * g2.b[i]) };
    const p2 = flat(net);
    expectNear(p2.w, p1.w.map((w, i) => decay * w + v2.w[i] - l1s * sgn(w)), TOL, "step 2 w");
    expectNear(p2.b, p1.b.map((b, i) => b + v2.b[i]), TOL, "step 2 b");
    // The velocity matters: plain SGD from p1 would land elsewhere.
    const sgdStep = p1.b.map((b, i) => b - (eta / M) * g2.b[i]);
    expect(Math.abs(sgdStep[0] - p2.b[0])).toBeGreaterThan(1e-3);
    // Velocity is saved with the model, weights then biases.
    const state = net.toJSON().optimizer!;
    expect(state.name).toBe("momentum");
    expectNear(state.state1, [...v2.w, ...v2.b], TOL, "saved velocity");
  });

  it("momentum with μ = 0 is SGD (to f32 rounding: the kernels round in different places)", () => {
    const a = fixedNet(backend), b = fixedNet(backend);
    for (let i = 0; i < 3; i++) {
      a.train(DATA, { ...once, learningRate: 1.5, lambda: 0.3, l1: 0.05 });
      b.train(DATA, { ...once, learningRate: 1.5, lambda: 0.3, l1: 0.05, optimizer: { name: "momentum", mu: 0 } });
    }
    expectNear(flat(b).w, flat(a).w, TOL, "w");
    expectNear(flat(b).b, flat(a).b, TOL, "b");
    expect(flat(a).w).not.toEqual(W.flat(2));
  });

  it("Adam: two steps with bias correction, L2 and L1", () => {
    const eta = 0.01, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, lambda = 0.5, l1 = 0.2;
    const decay = 1 - (eta * lambda) / N, l1s = (eta * l1) / N;
    const net = fixedNet(backend, "cross-entropy");
    let p = flat(net);
    const m1 = zeros(), m2 = zeros();
    for (let t = 1; t <= 2; t++) {
      const G = summedGradient(net);
      net.train(DATA, { ...once, learningRate: eta, lambda, l1, optimizer: "adam" });
      const lrt = (eta * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      const step = (key: "w" | "b", reg: boolean) => p[key].map((w, i) => {
        const g = G[key][i] / M;
        m1[key][i] = beta1 * m1[key][i] + (1 - beta1) * g;
        m2[key][i] = beta2 * m2[key][i] + (1 - beta2) * g * g;
        const adamStep = (lrt * m1[key][i]) / (Math.sqrt(m2[key][i]) + eps);
        return reg ? decay * w - adamStep - l1s * sgn(w) : w - adamStep;
      });
      const want = { w: step("w", true), b: step("b", false) };
      const got = flat(net);
      expectNear(got.w, want.w, TOL, `Adam t=${t} w`);
      expectNear(got.b, want.b, TOL, `Adam t=${t} b`);
      if (t === 1) {
        // Bias correction makes the first step ≈ η·sgn(g) for every parameter (|g| ≫ ε).
        got.b.forEach((b, i) => expect(p.b[i] - b).toBeCloseTo(eta * sgn(G.b[i]), 6));
      }
      p = got;
    }
    const o = net.toJSON().optimizer!;
    expect(o.name).toBe("adam");
    expect(o.t).toBe(2);
    expectNear(o.state1, [...m1.w, ...m1.b], TOL, "saved first moment");
    expectNear(o.state2!, [...m2.w, ...m2.b], TOL, "saved second moment");
  });

  it("Adam honours beta1, beta2 and epsilon", () => {
    const eta = 0.1, beta1 = 0.5, beta2 = 0.75, eps = 0.05;
    const net = fixedNet(backend);
    const p0 = flat(net), G = summedGradient(net);
    net.train(DATA, { ...once, learningRate: eta, optimizer: { name: "adam", beta1, beta2, epsilon: eps } });
    const lrt = (eta * Math.sqrt(1 - beta2)) / (1 - beta1);
    const want = p0.w.map((w, i) => {
      const g = G.w[i] / M;
      return w - (lrt * (1 - beta1) * g) / (Math.sqrt((1 - beta2) * g * g) + eps);
    });
    expectNear(flat(net).w, want, TOL, "w");
  });

  it("switching optimizer starts from zero state", () => {
    const a = fixedNet(backend);
    a.train(DATA, { ...once, learningRate: 0.5, optimizer: "momentum" });
    const b = fixedNet(backend);
    b.weights = a.weights;
    b.biases = a.biases;
    a.train(DATA, { ...once, learningRate: 0.05, optimizer: "adam" });
    b.train(DATA, { ...once, learningRate: 0.05, optimizer: "adam" });
    expect(flat(a)).toEqual(flat(b));
    expect(a.toJSON().optimizer!.t).toBe(1);
  });
});

describe.each(BACKENDS)("resuming exactly on %s", (backend) => {
  const rng = new Random(99);
  const data: [number[], number][] = Array.from({ length: 23 }, () => [
    Array.from({ length: 3 }, () => rng.next() * 2 - 1), rng.int(2),
  ]);
  const cases = [
    { optimizer: "sgd", shuffle: false }, { optimizer: "momentum", shuffle: false }, { optimizer: "adam", shuffle: false },
    { optimizer: "sgd", shuffle: true }, { optimizer: "momentum", shuffle: true }, { optimizer: "adam", shuffle: true },
  ] as const;
  it.each(cases)("$optimizer (shuffle: $shuffle): 2 epochs = 1 epoch, toJSON → JSON text → fromJSON, 1 epoch", ({ optimizer, shuffle }) => {
    const opts = { batchSize: 4, learningRate: optimizer === "adam" ? 0.01 : 0.5, lambda: 0.1, l1: 0.01, optimizer, shuffle };
    const make = () => new Network([3, 5, 2], { backend, seed: 17, activation: "tanh", cost: "log-likelihood" });
    const straight = make();
    straight.train(data, { ...opts, epochs: 2 });
    const first = make();
    first.train(data, { ...opts, epochs: 1 });
    const text = JSON.stringify(first.toJSON());
    const resumed = Network.fromJSON(text, { backend });
    resumed.train(data, { ...opts, epochs: 1 });
    expect(resumed.weights).toEqual(straight.weights);
    expect(resumed.biases).toEqual(straight.biases);
    expect(resumed.toJSON()).toEqual(straight.toJSON());
    // and the weights moved (the test would be empty otherwise)
    expect(resumed.weights).not.toEqual(first.weights);
  });
});

describe("optimizer and update option errors", () => {
  const check = (options: object, argument: string) => {
    const net = new Network([2, 2], { seed: 1 });
    const w = net.weights;
    let e: unknown;
    try { net.train(SETUPS["[2,2]"].data, options as never); } catch (x) { e = x; }
    expect(e, JSON.stringify(options)).toBeInstanceOf(OptionError);
    expect((e as OptionError).argument, JSON.stringify(options)).toBe(argument);
    expect((e as OptionError).message).toContain(argument);
    expect(net.weights, "a failed call leaves the network unchanged").toEqual(w);
  };
  it("bad values name the option", () => {
    check({ optimizer: "rmsprop" }, "options.optimizer");
    check({ optimizer: "Adam" }, "options.optimizer");
    check({ optimizer: 3 }, "options.optimizer");
    check({ optimizer: { name: "nesterov" } }, "options.optimizer.name");
    check({ optimizer: { mu: 0.5 } }, "options.optimizer.name"); // a name is required
    check({ optimizer: { name: "adam", mu: 0.5 } }, "options.optimizer.mu"); // not Adam's
    check({ optimizer: { name: "momentum", beta1: 0.5 } }, "options.optimizer.beta1");
    check({ optimizer: { name: "sgd", epsilon: 1e-8 } }, "options.optimizer.epsilon");
    check({ optimizer: { name: "momentum", mu: 1 } }, "options.optimizer.mu");
    check({ optimizer: { name: "momentum", mu: -0.1 } }, "options.optimizer.mu");
    check({ optimizer: { name: "adam", beta1: 1 } }, "options.optimizer.beta1");
    check({ optimizer: { name: "adam", beta2: NaN } }, "options.optimizer.beta2");
    check({ optimizer: { name: "adam", epsilon: 0 } }, "options.optimizer.epsilon");
    check({ optimizer: { name: "adam", eps: 1e-8 } }, "options.optimizer.eps");
    check({ lambda: -1 }, "options.lambda");
    check({ lambda: Infinity }, "options.lambda");
    check({ l1: NaN }, "options.l1");
    check({ l1: "0.1" }, "options.l1");
    check({ learningRate: 0 }, "options.learningRate");
    check({ learningRate: -3 }, "options.learningRate");
    check({ batchSize: 0 }, "options.batchSize");
    check({ eta: 3 }, "options.eta");
  });
  it("well-formed optimizer objects are accepted (undefined hyper-parameters mean the default)", () => {
    const net = new Network([2, 2], { seed: 1 });
    for (const optimizer of [{ name: "sgd" }, { name: "momentum" }, { name: "momentum", mu: 0.5 }, { name: "adam", beta2: 0.99 },
      { name: "adam", mu: undefined }] as const) {
      expect(() => net.train(SETUPS["[2,2]"].data, { optimizer: optimizer as never })).not.toThrow();
    }
  });
});
