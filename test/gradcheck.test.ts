// Gradient check: net.backprop(x, y) (f32 kernels, BP1–BP4) against central differences of a
// float64 reference cost written here from the definitions, for every supported activation ×
// cost pairing, on every backend.
//
//   ∂C/∂θ ≈ [C(θ + h) − C(θ − h)] / 2h,  h = 1e-5, in float64 (truncation error O(h²) ≈ 1e-10).
//
// Tolerance: per parameter |g_backprop − g_fd| ≤ 1e-3·|g_fd| + 1e-4·max|g_fd| (f32 kernels are
// accurate to ~1e-6 relative here; 1e-3 is the stated budget for single precision). Networks and
// inputs are chosen so that no pre-activation z lies within 1e-2 of 0 (the ReLU / leaky-ReLU kink),
// which the test asserts before comparing.
import { describe, it, expect } from "vitest";
import type { BackendName } from "../src/kernels.js";
import { Network } from "../src/index.js";
import type { Activation, Cost } from "../src/kernels.js";
import { BACKENDS } from "./helpers.js";
import { Random } from "../src/random.js";
import { lab } from "./helpers.js";
import { fillMask } from "../src/dropout.js";
import { activationCode, costCode } from "../src/kernels.js";

const H = 1e-5;
const REL = 1e-3, ABS = 1e-4;
const KINK_MARGIN = 1e-2;

const sig = (z: number) => 1 / (1 + Math.exp(-z));
const ACT64: Record<Exclude<Activation, "softmax">, (z: number) => number> = {
  sigmoid: sig,
  tanh: Math.tanh,
  relu: (z) => (z > 0 ? z : 0),
  "leaky-relu": (z) => (z > 0 ? z : 0.01 * z),
  linear: (z) => z,
};

interface Params { W: number[][][]; B: number[][] }

/**
 * Float64 forward pass; returns the output activations and every pre-activation z. With masks
 * (inverted dropout, one per hidden layer: 0 or 1/(1 − p) per neuron), hidden layer l's
 * activations are multiplied by masks[l] before the next layer reads them.
 */
function forward64(p: Params, acts: readonly Activation[], x: readonly number[], masks?: readonly (readonly number[])[]): { a: number[]; zs: number[] } {
  let a = [...x];
  const zs: number[] = [];
  p.W.forEach((w, l) => {
    if (masks && l > 0) a = a.map((v, k) => v * masks[l - 1][k]);
    const z = w.map((row, j) => row.reduce((s, wjk, k) => s + wjk * a[k], p.B[l][j]));
    zs.push(...z);
    const act = acts[l];
    if (act === "softmax") {
      const mx = Math.max(...z);
      const e = z.map((v) => Math.exp(v - mx));
      const sum = e.reduce((s, v) => s + v, 0);
      a = e.map((v) => v / sum);
    } else {
      a = z.map(ACT64[act]);
    }
  });
  return { a, zs };
}

/** C_x from the definitions (Nielsen eq. 6/26, ch. 3 eq. 63 and 80). */
function cost64(cost: Cost, a: number[], y: number[]): number {
  let c = 0;
  for (let j = 0; j < a.length; j++) {
    if (cost === "quadratic") c += 0.5 * (a[j] - y[j]) ** 2;
    else if (cost === "cross-entropy") c -= y[j] * Math.log(a[j]) + (1 - y[j]) * Math.log(1 - a[j]);
    else c -= y[j] * Math.log(a[j]);
  }
  return c;
}

function numericGradient(p: Params, acts: readonly Activation[], cost: Cost, x: number[], y: number[],
                         masks?: readonly (readonly number[])[]): Params {
  const C = () => cost64(cost, forward64(p, acts, x, masks).a, y);
  const d = (get: () => number, set: (v: number) => void) => {
    const v0 = get();
    set(v0 + H); const cp = C();
    set(v0 - H); const cm = C();
    set(v0);
    return (cp - cm) / (2 * H);
  };
  return {
    W: p.W.map((w) => w.map((row) => row.map((_, k) => d(() => row[k], (v) => (row[k] = v))))),
    B: p.B.map((b) => b.map((_, j) => d(() => b[j], (v) => (b[j] = v)))),
  };
}

