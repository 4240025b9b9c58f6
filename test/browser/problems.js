// The same computations in a browser page (kernels.html) and in Node (kernels.test.ts):
// seeded random problems run through nabla's public API on each backend. Plain JavaScript
// so the page can import it without a build.

/** A seeded generator independent of the library (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Problem shapes: odd sizes on purpose (SIMD tails), every activation and cost. */
export const PROBLEMS = [
  { sizes: [7, 5, 3], activation: "sigmoid", cost: "quadratic", eta: 1 },
  { sizes: [13, 9, 6, 4], activation: "tanh", cost: "cross-entropy", eta: 0.3 },
  { sizes: [20, 17, 10], activation: "relu", cost: "log-likelihood", eta: 0.1 },
  { sizes: [5, 11, 2], activation: "leaky-relu", cost: "cross-entropy", eta: 0.2 },
];

/** Runs every problem on each backend; returns plain numbers keyed "backend/problem". */
export function compute(nabla, backends) {
  const out = {};
  PROBLEMS.forEach((p, pi) => {
    const r = rng(1000 + pi), nIn = p.sizes[0], nOut = p.sizes.at(-1), count = 24;
    const inputs = new Float32Array(count * nIn).map(() => r() * 2 - 1);
    const labels = Array.from({ length: count }, () => Math.floor(r() * nOut));
    for (const backend of backends) {
      const net = new nabla.Network(p.sizes, { seed: 7 + pi, backend, activation: p.activation, cost: p.cost });
      const before = Array.from(net.feedforwardBatch(inputs));
      const g = net.backprop(inputs.subarray(0, nIn), labels[0]);
      const history = net.train({ inputs, labels }, { epochs: 3, batchSize: 5, learningRate: p.eta });
      const after = Array.from(net.feedforwardBatch(inputs));
      const ev = net.evaluate({ inputs, labels });
      out[`${backend}/${pi}`] = {
        backend: net.backend,
        before, after,
        nablaW: g.nablaW.flat(2), nablaB: g.nablaB.flat(),
        costs: history.map((s) => s.cost),
        weights: net.weights.flat(2),
        accuracy: ev.accuracy,
      };
      net.dispose();
    }
  });
  return out;
}
