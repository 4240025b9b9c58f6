// Where the time of the two small-net cases goes, kernel call by kernel call:
//   1. one mini-batch of Network.train for [784,30,10], m = 10, plain SGD (what #load,
//      #forward, cost and #backwardSgd call, in that order);
//   2. feedforwardBatch over 10,000 digits for [784,30,10] (copy in, allFinite, two forward
//      calls per 256-row chunk, copy out).
// Each piece runs alone in a loop over the whole epoch / the 10,000 digits (median of 21 runs),
// on the same kernels and the same memory layout, with real MNIST digits in the shuffled order
// train() uses. The sum of the pieces is close to, and a little under, what the end-to-end
// figures of `npm run bench` give: the rest is the JS around the calls.
//
//   node --import tsx bench/breakdown.ts [backend ...]      (default: wasm-simd)
//   node --experimental-wasm-relaxed-simd --import tsx bench/breakdown.ts wasm-relaxed
import "../src/node.js"; // registers every wasm build
import { createKernels } from "../src/wasm.js";
import type { BackendName, Kernels } from "../src/kernels.js";
import { mnistSplit } from "../src/data/mnist.js";
import { Random } from "../src/random.js";
import { trainFlops, inferFlops, median } from "./common.js";

const SIZES = [784, 30, 10] as const;
const [N0, N1, N2] = SIZES;
const SIGMOID = 0, QUADRATIC = 0;

/** Bump allocator over a kernels instance's memory: byte pointers, 64-byte aligned. */
function arena(k: Kernels, floats: number) {
  let top = (k.heapBase() + 63) & ~63;
  const need = top + floats * 4 + 64 * 32 - k.memory.buffer.byteLength;
  if (need > 0) k.memory.grow(Math.ceil(need / 65536));
  return (n: number) => { const p = top; top += (n * 4 + 63) & ~63; return p; };
}

/** Median milliseconds of fn over `runs` runs, after two warm-up runs. */
function ms(fn: () => void, runs = 21): number {
  fn(); fn();
  const t: number[] = [];
  for (let r = 0; r < runs; r++) { const t0 = performance.now(); fn(); t.push(performance.now() - t0); }
  return median(t);
}

function training(backend: BackendName, inputs: Float32Array, labels: Uint8Array) {
  const k = createKernels(backend, "bench/breakdown.ts");
  const m = 10, n = labels.length, batches = n / m;
  const alloc = arena(k, N1 * N0 + N1 + N2 * N1 + N2 + m * (N0 + 2 * N1 + 3 * N2));
  const w1 = alloc(N1 * N0), b1 = alloc(N1), w2 = alloc(N2 * N1), b2 = alloc(N2);
  const x = alloc(m * N0), a1 = alloc(m * N1), a2 = alloc(m * N2), y = alloc(m * N2), d1 = alloc(m * N1), d2 = alloc(m * N2);
  const F = new Float32Array(k.memory.buffer);
  const rng = new Random(1);
  rng.gaussians(F, w1 >> 2, (b2 >> 2) + N2 - (w1 >> 2), 0.1);
  const rows = Array.from({ length: n }, (_, i) => inputs.subarray(i * N0, (i + 1) * N0));
  const idx = new Uint32Array(n).map((_, i) => i);
  rng.shuffle(idx);
  // η = 0: the weights stay put, so every run does the same arithmetic on the same numbers.
  const scale = 0;
  const pieces: [string, (b: number) => void][] = [
    ["copy 10 shuffled rows in (#load)", (b) => {
      for (let r = 0; r < m; r++) F.set(rows[idx[b * m + r]], (x >> 2) + r * N0);
      F.fill(0, y >> 2, (y >> 2) + m * N2);
      for (let r = 0; r < m; r++) F[(y >> 2) + r * N2 + labels[idx[b * m + r]]] = 1;
    }],
    ["forward 784→30", () => k.forward(a1, w1, b1, x, N0, N1, m, SIGMOID)],
    ["forward 30→10", () => k.forward(a2, w2, b2, a1, N1, N2, m, SIGMOID)],
    ["cost", () => k.cost(a2, y, N2, m, QUADRATIC)],
    ["bp1", () => k.bp1(d2, a2, y, N2, m, SIGMOID, QUADRATIC)],
    ["bp2 (δ¹ from δ², w²)", () => k.bp2(d1, d2, w2, a1, N1, N2, m, SIGMOID)],
    ["bp4sgd 30→10", () => k.bp4sgd(w2, b2, d2, a1, N1, N2, m, scale, 1, 0)],
    ["bp4sgd 784→30", () => k.bp4sgd(w1, b1, d1, x, N0, N1, m, scale, 1, 0)],
  ];
  // Load a real batch and run one forward/backward so every buffer holds real values.
  for (const [, f] of pieces) f(0);
  const out = pieces.map(([name, f]) => [name, (ms(() => { for (let b = 0; b < batches; b++) f(b); }) * 1000) / batches] as const);
  const total = out.reduce((s, [, us]) => s + us, 0);
  // The same calls in train()'s order, batch after batch: each piece then finds in the caches
  // what the others left there, not its own data from its previous call.
  const fns = pieces.map(([, f]) => f);
  const inOrder = (ms(() => { for (let b = 0; b < batches; b++) for (const f of fns) f(b); }) * 1000) / batches;
  // What the row copy costs without the shuffle (rows in order), and with the rows in cache (the
  // same 10 rows every batch): the difference to the shuffled copy is cache and TLB misses.
  const copy = (row: (b: number, r: number) => number) => (ms(() => {
    for (let b = 0; b < batches; b++) for (let r = 0; r < m; r++) F.set(rows[row(b, r)], (x >> 2) + r * N0);
  }) * 1000) / batches;
  const reference = [["copy 10 rows in, in order", copy((b, r) => b * m + r)], ["copy 10 rows in, the same 10 each time", copy((_, r) => r)]] as const;
  return { out, total, inOrder, reference, perSecond: (m / total) * 1e6, flops: trainFlops(SIZES) };
}