function compare(got: number[], want: number[], what: string) {
  const gmax = Math.max(...want.map(Math.abs));
  expect(gmax, `${what}: gradient not trivially zero`).toBeGreaterThan(1e-6);
  let worst = 0, at = -1;
  want.forEach((w, i) => {
    const ratio = Math.abs(got[i] - w) / (REL * Math.abs(w) + ABS * gmax);
    if (!(ratio <= worst)) { worst = ratio; at = i; }
  });
  expect(worst, `${what}: worst at [${at}] backprop ${got[at]} vs finite difference ${want[at]} (ratio to tolerance ${worst})`)
    .toBeLessThanOrEqual(1);
}

const HIDDEN: Exclude<Activation, "softmax">[] = ["sigmoid", "tanh", "relu", "leaky-relu", "linear"];
/** Every supported (output activation, cost) pairing. */
const OUTPUTS: [Activation, Cost][] = [
  ["sigmoid", "quadratic"], ["tanh", "quadratic"], ["relu", "quadratic"], ["leaky-relu", "quadratic"], ["linear", "quadratic"],
  ["sigmoid", "cross-entropy"], ["softmax", "log-likelihood"],
];
const SIZES = [[3, 4, 5, 2], [5, 3, 4]];

/** An input and a target for which no z is within KINK_MARGIN of 0 (searched deterministically). */
function pickExample(net: Network, rng: Random, cost: Cost, acts: readonly Activation[]) {
  const p: Params = { W: net.weights, B: net.biases };
  const nIn = net.sizes[0], nOut = net.sizes.at(-1)!;
  for (let tries = 0; tries < 300; tries++) {
    const x = Array.from({ length: nIn }, () => Math.fround(rng.next() * 2 - 1));
    const { zs } = forward64(p, acts, x);
    // Also: every ReLU layer must have a live unit, or the gradients are 0 and check nothing.
    let at = 0;
    const live = acts.every((act, l) => {
      const n = net.sizes[l + 1], layer = zs.slice(at, (at += n));
      return act !== "relu" || layer.some((z) => z > 0);
    });
    if (live && zs.every((z) => Math.abs(z) > KINK_MARGIN)) {
      let y: number[];
      if (cost === "log-likelihood") {
        y = new Array(nOut).fill(0);
        y[rng.int(nOut)] = 1;
      } else {
        y = Array.from({ length: nOut }, () => Math.fround(rng.next()));
      }
      return { x, y, p };
    }
  }
  return null;
}

/** A network (seed 42, 43, … until one has a usable example) and a kink-free example for it. */
function makeCase(sizes: number[], backend: string, options: object, rng: Random) {
  for (let seed = 42; seed < 142; seed++) {
    const net = new Network(sizes, { backend: backend as never, seed, ...options });
    const ex = pickExample(net, rng, net.cost, net.activations);
    if (ex) return { net, ...ex };
  }
  throw new Error("no usable network/example found");
}

describe.each(BACKENDS)("gradient check on %s", (backend) => {
  for (const sizes of SIZES) {
    for (const [output, cost] of OUTPUTS) {
      it.each(HIDDEN)(`${JSON.stringify(sizes)} hidden %s, output ${output}, ${cost}`, (hidden) => {
        const rng = new Random(sizes.length * 100 + HIDDEN.indexOf(hidden) * 10 + OUTPUTS.findIndex((o) => o[0] === output && o[1] === cost));
        for (let trial = 0; trial < 2; trial++) {
          const { net, x, y, p } = makeCase(sizes, backend, { activation: hidden, output, cost }, rng);
          const num = numericGradient(p, net.activations, cost, x, y);
          const { nablaW, nablaB } = net.backprop(x, y);
          compare(nablaW.flat(2), num.W.flat(2), `∂C/∂w trial ${trial}`);
          compare(nablaB.flat(), num.B.flat(), `∂C/∂b trial ${trial}`);
        }
      });
    }
  }

  it("mixed per-layer activations (array option) and a class-index target", () => {
    const configs: { sizes: number[]; activation: Activation[]; output?: Activation; cost: Cost }[] = [
      { sizes: [3, 4, 5, 2], activation: ["tanh", "leaky-relu"], output: "sigmoid", cost: "cross-entropy" },
      { sizes: [3, 4, 5, 2], activation: ["relu", "sigmoid", "softmax"], cost: "log-likelihood" },
      { sizes: [5, 3, 4], activation: ["linear", "tanh"], cost: "quadratic" },
      { sizes: [2, 6, 5, 4, 3], activation: ["sigmoid", "relu", "tanh"], output: "softmax", cost: "log-likelihood" },
    ];
    const rng = new Random(7);
    for (const c of configs) {
      const { net, x, y, p } = makeCase(c.sizes, backend, { activation: c.activation, output: c.output, cost: c.cost }, rng);
      const num = numericGradient(p, net.activations, c.cost, x, y);
      const { nablaW, nablaB } = net.backprop(x, y);
      compare(nablaW.flat(2), num.W.flat(2), `${JSON.stringify(c)} ∂C/∂w`);
      compare(nablaB.flat(), num.B.flat(), `${JSON.stringify(c)} ∂C/∂b`);
      if (c.cost === "log-likelihood") {
        // y given as a class index means the one-hot vector: the same gradient.
        const byIndex = net.backprop(x, y.indexOf(1));
        expect(byIndex.nablaW.flat(2)).toEqual(nablaW.flat(2));
      }
    }
  });
});

