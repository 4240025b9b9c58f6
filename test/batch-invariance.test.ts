// The blocked kernels compute a sample's row along different code paths depending on where it
// falls in the batch (pairs, a lone last sample, panels, tail rows). Each row must come out the
// same, bit for bit, whatever batch it ran in: forward and BP2 of a batch of m equal, row by
// row, the same kernel run on that one sample alone. Shapes leave every remainder mod 4 and
// batch sizes cross the pair, block-of-4 and panel boundaries.
import { describe, it, expect } from "vitest";
import { BACKENDS, lab, floats } from "./helpers.js";
import { Random } from "../src/random.js";

const SHAPES: [number, number][] = [
  // [nIn, nOut]
  [1, 1], [3, 2], [5, 3], [6, 5], [7, 6], [17, 7], [30, 10], [9, 30], [784, 30], [41, 13],
];
const BATCHES = [1, 2, 3, 5, 8, 11, 45, 97];

describe.each(BACKENDS)("batch invariance on %s", (backend) => {
  it.each(SHAPES)("forward nIn=%i nOut=%i: each row of a batch equals that sample alone", (nIn, nOut) => {
    for (const act of [0, 1, 2, 5]) {
      for (const m of BATCHES) {
        if (nIn * m > 40_000) continue;
        const rng = new Random(nIn * 17 + nOut * 3 + m + act);
        const L = lab(backend);
        const w = floats(rng, nOut * nIn, -0.5, 0.5), b = floats(rng, nOut), x = floats(rng, m * nIn, 0, 1);
        const pw = L.alloc(w.length, w), pb = L.alloc(nOut, b), px = L.alloc(x.length, x), pa = L.alloc(m * nOut), p1 = L.alloc(nOut);
        L.k.forward(pa, pw, pb, px, nIn, nOut, m, act);
        const batch = L.read(pa, m * nOut);
        for (const s of new Set([0, m >> 1, m - 1])) {
          L.k.forward(p1, pw, pb, px + s * nIn * 4, nIn, nOut, 1, act);
          const one = L.read(p1, nOut);
          for (let j = 0; j < nOut; j++) {
            if (batch[s * nOut + j] !== one[j]) {
              expect(batch[s * nOut + j], `act=${act} m=${m} row ${s} neuron ${j}`).toBe(one[j]);
            }
          }
        }
      }
    }
  });

  it.each(SHAPES)("bp2 n=%i nNext=%i: each row of a batch equals that sample alone", (n, nNext) => {
    for (const m of BATCHES) {
      if (n * m > 40_000) continue;
      const rng = new Random(n * 5 + nNext * 11 + m);
      const L = lab(backend);
      const wNext = floats(rng, nNext * n), dNext = floats(rng, m * nNext), a = floats(rng, m * n, 0.01, 0.99);
      const pw = L.alloc(wNext.length, wNext), pdn = L.alloc(dNext.length, dNext), pa = L.alloc(a.length, a);
      const pd = L.alloc(m * n), p1 = L.alloc(n);
      L.k.bp2(pd, pdn, pw, pa, n, nNext, m, 0);
      const batch = L.read(pd, m * n);
      for (const s of new Set([0, m >> 1, m - 1])) {
        L.k.bp2(p1, pdn + s * nNext * 4, pw, pa + s * n * 4, n, nNext, 1, 0);
        const one = L.read(p1, n);
        for (let k = 0; k < n; k++) {
          if (batch[s * n + k] !== one[k]) expect(batch[s * n + k], `m=${m} row ${s} column ${k}`).toBe(one[k]);
        }
      }
    }
  });
});

