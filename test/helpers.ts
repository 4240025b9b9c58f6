// Shared test helpers: a bump allocator over a backend's memory, a seeded float source,
// float64 references of every kernel, and a max-difference assertion that reports where.
import { expect } from "vitest";
import { createKernels, availableBackends } from "../src/wasm.js";
import type { Kernels, BackendName } from "../src/kernels.js";
import { Random } from "../src/random.js";

/** Every backend this engine runs (wasm-relaxed only where validated). */
/**
 * Every backend this engine runs, or those named in NABLA_TEST_BACKENDS (vitest.config.ts's
 * "relaxed" project sets it to run the relaxed build alone, in workers started with its V8 flag).
 */
export const BACKENDS: BackendName[] = process.env.NABLA_TEST_BACKENDS
  ? availableBackends().filter((b) => process.env.NABLA_TEST_BACKENDS!.split(",").includes(b))
  : availableBackends();
if (process.env.NABLA_TEST_BACKENDS && BACKENDS.length === 0) {
  throw new Error(`NABLA_TEST_BACKENDS=${process.env.NABLA_TEST_BACKENDS}, but this engine runs only ${availableBackends().join(", ")}`);
}

/** Kernels plus a bump allocator for f32 buffers in their memory. */
export function lab(backend: BackendName) {
  const k: Kernels = createKernels(backend, "test");
  let top = k.heapBase();
  const F = () => new Float32Array(k.memory.buffer);
  return {
    k,
    /** Allocates n floats (optionally filled from values) and returns the byte pointer. */
    alloc(n: number, values?: ArrayLike<number>): number {
      const p = top;
      top += Math.ceil((n * 4 + 4) / 16) * 16; // +4: a guard float after each buffer
      const need = top - k.memory.buffer.byteLength;
      if (need > 0) k.memory.grow(Math.ceil(need / 65536));
      const f = F();
      f.fill(0, p >>> 2, top >>> 2);
      if (values) f.set(values, p >>> 2);
      f[(p >>> 2) + n] = 12345; // guard: a kernel writing past its buffer changes this
      return p;
    },
    read(p: number, n: number): Float64Array {
      return Float64Array.from(F().subarray(p >>> 2, (p >>> 2) + n));
    },
    guard(p: number, n: number): number {
      return F()[(p >>> 2) + n];
    },
  };
}

/** n floats uniform in [lo, hi), rounded to f32, from a seeded generator. */
export function floats(rng: Random, n: number, lo = -1, hi = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(lo + (hi - lo) * rng.next());
  return out;
}

/** Asserts max |a − b| / (1 + |b|) ≤ tol, naming the first worst index. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = "") {
  expect(actual.length, `${what} length`).toBe(expected.length);
  let worst = 0, at = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i]));
    if (!(d <= worst)) { worst = d; at = i; }
  }
  expect(worst, `${what}: max relative difference ${worst} at [${at}] (got ${actual[at]}, want ${expected[at]})`).toBeLessThanOrEqual(tol);
}

// ---- float64 references (straight from the equations) -------------------------------------

export const sigma = [
  (z: number) => 1 / (1 + Math.exp(-z)),
  Math.tanh,
  (z: number) => Math.max(0, z),
  (z: number) => (z > 0 ? z : 0.01 * z),
  (z: number) => z,
];
export const sigmaPrime = [
  (z: number) => sigma[0](z) * (1 - sigma[0](z)),
  (z: number) => 1 - Math.tanh(z) ** 2,
  (z: number) => (z > 0 ? 1 : 0),
  (z: number) => (z > 0 ? 1 : 0.01),
  () => 1,
];

/** z = aPrev·wᵀ + b for a batch; returns z (m, nOut). */
export function refZ(w: ArrayLike<number>, b: ArrayLike<number>, aPrev: ArrayLike<number>, nIn: number, nOut: number, m: number): Float64Array {
  const z = new Float64Array(m * nOut);
  for (let s = 0; s < m; s++)
    for (let j = 0; j < nOut; j++) {
      let sum = b[j];
      for (let k = 0; k < nIn; k++) sum += w[j * nIn + k] * aPrev[s * nIn + k];
      z[s * nOut + j] = sum;
    }
  return z;
}

/** σ applied per row (softmax for act 5). */
export function refActivate(z: Float64Array, n: number, m: number, act: number): Float64Array {
  const a = new Float64Array(z.length);
  for (let s = 0; s < m; s++) {
    if (act === 5) {
      let max = -Infinity;
      for (let j = 0; j < n; j++) max = Math.max(max, z[s * n + j]);
      let sum = 0;
      for (let j = 0; j < n; j++) sum += Math.exp(z[s * n + j] - max);
      for (let j = 0; j < n; j++) a[s * n + j] = Math.exp(z[s * n + j] - max) / sum;
    } else {
      for (let j = 0; j < n; j++) a[s * n + j] = sigma[act](z[s * n + j]);
    }
  }
  return a;
}