describe.each(BACKENDS)("batched gradient on %s", (backend) => {
  // The mini-batch path (BP1–BP4 over m samples at once, then the update) checked the same way:
  // one SGD step w1 = w0 − (η/m) Σ_x ∇C_x, so (w0 − w1)·m/η recovers the batch's summed gradient,
  // compared with central differences of Σ_x C_x in float64.
  it.each([
    [[5, 3, 4], "tanh", "sigmoid", "cross-entropy", 7],
    [[3, 4, 5, 2], "leaky-relu", "softmax", "log-likelihood", 13],
    [[5, 3, 4], "sigmoid", "linear", "quadratic", 9],
  ] as [number[], Activation, Activation, Cost, number][])("%j hidden %s, output %s, %s, m = %i", (sizes, hidden, output, cost, m) => {
    const rng = new Random(m);
    const net = new Network(sizes, { backend, seed: 5, activation: hidden, output, cost });
    const p: Params = { W: net.weights, B: net.biases };
    const nOut = sizes.at(-1)!;
    const data: [number[], number[]][] = [];
    while (data.length < m) {
      const x = Array.from({ length: sizes[0] }, () => Math.fround(rng.next() * 2 - 1));
      if (!forward64(p, net.activations, x).zs.every((z) => Math.abs(z) > KINK_MARGIN)) continue;
      const y = cost === "log-likelihood" ? Array.from({ length: nOut }, (_, j) => (j === data.length % nOut ? 1 : 0))
        : Array.from({ length: nOut }, () => Math.fround(rng.next()));
      data.push([x, y]);
    }
    // Σ_x C_x in float64 and its central differences
    const total = { W: p.W.map((w) => w.map((r) => r.map(() => 0))), B: p.B.map((b) => b.map(() => 0)) };
    for (const [x, y] of data) {
      const g = numericGradient(p, net.activations, cost, x, y);
      g.W.forEach((w, l) => w.forEach((r, j) => r.forEach((v, k) => (total.W[l][j][k] += v))));
      g.B.forEach((b, l) => b.forEach((v, j) => (total.B[l][j] += v)));
    }
    const eta = 0.1 * m; // η/m = 0.1: the step is large enough to recover the gradient from f32 weights
    const w0 = net.weights.flat(2), b0 = net.biases.flat();
    net.train(data, { epochs: 1, batchSize: m, shuffle: false, learningRate: eta });
    const gW = net.weights.flat(2).map((w, i) => ((w0[i] - w) * m) / eta);
    const gB = net.biases.flat().map((b, i) => ((b0[i] - b) * m) / eta);
    compare(gW, total.W.flat(2), "Σ∂C/∂w from the batched step");
    compare(gB, total.B.flat(), "Σ∂C/∂b from the batched step");
  });
});

describe("backends agree", () => {
  it("backprop on every backend matches the js baseline to f32 rounding", () => {
    const x = [0.3, -0.7, 0.9], y = [0, 1];
    const grad = (backend: BackendName) =>
      new Network([3, 4, 5, 2], { backend, seed: 11, activation: "tanh", cost: "cross-entropy" }).backprop(x, y).nablaW.flat(2);
    const ref = grad("js");
    const others = BACKENDS.filter((b) => b !== "js");
    expect(others.length).toBeGreaterThan(0);
    for (const b of others) grad(b).forEach((v, i) => expect(Math.abs(v - ref[i]), `${b} [${i}]`).toBeLessThan(1e-6));
  });
});