function inference(backend: BackendName, inputs: Float32Array) {
  const k = createKernels(backend, "bench/breakdown.ts");
  const count = inputs.length / N0, chunk = 256;
  const alloc = arena(k, N1 * N0 + N1 + N2 * N1 + N2 + chunk * (N0 + N1 + N2));
  const w1 = alloc(N1 * N0), b1 = alloc(N1), w2 = alloc(N2 * N1), b2 = alloc(N2);
  const x = alloc(chunk * N0), a1 = alloc(chunk * N1), a2 = alloc(chunk * N2);
  const F = new Float32Array(k.memory.buffer);
  const rng = new Random(2);
  rng.gaussians(F, w1 >> 2, (b2 >> 2) + N2 - (w1 >> 2), 0.1);
  const result = new Float32Array(count * N2);
  const each = (f: (start: number, m: number) => void) => () => {
    for (let start = 0; start < count; start += chunk) f(start, Math.min(chunk, count - start));
  };
  const pieces: [string, () => void][] = [
    ["copy rows in", each((s, m) => F.set(inputs.subarray(s * N0, (s + m) * N0), x >> 2))],
    ["allFinite (input check)", each((_, m) => { k.allFinite(x, m * N0); })],
    ["forward 784→30", each((_, m) => k.forward(a1, w1, b1, x, N0, N1, m, SIGMOID))],
    ["forward 30→10", each((_, m) => k.forward(a2, w2, b2, a1, N1, N2, m, SIGMOID))],
    ["copy outputs out", each((s, m) => result.set(F.subarray(a2 >> 2, (a2 >> 2) + m * N2), s * N2))],
  ];
  const out = pieces.map(([name, f]) => [name, ms(f)] as const);
  const total = out.reduce((s, [, t]) => s + t, 0);
  return { out, total, perSecond: count / (total / 1000), flops: inferFlops(SIZES) };
}

const list = (process.argv.slice(2).length ? process.argv.slice(2) : ["wasm-simd"]) as BackendName[];
const split = mnistSplit(8000, 2000, 0);
const test10k = new Float32Array(10_000 * N0);
for (let i = 0; i < 10_000; i++) test10k.set(split.train.inputs.subarray((i % 8000) * N0, (i % 8000 + 1) * N0), i * N0);
for (const backend of list) {
  const t = training(backend, split.train.inputs, split.train.labels);
  console.log(`\n${backend}: one mini-batch of [784,30,10], m = 10 (µs, median over an epoch of 8000)`);
  for (const [name, us] of t.out) console.log(`  ${name.padEnd(34)} ${us.toFixed(2).padStart(7)}  ${((100 * us) / t.total).toFixed(0).padStart(3)}%`);
  console.log(`  ${"sum".padEnd(34)} ${t.total.toFixed(2).padStart(7)}  → ${Math.round(t.perSecond).toLocaleString("en-US")} samples/s, ${((t.perSecond * t.flops) / 1e9).toFixed(1)} GFLOP/s`);
  const r = (10 / t.inOrder) * 1e6;
  console.log(`  ${"all of it, in train()'s order".padEnd(34)} ${t.inOrder.toFixed(2).padStart(7)}  → ${Math.round(r).toLocaleString("en-US")} samples/s, ${((r * t.flops) / 1e9).toFixed(1)} GFLOP/s`);
  for (const [name, us] of t.reference) console.log(`  (for reference) ${name.padEnd(40)} ${us.toFixed(2).padStart(7)}`);
  const f = inference(backend, test10k);
  console.log(`${backend}: feedforwardBatch of 10,000 digits, [784,30,10] (ms, 256-row chunks)`);
  for (const [name, t2] of f.out) console.log(`  ${name.padEnd(34)} ${t2.toFixed(2).padStart(7)}  ${((100 * t2) / f.total).toFixed(0).padStart(3)}%`);
  console.log(`  ${"sum".padEnd(34)} ${f.total.toFixed(2).padStart(7)}  → ${Math.round(f.perSecond).toLocaleString("en-US")} samples/s, ${((f.perSecond * f.flops) / 1e9).toFixed(1)} GFLOP/s`);
}
