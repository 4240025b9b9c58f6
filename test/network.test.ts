// Network-level checks: backprop against central finite differences of a float64 cost,
// backends against each other, seeded reproducibility, and the JSON round trip.
import { describe, it, expect } from "vitest";
import { Network, type Cost } from "../src/index.js";
import { BACKENDS, expectClose, sigma } from "./helpers.js";
import { Random } from "../src/random.js";

/** C_x in float64 from nested weights (the network's f32 values, widened), sigmoid hidden layers. */
function cost64(W: number[][][], B: number[][], x: number[], y: number[], cost: Cost): number {
  let a = x;
  W.forEach((w, l) => {
    const z = w.map((row, j) => row.reduce((s, wjk, k) => s + wjk * a[k], B[l][j]));
    const last = l === W.length - 1;
    if (last && cost === "log-likelihood") {
      const max = Math.max(...z), e = z.map((v) => Math.exp(v - max)), sum = e.reduce((s, v) => s + v, 0);
      a = e.map((v) => v / sum);
    } else a = z.map(sigma[0]);
  });
  if (cost === "quadratic") return a.reduce((s, aj, j) => s + 0.5 * (aj - y[j]) ** 2, 0);
  if (cost === "cross-entropy") return a.reduce((s, aj, j) => s - y[j] * Math.log(aj) - (1 - y[j]) * Math.log(1 - aj), 0);
  return a.reduce((s, aj, j) => s - y[j] * Math.log(aj), 0);
}

describe.each(BACKENDS)("backprop on %s", (backend) => {
  it.each(["quadratic", "cross-entropy", "log-likelihood"] as Cost[])("matches central differences in float64 (%s)", (cost) => {
    for (const sizes of [[3, 4, 2], [5, 3, 4, 3], [1, 1], [17, 5, 3]]) {
      const net = new Network(sizes, { backend, cost, seed: sizes.length * 7 });
      const rng = new Random(11);
      const x = sizes.slice(0, 1).flatMap((n) => Array.from({ length: n }, () => rng.next()));
      const nOut = sizes.at(-1)!;
      const y = Array.from({ length: nOut }, (_, j) => (cost === "log-likelihood" ? (j === 1 % nOut ? 1 : 0) : rng.next()));
      const W = net.weights, B = net.biases;
      const { nablaW, nablaB } = net.backprop(x, y);
      const h = 1e-6;
      const numW: number[] = [], gotW: number[] = [];
      W.forEach((w, l) => w.forEach((row, j) => row.forEach((_, k) => {
        const keep = row[k];
        row[k] = keep + h; const up = cost64(W, B, x, y, cost);
        row[k] = keep - h; const down = cost64(W, B, x, y, cost);
        row[k] = keep;
        numW.push((up - down) / (2 * h));
        gotW.push(nablaW[l][j][k]);
      })));
      const numB: number[] = [], gotB: number[] = [];
      B.forEach((b, l) => b.forEach((keep, j) => {
        b[j] = keep + h; const up = cost64(W, B, x, y, cost);
        b[j] = keep - h; const down = cost64(W, B, x, y, cost);
        b[j] = keep;
        numB.push((up - down) / (2 * h));
        gotB.push(nablaB[l][j]);
      }));
      expectClose(gotW, numW, 1e-5, `${cost} ${sizes} ∂C/∂w`);
      expectClose(gotB, numB, 1e-5, `${cost} ${sizes} ∂C/∂b`);
    }
  });

  it("feedforwardBatch equals feedforward row by row, for odd batch sizes", () => {
    const net = new Network([7, 5, 3], { backend, seed: 2 });
    const rng = new Random(5);
    for (const count of [1, 3, 300]) {
      const inputs = Float32Array.from({ length: count * 7 }, () => rng.next());
      const out = net.feedforwardBatch(inputs);
      for (const r of [0, count - 1, count >> 1]) {
        expect(Array.from(out.subarray(r * 3, r * 3 + 3))).toEqual(Array.from(net.feedforward(inputs.subarray(r * 7, r * 7 + 7))));
      }
    }
  });
});

describe("seeds, backends and the JSON round trip", () => {
  it("the same seed gives bit-identical weights, before and after shuffled training; another seed does not", () => {
    const data = Array.from({ length: 50 }, (_, i) => ({ input: [i / 50, (i % 7) / 7, 1 - i / 50], output: i % 2 }));
    const run = (seed: number) => {
      const net = new Network([3, 6, 2], { seed });
      const before = net.toJSON().weights;
      net.train(data, { epochs: 3, batchSize: 4, learningRate: 1 });
      return { before, after: net.toJSON().weights };
    };
    const a = run(42), b = run(42), c = run(43);
    expect(b.before).toEqual(a.before);
    expect(b.after).toEqual(a.after);
    expect(c.before).not.toEqual(a.before);
  });

  it("every backend starts from the same weights and trains to within tolerance of the others", () => {
    const rng = new Random(9);
    const data = Array.from({ length: 40 }, () => {
      const input = Array.from({ length: 17 }, () => rng.next());
      return { input, output: input[0] > 0.5 ? 1 : 0 };
    });
    // The pure-JS baseline first, as the reference (vitest.config.ts's "relaxed" project narrows BACKENDS).
    const results = (["js", ...BACKENDS.filter((b) => b !== "js")] as const).map((backend) => {
      const net = new Network([17, 9, 2], { backend, seed: 3 });
      const start = net.weights;
      net.train(data, { epochs: 5, batchSize: 10, learningRate: 0.5, shuffle: false });
      return { start, end: net.weights.flat(2), backend };
    });
    for (const r of results.slice(1)) {
      expect(r.start, r.backend).toEqual(results[0].start);
      expectClose(r.end, results[0].end, 1e-4, `${r.backend} vs ${results[0].backend}`);
    }
  });

  it("toJSON → JSON text → fromJSON is exact, optimizer state and generator included", () => {
    const net = new Network([4, 5, 3], { seed: 8, activation: "tanh", output: "softmax", cost: "log-likelihood" });
    const data = Array.from({ length: 12 }, (_, i) => [[i, i / 2, 1, -i].map((v) => v / 12), i % 3] as [number[], number]);
    net.train(data, { epochs: 2, batchSize: 5, learningRate: 0.1, optimizer: "adam" });
    const copy = Network.fromJSON(JSON.stringify(net));
    expect(copy.toJSON()).toEqual(net.toJSON());
    // Resuming: one more epoch on each gives identical weights (same shuffle, same Adam state).
    net.train(data, { epochs: 1, batchSize: 5, learningRate: 0.1, optimizer: "adam" });
    copy.train(data, { epochs: 1, batchSize: 5, learningRate: 0.1, optimizer: "adam" });
    expect(copy.weights).toEqual(net.weights);
  });

  it("loads Nielsen's network2.py save() format (column-vector biases, cost class name)", () => {
    const saved = {
      sizes: [2, 3, 1],
      weights: [[[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], [[0.7, -0.8, 0.9]]],
      biases: [[[0.01], [-0.02], [0.03]], [[-0.04]]],
      cost: "CrossEntropyCost",
    };
    const net = Network.fromJSON(JSON.stringify(saved));
    expect(net.cost).toBe("cross-entropy");
    const x = [0.3, 0.9];
    const h = saved.weights[0].map((row, j) => sigma[0](row[0] * x[0] + row[1] * x[1] + saved.biases[0][j][0]));
    const out = sigma[0](saved.weights[1][0].reduce((s, w, k) => s + w * h[k], saved.biases[1][0][0]));
    expect(net.feedforward(x)[0]).toBeCloseTo(out, 6);
  });
});
