// Each kernel on its own, over the layer shapes of the networks in the suite, on every backend.
// Reports µs per call, GFLOP/s and % of the build's peak (for the O(n³) kernels).
import { createKernels } from "../src/wasm.js";
import type { Kernels, BackendName } from "../src/kernels.js";
import { Random } from "../src/random.js";
import { timeCall, peakFor, type Peaks } from "./common.js";

/** [nIn, nOut, m]: the layers of [784,30,10] at m=10 and of [784,512,512,10] at m=64 and 128; 784×30 at the inference chunk of 256. */
export const SHAPES: [number, number, number][] = [
  [784, 30, 10], [30, 10, 10],
  [784, 512, 64], [512, 512, 64], [512, 10, 64],
  [512, 512, 128],
  [784, 30, 256],
];

export interface KernelRow {
  backend: BackendName;
  kernel: string;
  nIn: number;
  nOut: number;
  m: number;
  usPerCall: number;
  gflops: number;
  /** Fraction of the build's peak (matrix kernels only). */
  ofPeak: number | null;
}

/** Allocates f32 buffers (filled with values in [lo, hi)) in a kernel set's memory. */
function arena(k: Kernels, rng: Random) {
  let top = k.heapBase();
  return (n: number, lo = -1, hi = 1): number => {
    const p = top;
    top += Math.ceil((n * 4) / 64) * 64 + 64;
    const need = top - k.memory.buffer.byteLength;
    if (need > 0) k.memory.grow(Math.ceil(need / 65536));
    const F = new Float32Array(k.memory.buffer, p, n);
    for (let i = 0; i < n; i++) F[i] = lo + (hi - lo) * rng.next();
    return p;
  };
}

export function kernelBench(backends: BackendName[], peaks: Peaks, { timeMs = 120, log = true, shapes = SHAPES } = {}): KernelRow[] {
  const rows: KernelRow[] = [];
  for (const [nIn, nOut, m] of shapes) {
    for (const backend of backends) {
      const k = createKernels(backend, "bench");
      const alloc = arena(k, new Random(nIn * 7 + nOut * 3 + m));
      const w = alloc(nOut * nIn, -0.1, 0.1), b = alloc(nOut), g = alloc(nOut * nIn), gb = alloc(nOut);
      const x = alloc(m * nIn, 0, 1), a = alloc(m * nOut, 0.01, 0.99), y = alloc(m * nOut, 0, 1);
      const d = alloc(m * nOut, -0.1, 0.1), dPrev = alloc(m * nIn), aPrevAct = alloc(m * nIn, 0.01, 0.99);
      const len = nIn * nOut, v = alloc(len, -0.01, 0.01), m1 = alloc(len, -0.01, 0.01), m2 = alloc(len, 0, 0.01);
      const mac = nIn * nOut * m;
      const peak = peakFor(peaks, backend);
      const cases: [string, () => void, number, boolean][] = [
        ["forward (sigmoid)", () => k.forward(a, w, b, x, nIn, nOut, m, 0), 2 * mac, true],
        ["bp1 (quadratic)", () => k.bp1(d, a, y, nOut, m, 0, 0), 4 * nOut * m, false],
        ["bp2", () => k.bp2(dPrev, d, w, aPrevAct, nIn, nOut, m, 0), 2 * mac, true],
        ["bp3", () => k.bp3(gb, d, nOut, m), nOut * m, false],
        ["bp4", () => k.bp4(g, d, x, nIn, nOut, m), 2 * mac, true],
        ["sgd (weights)", () => k.sgd(w, g, nIn * nOut, 1e-9, 1, 0), 3 * nIn * nOut, false],
        ["bp3+bp4+sgd", () => { k.bp3(gb, d, nOut, m); k.bp4(g, d, x, nIn, nOut, m); k.sgd(w, g, nIn * nOut, 1e-9, 1, 0); k.sgd(b, gb, nOut, 1e-9, 1, 0); }, 2 * mac, true],
        ["bp4sgd (fused)", () => k.bp4sgd(w, b, d, x, nIn, nOut, m, 1e-9, 1, 0), 2 * mac, true],
        // The other optimizers' steps over the weights (after bp4). FLOP per weight as written in
        // assembly/momentum.ts (v = μv − s·g: 3; w = d·w + v: 2) and adam.ts (g scaled 1, m1 3,
        // m2 4, step with sqrt and divide 4, w 2: 14), L1 terms not counted. Memory-bound: they
        // stream 3 and 4 arrays of the layer's size.
        ["momentum (weights)", () => k.momentum(w, v, g, len, 0.9, 1e-9, 1, 0), 5 * len, false],
        ["adam (weights)", () => k.adam(w, m1, m2, g, len, 1, 1e-9, 0.9, 0.999, 1e-8, 1, 0), 14 * len, false],
      ];
      for (const [kernel, fn, flop, matrix] of cases) {
        const t = timeCall(`${backend} ${kernel} ${nIn}x${nOut} m=${m}`, fn, backend === "js" ? Math.max(timeMs, 200) : timeMs);
        const gflops = flop / t.seconds / 1e9;
        const row: KernelRow = { backend, kernel, nIn, nOut, m, usPerCall: t.seconds * 1e6, gflops, ofPeak: matrix ? gflops / peak : null };
        rows.push(row);
        if (log) console.error(`  ${backend.padEnd(12)} ${kernel.padEnd(18)} ${`${nIn}x${nOut} m=${m}`.padEnd(16)} ${row.usPerCall.toFixed(2).padStart(9)} µs  ${gflops.toFixed(2).padStart(6)} GFLOP/s${matrix ? `  ${(100 * row.ofPeak!).toFixed(0)}% of peak` : ""}`);
      }
    }
  }
  return rows;
}