// σ is computed two ways inside forward: four lanes at once (a polynomial e^x) in the SIMD builds,
// for the blocks of 4 rows and the nOut % 4 last rows alike, and Mathf.exp in the scalar build.
// Both must give σ(z) over the whole float range: exact 0 and 1 far out, subnormal values
// (correctly scaled) between e^−104 and e^−87.
describe.each(BACKENDS)("sigmoid across the float range on %s", (backend) => {
  it("vector rows and scalar rows agree with float64 σ, down to the subnormals", () => {
    const L = lab(backend);
    const nOut = 7; // rows 0–3 run in a block of 4 rows, 4–5 as a pair, 6 alone (SIMD builds)
    const pw = L.alloc(nOut, new Array(nOut).fill(1)), pb = L.alloc(nOut), px = L.alloc(1), pa = L.alloc(nOut);
    const zs = [-1e30, -1e4, -150, -104, -103.9, -103.5, -101, -100, -95, -90, -88.5, -87.3, -87, -80, -30, -1, -1e-3, 0, 1e-3, 1, 15, 17, 30, 88, 1e4, 1e30];
    for (const z of zs) {
      new Float32Array(L.k.memory.buffer)[px >>> 2] = z;
      L.k.forward(pa, pw, pb, px, 1, nOut, 1, 0);
      const a = L.read(pa, nOut);
      const zf = Math.fround(z); // what the kernel sees
      const want = zf >= 0 ? 1 / (1 + Math.exp(-zf)) : Math.exp(zf) / (1 + Math.exp(zf));
      for (let j = 0; j < nOut; j++) {
        const err = Math.abs(a[j] - want);
        expect(err, `z=${z} row ${j}: got ${a[j]}, want ${want}`).toBeLessThanOrEqual(1e-6 * want + 1.5e-45);
      }
      if (z <= -104) expect(a.every((v) => v === 0), `z=${z} gives exactly 0`).toBe(true);
      if (z >= 30) expect(a.every((v) => v === 1), `z=${z} gives exactly 1`).toBe(true);
    }
  });

  it("a dense sweep of z in [−87, 20] stays within 3e-7 relative error of float64 σ (about 2.5 ulp)", () => {
    const L = lab(backend);
    const zs = Float32Array.from({ length: 30_000 }, (_, i) => -87 + (107 * i) / 29_999);
    const m = zs.length, nOut = 7;
    const pw = L.alloc(nOut, new Array(nOut).fill(1)), pb = L.alloc(nOut), px = L.alloc(m, zs), pa = L.alloc(m * nOut);
    L.k.forward(pa, pw, pb, px, 1, nOut, m, 0);
    const a = L.read(pa, m * nOut);
    let worst = 0, at = "";
    for (let s = 0; s < m; s++) {
      const z = zs[s], want = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      for (let j = 0; j < nOut; j++) {
        const rel = Math.abs(a[s * nOut + j] - want) / want;
        if (rel > worst) { worst = rel; at = `z=${z} row ${j}`; }
      }
    }
    expect(worst, `worst at ${at}`).toBeLessThanOrEqual(3e-7);
  });
});

// When products overflow the float32 range, a z can come out NaN (∞ − ∞); forward recomputes
// that z in float64 and clamps it. Only the NaN lanes are recomputed, so every other z stays the
// float32 value it has in a batch where nothing overflows: each z is a function of its (row,
// sample) alone, whichever rows and samples share its vector.
describe.each(BACKENDS)("overflow guard on %s", (backend) => {
  it.each([[4, 7], [5, 6], [8, 3], [9, 5]])("nIn=%i nOut=%i: a NaN z becomes the float64 value, its neighbours keep theirs", (nIn, nOut) => {
    for (const m of [1, 2, 3, 5, 6]) {
      for (const bad of [0, m - 1]) {
        const rng = new Random(nIn * 31 + nOut * 7 + m);
        const w = floats(rng, nOut * nIn, -0.5, 0.5), b = floats(rng, nOut), x = floats(rng, m * nIn, 0, 1);
        const L = lab(backend);
        const pw = L.alloc(w.length, w), pb = L.alloc(nOut, b), px = L.alloc(x.length, x), pa = L.alloc(m * nOut);
        L.k.forward(pa, pw, pb, px, nIn, nOut, m, 4); // linear: a = z
        const clean = L.read(pa, m * nOut);
        // Sample `bad` gets x[0] = x[1] = 3e38; row nOut−1 gets w[0] = 2, w[1] = −2: its z for that
        // sample is 6e38 − 6e38 + small = NaN in float32 (each product overflows), finite in float64.
        const F = new Float32Array(L.k.memory.buffer);
        F[(px >>> 2) + bad * nIn] = 3e38;
        F[(px >>> 2) + bad * nIn + 1] = 3e38;
        const jBad = nOut - 1;
        F[(pw >>> 2) + jBad * nIn] = 2;
        F[(pw >>> 2) + jBad * nIn + 1] = -2;
        L.k.forward(pa, pw, pb, px, nIn, nOut, m, 4);
        const got = L.read(pa, m * nOut);
        const Fw = L.read(pw, nOut * nIn), Fx = L.read(px, m * nIn), Fb = L.read(pb, nOut);
        for (let s = 0; s < m; s++) {
          for (let j = 0; j < nOut; j++) {
            const at = `m=${m} sample ${s} row ${j}`;
            if (s === bad && j === jBad) {
              let z = 0;
              for (let k = 0; k < nIn; k++) z += Fw[j * nIn + k] * Fx[s * nIn + k];
              z += Fb[j];
              expect(got[s * nOut + j], at).toBe(Math.fround(z));
            } else if (s === bad) {
              // Other rows of the bad sample overflow honestly: clamped to ±F32_MAX or finite.
              expect(Number.isFinite(got[s * nOut + j]), at).toBe(true);
            } else if (j === jBad) {
              // The changed row, other samples: nothing overflows, so its float32 value as computed alone.
              L.k.forward(pa, pw, pb, px + s * nIn * 4, nIn, nOut, 1, 4);
              const alone = L.read(pa, nOut)[j];
              L.k.forward(pa, pw, pb, px, nIn, nOut, m, 4);
              expect(got[s * nOut + j], at).toBe(alone);
            } else {
              expect(got[s * nOut + j], at).toBe(clean[s * nOut + j]);
            }
          }
        }
      }
    }
  });
});