describe.each(BACKENDS)("dropout gradient with a fixed mask on %s", (backend) => {
  // Inverted dropout as the network composes it: forward ã^l = σ(z^l) ⊙ μ^l (kernels.forward, then
  // kernels.dropout into a buffer of its own, so BP2's σ' still reads the undropped a^l); backward
  // BP1, then per layer BP4 on ã^(l−1), BP2 and δ^l ⊙= μ^l (kernels.dropout in place). Compared with
  // central differences of the float64 cost of the same network with the same fixed masks.
  it.each([
    [[3, 4, 5, 2], ["sigmoid", "tanh"], "sigmoid", "cross-entropy", 0.5],
    [[4, 6, 5, 3], ["relu", "leaky-relu"], "softmax", "log-likelihood", 0.3],
    [[5, 7, 2], ["tanh"], "linear", "quadratic", 0.2],
  ] as [number[], Activation[], Activation, Cost, number][])("%j hidden %j, output %s, %s, p = %f", (sizes, hidden, output, cost, p) => {
    const rng = new Random(sizes.length * 31 + sizes[1]);
    const L = sizes.length - 1, acts = [...hidden, output];
    const net = new Network(sizes, { seed: 3, activation: hidden, output, cost });
    const P: Params = { W: net.weights, B: net.biases };
    // Masks with at least one kept and one dropped neuron per layer, from the seeded generator.
    let masks: number[][] = [];
    for (let tries = 0; tries < 100; tries++) {
      masks = sizes.slice(1, -1).map((n) => { const f = new Float32Array(n); fillMask(rng, f, 0, n, p); return Array.from(f); });
      if (masks.every((m) => m.some((v) => v === 0) && m.some((v) => v > 0))) break;
    }
    expect(masks.every((m) => m.some((v) => v === 0) && m.some((v) => v > 0))).toBe(true);
    let x: number[] = [];
    for (let tries = 0; tries < 300; tries++) {
      x = Array.from({ length: sizes[0] }, () => Math.fround(rng.next() * 2 - 1));
      if (forward64(P, acts, x, masks).zs.every((z) => Math.abs(z) > KINK_MARGIN)) break;
    }
    expect(forward64(P, acts, x, masks).zs.every((z) => Math.abs(z) > KINK_MARGIN)).toBe(true);
    const nOut = sizes[L];
    const y = cost === "log-likelihood" ? Array.from({ length: nOut }, (_, j) => (j === 1 ? 1 : 0)) : Array.from({ length: nOut }, () => Math.fround(rng.next()));

    const K = lab(backend), k = K.k;
    const w = P.W.map((wl) => K.alloc(wl.flat().length, wl.flat())), b = P.B.map((bl) => K.alloc(bl.length, bl));
    const a = sizes.map((n, l) => (l === 0 ? K.alloc(n, x) : K.alloc(n)));
    const dropped = sizes.map((n, l) => (l > 0 && l < L ? K.alloc(n) : a[l])); // ã^l (a^l itself for input and output)
    const mask = sizes.map((n, l) => (l > 0 && l < L ? K.alloc(n, masks[l - 1]) : -1));
    const delta = sizes.slice(1).map((n) => K.alloc(n)), gW = P.W.map((wl) => K.alloc(wl.flat().length)), gB = P.B.map((bl) => K.alloc(bl.length));
    const py = K.alloc(nOut, y), code = acts.map((s) => activationCode(s));
    for (let l = 0; l < L; l++) {
      k.forward(a[l + 1], w[l], b[l], dropped[l], sizes[l], sizes[l + 1], 1, code[l]);
      if (l + 1 < L) k.dropout(dropped[l + 1], a[l + 1], mask[l + 1], sizes[l + 1]);
    }
    k.bp1(delta[L - 1], a[L], py, nOut, 1, code[L - 1], costCode(cost));
    for (let l = L - 1; l >= 0; l--) {
      k.bp3(gB[l], delta[l], sizes[l + 1], 1);
      k.bp4(gW[l], delta[l], dropped[l], sizes[l], sizes[l + 1], 1);
      if (l > 0) {
        k.bp2(delta[l - 1], delta[l], w[l], a[l], sizes[l], sizes[l + 1], 1, code[l - 1]);
        k.dropout(delta[l - 1], delta[l - 1], mask[l], sizes[l]);
      }
    }
    const num = numericGradient(P, acts, cost, x, y, masks);
    const got = { W: gW.map((g, l) => Array.from(K.read(g, sizes[l] * sizes[l + 1]))), B: gB.map((g, l) => Array.from(K.read(g, sizes[l + 1]))) };
    compare(got.W.flat(), num.W.flat(2), "∂C/∂w with dropout");
    compare(got.B.flat(), num.B.flat(), "∂C/∂b with dropout");
    // The dropped neurons get exactly zero gradient on their incoming weights and biases.
    masks.forEach((m, h) => m.forEach((v, j) => { if (v === 0) expect(got.B[h][j]).toBe(0); }));
  });
});

