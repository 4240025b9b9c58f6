// One training run of a NetworkWorker with threads, the same in a page (threads.html, and the
// bundled apps of threads.test.ts, which inline this file's text) and in Node (threads.test.ts
// runs it with an in-thread Network). Plain JavaScript, no imports: a page loads it as it is.
// [784, 256, 10] at m = 64: each forward and SGD job is ≈ 13 M multiply-adds, above
// THREAD_WORK.min (8 M), so a network with threads really splits its jobs.
export const SIZES = [784, 256, 10];
export const TRAIN = { epochs: 2, batchSize: 64, learningRate: 0.5, shuffle: true };

/** 640 seeded digits-like samples (mulberry32, independent of the library). */
export function threadsData() {
  let a = 15;
  const r = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const n = 640, inputs = new Float32Array(n * SIZES[0]), labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = Math.floor(r() * 10);
    for (let k = 0; k < SIZES[0]; k++) inputs[i * SIZES[0] + k] = (k % 10 === labels[i] ? 0.5 : 0) + r() * 0.5;
  }
  return { inputs, labels };
}

/**
 * Creates a network with `make(sizes, options)` (NetworkWorker.create, or an in-thread Network
 * wrapped in promises), trains it, and returns what it got: threads, backend, the model JSON
 * and its outputs on the first 100 samples (as plain numbers).
 */
export async function threadsRun(make, options) {
  const data = threadsData();
  const net = await make(SIZES, { seed: 3, backend: "wasm-simd", ...options });
  const history = await net.train(data, TRAIN);
  const out = Array.from(await net.feedforwardBatch(data.inputs.subarray(0, 100 * SIZES[0])));
  return { threads: net.threads, backend: net.backend, costs: history.map((s) => s.cost), json: JSON.stringify(await net.toJSON()), out, net };
}