describe.each(BACKENDS)("dropout in the network's training step on %s", (backend) => {
  // One SGD step of a network with dropout over one batch of m samples: (w0 − w1)·m/η recovers
  // Σ_x ∂C_x/∂w with each sample's own masks. The masks are drawn again here from the network's
  // generator state (toJSON().rng), in the network's order (per batch, hidden layers in order,
  // m × n_l values each), and the gradient compared with central differences of Σ_x C_x in float64.
  it.each([
    [[4, 6, 5, 3], ["tanh", "sigmoid"], "sigmoid", "cross-entropy", [0.5, 0.3], 5],
    [[3, 7, 2], ["relu"], "softmax", "log-likelihood", [0.4], 6],
  ] as [number[], Activation[], Activation, Cost, number[], number][])("%j hidden %j, output %s, %s, p = %j, m = %i", (sizes, hidden, output, cost, ps, m) => {
    const rng = new Random(m * 13);
    const net = new Network(sizes, { backend, seed: 8, activation: hidden, output, cost, dropout: ps });
    const P: Params = { W: net.weights, B: net.biases };
    const gen = new Random(net.toJSON().rng);
    const batchMasks = sizes.slice(1, -1).map((n, h) => { const f = new Float32Array(m * n); fillMask(gen, f, 0, m * n, ps[h]); return f; });
    const maskOf = (s: number) => batchMasks.map((f, h) => Array.from(f.subarray(s * sizes[h + 1], (s + 1) * sizes[h + 1])));
    const nOut = sizes.at(-1)!, acts = [...hidden, output];
    const data: [number[], number[]][] = [];
    for (let tries = 0; data.length < m && tries < 1000; tries++) {
      const x = Array.from({ length: sizes[0] }, () => Math.fround(rng.next() * 2 - 1));
      if (!forward64(P, acts, x, maskOf(data.length)).zs.every((z) => Math.abs(z) > KINK_MARGIN)) continue;
      const y = cost === "log-likelihood" ? Array.from({ length: nOut }, (_, j) => (j === data.length % nOut ? 1 : 0)) : Array.from({ length: nOut }, () => Math.fround(rng.next()));
      data.push([x, y]);
    }
    expect(data).toHaveLength(m);
    const total = { W: P.W.map((w) => w.map((r) => r.map(() => 0))), B: P.B.map((b) => b.map(() => 0)) };
    data.forEach(([x, y], s) => {
      const g = numericGradient(P, acts, cost, x, y, maskOf(s));
      g.W.forEach((w, l) => w.forEach((r, j) => r.forEach((v, k) => (total.W[l][j][k] += v))));
      g.B.forEach((b, l) => b.forEach((v, j) => (total.B[l][j] += v)));
    });
    const eta = 0.1 * m, w0 = net.weights.flat(2), b0 = net.biases.flat();
    net.train(data, { epochs: 1, batchSize: m, shuffle: false, learningRate: eta });
    compare(net.weights.flat(2).map((w, i) => ((w0[i] - w) * m) / eta), total.W.flat(2), "Σ∂C/∂w with dropout, from the training step");
    compare(net.biases.flat().map((b, i) => ((b0[i] - b) * m) / eta), total.B.flat(), "Σ∂C/∂b with dropout, from the training step");
    // Inference does not drop: feedforward equals the float64 network without masks.
    const a = Array.from(net.feedforward(data[0][0]));
    const want = forward64({ W: net.weights, B: net.biases }, acts, data[0][0]).a;
    a.forEach((v, j) => expect(Math.abs(v - want[j])).toBeLessThan(1e-5));
  });
});
