// Feedforward for a whole mini-batch (Nielsen eq. 25, in matrix form):
//   z^l = w^l a^(l−1) + b^l,   a^l = σ(z^l)
// Batch-major: row s of aPrev is sample s, so each z_j is a contiguous dot
// product of row j of w with row s of aPrev.
import { ld, st, ld4, st4, madd } from "./ptr";
import { SOFTMAX, activate } from "./activations";
import { hasActivate4, activate4 } from "./vmath";

/**
 * Sums each of four accumulators across its lanes: returns (Σa0, Σa1, Σa2, Σa3).
 * A 4×4 transpose folded into the adds: 6 shuffles + 3 adds instead of 12 extracts + 12 adds.
 */
// @ts-ignore: decorator
@inline export function hsum4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const u0 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7)); // a0 02 a1 02 a0 13 a1 13
  const u1 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(u0, u1, 0, 1, 4, 5), v128.shuffle<f32>(u0, u1, 2, 3, 6, 7));
}

/** Largest finite f32: z is clamped to ±F32_MAX so no layer ever hands ±∞ to the next. */
const F32_MAX: f32 = 3.4028234663852886e38;

/**
 * z = w·x + bias in float64, clamped to ±F32_MAX: the fallback when the f32 sum came out NaN
 * (∞ − ∞ from products beyond the float32 range). Rare, and a function of (row, sample) only.
 */
function exactZ(wRow: usize, x: usize, nIn: i32, bias: f32): f32 {
  let z: f64 = 0;
  for (let k = 0; k < nIn; k++) z += <f64>ld(wRow, k) * <f64>ld(x, k);
  z += <f64>bias;
  return <f32>min(max(z, -<f64>F32_MAX), <f64>F32_MAX);
}

/** A z computed in f32, made safe: NaN → exactZ, ±∞ → ±F32_MAX. */
// @ts-ignore: decorator
@inline function guard1(z: f32, wRow: usize, x: usize, nIn: i32, bias: f32): f32 {
  if (z != z) return exactZ(wRow, x, nIn, bias);
  return min(max(z, -F32_MAX), F32_MAX);
}

/**
 * Lane i of z, recomputed by exactZ when it is NaN: lane i is the z of the row at w_i (bias b_i)
 * for the sample at x_i. Other lanes are kept, so every z stays a function of (row, sample) only.
 */
function fixNaN(z: v128, w0: usize, w1: usize, w2: usize, w3: usize, x0: usize, x1: usize, x2: usize, x3: usize,
                b0: f32, b1: f32, b2: f32, b3: f32, nIn: i32): v128 {
  const z0 = f32x4.extract_lane(z, 0), z1 = f32x4.extract_lane(z, 1), z2 = f32x4.extract_lane(z, 2), z3 = f32x4.extract_lane(z, 3);
  return f32x4(z0 != z0 ? exactZ(w0, x0, nIn, b0) : z0, z1 != z1 ? exactZ(w1, x1, nIn, b1) : z1,
               z2 != z2 ? exactZ(w2, x2, nIn, b2) : z2, z3 != z3 ? exactZ(w3, x3, nIn, b3) : z3);
}

/** guard1 in four lanes (lane i: row w_i, sample x_i, bias b_i): NaN → exactZ, ±∞ → ±F32_MAX. */
// @ts-ignore: decorator
@inline function guardLanes(z: v128, w0: usize, w1: usize, w2: usize, w3: usize, x0: usize, x1: usize, x2: usize, x3: usize,
                            b0: f32, b1: f32, b2: f32, b3: f32, nIn: i32): v128 {
  if (v128.any_true(f32x4.ne(z, z))) z = fixNaN(z, w0, w1, w2, w3, x0, x1, x2, x3, b0, b1, b2, b3, nIn);
  // pmin/pmax (one minps/maxps each): z has no NaN here unless exactZ made one, which they keep.
  return f32x4.pmin(f32x4.pmax(z, f32x4.splat(-F32_MAX)), f32x4.splat(F32_MAX));
}

/** guardLanes on the z's of rows j..j+3 (rows of w from w0) for the sample at x. */
// @ts-ignore: decorator
@inline function guard4(z: v128, w0: usize, rowBytes: usize, x: usize, nIn: i32, b: usize, j: i32): v128 {
  return guardLanes(z, w0, w0 + rowBytes, w0 + 2 * rowBytes, w0 + 3 * rowBytes, x, x, x, x,
                    ld(b, j), ld(b, j + 1), ld(b, j + 2), ld(b, j + 3), nIn);
}

/** (w0[k], w1[k], w2[k], w3[k]) for rows nIn floats apart. */
// @ts-ignore: decorator
@inline function column4(w0: usize, nIn: i32, k: i32): v128 {
  const stride = <usize>nIn << 2;
  const p = w0 + (<usize>k << 2);
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + stride));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * stride));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * stride));
}

/**
 * a = σ(aPrev · wᵀ + b).
 * a is (m, nOut), w is (nOut, nIn), b is (nOut), aPrev is (m, nIn).
 *
 * Blocking (SIMD builds): 4 rows of w × 2 samples per pass, 8 accumulators. Each step of
 * 4 k's loads 4 w vectors and 2 x vectors and does 8 multiply-adds, so every weight
 * load serves two samples and every input load four rows. At the end of the pass the
 * four row sums of each sample are reduced together (hsum4), the k % 4 tail is added as
 * a column vector, then bias and σ are applied to the 4 z's in-register and stored once.
 * An odd last sample runs the same with 4 accumulators. The nOut % 4 last rows run in pairs
 * × 4 samples (8 accumulators), then a lone row × 4 samples (4 accumulators); a last group of
 * fewer than 4 samples repeats its last sample, and their z's also get σ in-register. Every z is
 * formed the same way — each accumulator's lanes summed as hsum4 does, bias added, then the
 * nIn % 4 tail — so a neuron's value never depends on the batch it ran in. tanh and softmax are
 * applied afterwards by activateRow. Every z is guarded before σ: a NaN (∞ − ∞ from products
 * beyond the f32 range) is recomputed in float64, and ±∞ is clamped to ±F32_MAX, so outputs stay
 * finite for any finite weights and inputs.
 */
export function forward(a: usize, w: usize, b: usize, aPrev: usize, nIn: i32, nOut: i32, m: i32, act: i32): void {
  // The threaded builds keep one copy of the kernel (forwardRows, which they export too: a copy
  // each would add 1.4 KB gzipped to them); the single-thread builds inline it here.
  if (ASC_FEATURE_THREADS) forwardRows(a, w, b, aPrev, nIn, nOut, m, act, 0, nOut, false);
  else forwardCore(a, w, b, aPrev, nIn, nOut, m, act, 0, nOut, false);
}

/**
 * forward on the neurons j0 ≤ j < j1 only (rows j0..j1 of w; one thread's share, src/threads/plan.ts):
 * a[s, j] for those j, in a's (m, nOut) layout, the same values as forward there, bit for bit —
 * every z is formed the same way whatever rows share its pass. σ must act elementwise (not
 * softmax, which needs the whole row) unless the range is all of 0..nOut.
 */
export function forwardRows(a: usize, w: usize, b: usize, aPrev: usize, nIn: i32, nOut: i32, m: i32, act: i32, j0: i32, j1: i32, down: bool): void {
  forwardCore(a, w, b, aPrev, nIn, nOut, m, act, j0, j1, down);
}

// @ts-ignore: decorator
@inline function forwardCore(a: usize, w: usize, b: usize, aPrev: usize, nIn: i32, nOut: i32, m: i32, act: i32, j0: i32, j1: i32, down: bool): void {
  if (ASC_FEATURE_SIMD) {
    // Panels of samples whose inputs (≤ ~128 KiB) stay in L2 while all of w passes over them;
    // at training batch sizes this is one panel.
    const panel = max(2, (32768 / nIn) & ~1);
    for (let s0 = 0; s0 < m; s0 += panel) {
      forwardPanel(a + (<usize>(s0 * nOut) << 2), w, b, aPrev + (<usize>(s0 * nIn) << 2), nIn, nOut, min(panel, m - s0), act, j0, j1, down);
    }
    return;
  }
  forwardScalar(a, w, b, aPrev, nIn, nOut, m, act, j0, j1);
}

/** forward() for the SIMD builds, on m ≤ panel samples and the neurons j0..j1. */
// @ts-ignore: decorator
@inline function forwardPanel(a: usize, w: usize, b: usize, aPrev: usize, nIn: i32, nOut: i32, m: i32, act: i32, j0: i32, j1: i32, down: bool): void {
  let jq = j0;
  {
    const inRegs = hasActivate4(act);
    const kv = nIn & ~3; // k's covered by whole vectors
    const rowBytes = <usize>nIn << 2;
    // `down`: the blocks of 4 rows in descending order (as in assembly/bp4.ts: away from the rows
    // of the thread above, which the stride prefetcher would pull over). The same values.
    const flip = j0 + j0 + (((j1 - j0) >> 2) - 1) * 4;
    for (; jq + 4 <= j1; jq += 4) {
      const j = down ? flip - jq : jq;
      const w0 = w + <usize>j * rowBytes;
      const bias = ld4(b, j);
      let s = 0;
      for (; s + 2 <= m; s += 2) {
        const x0 = aPrev + <usize>s * rowBytes, x1 = x0 + rowBytes;
        let a00 = f32x4.splat(0), a10 = f32x4.splat(0), a20 = f32x4.splat(0), a30 = f32x4.splat(0);
        let a01 = f32x4.splat(0), a11 = f32x4.splat(0), a21 = f32x4.splat(0), a31 = f32x4.splat(0);
        // Two pointers walk along w's row j and aPrev's row s; the other rows are loaded at
        // loop-invariant distances from them (measured faster in V8 than six pointers or unrolling).
        let p = w0, q = x0;
        const end = x0 + (<usize>kv << 2);
        while (q < end) {
          const u = v128.load(q), v = v128.load(q + rowBytes);
          const r0 = v128.load(p), r1 = v128.load(p + rowBytes), r2 = v128.load(p + 2 * rowBytes), r3 = v128.load(p + 3 * rowBytes);
          a00 = madd(r0, u, a00); a10 = madd(r1, u, a10); a20 = madd(r2, u, a20); a30 = madd(r3, u, a30);
          a01 = madd(r0, v, a01); a11 = madd(r1, v, a11); a21 = madd(r2, v, a21); a31 = madd(r3, v, a31);
          p += 16; q += 16;
        }
        let z0 = f32x4.add(hsum4(a00, a10, a20, a30), bias);
        let z1 = f32x4.add(hsum4(a01, a11, a21, a31), bias);
        for (let k = kv; k < nIn; k++) {
          const c = column4(w0, nIn, k);
          z0 = madd(c, f32x4.splat(ld(x0, k)), z0);
          z1 = madd(c, f32x4.splat(ld(x1, k)), z1);
        }
        z0 = guard4(z0, w0, rowBytes, x0, nIn, b, j);
        z1 = guard4(z1, w0, rowBytes, x1, nIn, b, j);
        if (inRegs) { z0 = activate4(z0, act); z1 = activate4(z1, act); }
        st4(a, s * nOut + j, z0);
        st4(a, (s + 1) * nOut + j, z1);
      }
      if (s < m) {
        const x0 = aPrev + <usize>s * rowBytes;
        let a00 = f32x4.splat(0), a10 = f32x4.splat(0), a20 = f32x4.splat(0), a30 = f32x4.splat(0);
        let p = w0, q = x0;
        const end = x0 + (<usize>kv << 2);
        while (q < end) {
          const u = v128.load(q);
          a00 = madd(v128.load(p), u, a00); a10 = madd(v128.load(p + rowBytes), u, a10);
          a20 = madd(v128.load(p + 2 * rowBytes), u, a20); a30 = madd(v128.load(p + 3 * rowBytes), u, a30);
          p += 16; q += 16;
        }
        let z0 = f32x4.add(hsum4(a00, a10, a20, a30), bias);
        for (let k = kv; k < nIn; k++) z0 = madd(column4(w0, nIn, k), f32x4.splat(ld(x0, k)), z0);
        z0 = guard4(z0, w0, rowBytes, x0, nIn, b, j);
        if (inRegs) z0 = activate4(z0, act);
        st4(a, s * nOut + j, z0);
      }
    }
    // The last nOut % 4 rows: a pair of rows × 4 samples per pass (8 accumulators: 2 w loads and
    // 4 x loads feed 8 multiply-adds), then a lone row × 4 samples. When m is not a multiple of 4
    // the last pass repeats its last sample in the missing places (d1..d3 clamped) and stores only
    // the real ones, so leftover samples run at the speed of the others. The z's come out as
    // vectors, so the guard and σ work in-register here too.
    let jj = jq;
    for (; jj + 2 <= j1; jj += 2) {
      const wj = w + <usize>jj * rowBytes, wj1 = wj + rowBytes;
      const b0 = ld(b, jj), b1 = ld(b, jj + 1);
      const bias = f32x4(b0, b1, b0, b1);
      for (let s = 0; s < m; s += 4) {
        const last = m - 1 - s; // samples s + min(i, last) stand in for s + i
        const d1 = <usize>min(1, last) * rowBytes, d2 = <usize>min(2, last) * rowBytes, d3 = <usize>min(3, last) * rowBytes;
        const x0 = aPrev + <usize>s * rowBytes;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
        let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
        let p = wj, q = x0;
        const end = wj + (<usize>kv << 2);
        while (p < end) {
          const r0 = v128.load(p), r1 = v128.load(p + rowBytes);
          const u0 = v128.load(q), u1 = v128.load(q + d1), u2 = v128.load(q + d2), u3 = v128.load(q + d3);
          c00 = madd(r0, u0, c00); c01 = madd(r0, u1, c01); c02 = madd(r0, u2, c02); c03 = madd(r0, u3, c03);
          c10 = madd(r1, u0, c10); c11 = madd(r1, u1, c11); c12 = madd(r1, u2, c12); c13 = madd(r1, u3, c13);
          p += 16; q += 16;
        }
        // lanes: (row 0, s), (row 1, s), (row 0, s+1), (row 1, s+1), then the same for s+2, s+3
        let zA = f32x4.add(hsum4(c00, c10, c01, c11), bias);
        let zB = f32x4.add(hsum4(c02, c12, c03, c13), bias);
        for (let k = kv; k < nIn; k++) {
          const wk = f32x4(ld(wj, k), ld(wj1, k), ld(wj, k), ld(wj1, k));
          const q = x0 + (<usize>k << 2);
          const x01 = f32x4(load<f32>(q), load<f32>(q), load<f32>(q + d1), load<f32>(q + d1));
          const x23 = f32x4(load<f32>(q + d2), load<f32>(q + d2), load<f32>(q + d3), load<f32>(q + d3));
          zA = madd(wk, x01, zA);
          zB = madd(wk, x23, zB);
        }
        zA = guardLanes(zA, wj, wj1, wj, wj1, x0, x0, x0 + d1, x0 + d1, b0, b1, b0, b1, nIn);
        zB = guardLanes(zB, wj, wj1, wj, wj1, x0 + d2, x0 + d2, x0 + d3, x0 + d3, b0, b1, b0, b1, nIn);
        if (inRegs) { zA = activate4(zA, act); zB = activate4(zB, act); }
        const o = a + (<usize>(s * nOut + jj) << 2), ob = <usize>nOut << 2;
        v128.store64_lane(o, zA, 0);
        if (last >= 1) v128.store64_lane(o + ob, zA, 1);
        if (last >= 2) v128.store64_lane(o + 2 * ob, zB, 0);
        if (last >= 3) v128.store64_lane(o + 3 * ob, zB, 1);
      }
    }
    for (; jj < j1; jj++) {
      const wj = w + <usize>jj * rowBytes;
      const bj = ld(b, jj);
      for (let s = 0; s < m; s += 4) {
        const last = m - 1 - s;
        const d1 = <usize>min(1, last) * rowBytes, d2 = <usize>min(2, last) * rowBytes, d3 = <usize>min(3, last) * rowBytes;
        const x0 = aPrev + <usize>s * rowBytes;
        let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
        let p = wj, q = x0;
        const end = wj + (<usize>kv << 2);
        while (p < end) {
          const r = v128.load(p);
          c0 = madd(r, v128.load(q), c0); c1 = madd(r, v128.load(q + d1), c1);
          c2 = madd(r, v128.load(q + d2), c2); c3 = madd(r, v128.load(q + d3), c3);
          p += 16; q += 16;
        }
        let z = f32x4.add(hsum4(c0, c1, c2, c3), f32x4.splat(bj));
        for (let k = kv; k < nIn; k++) {
          const q = x0 + (<usize>k << 2);
          const xc = f32x4(load<f32>(q), load<f32>(q + d1), load<f32>(q + d2), load<f32>(q + d3));
          z = madd(f32x4.splat(ld(wj, k)), xc, z);
        }
        z = guardLanes(z, wj, wj, wj, wj, x0, x0 + d1, x0 + d2, x0 + d3, bj, bj, bj, bj, nIn);
        if (inRegs) z = activate4(z, act);
        st(a, s * nOut + jj, f32x4.extract_lane(z, 0));
        if (last >= 1) st(a, (s + 1) * nOut + jj, f32x4.extract_lane(z, 1));
        if (last >= 2) st(a, (s + 2) * nOut + jj, f32x4.extract_lane(z, 2));
        if (last >= 3) st(a, (s + 3) * nOut + jj, f32x4.extract_lane(z, 3));
      }
    }
    if (!inRegs) for (let s = 0; s < m; s++) activateRow(a + (<usize>(s * nOut + j0) << 2), j1 - j0, act);
  }
}

/**
 * The scalar build: 2 rows × 2 samples per pass (4 accumulators), so each weight and each
 * input load is used twice; odd rows and samples run 1 × 2 or 1 × 1.
 */
function forwardScalar(a: usize, w: usize, b: usize, aPrev: usize, nIn: i32, nOut: i32, m: i32, act: i32, j0: i32, j1: i32): void {
  const rowBytes = <usize>nIn << 2;
  for (let s = 0; s < m; s += 2) {
    const two = s + 1 < m;
    const x0 = aPrev + <usize>s * rowBytes, x1 = two ? x0 + rowBytes : x0;
    let j = j0;
    for (; j + 2 <= j1; j += 2) {
      const w0 = w + <usize>j * rowBytes, w1 = w0 + rowBytes;
      let z00: f32 = 0, z10: f32 = 0, z01: f32 = 0, z11: f32 = 0;
      for (let k = 0; k < nIn; k++) {
        const u = ld(x0, k), v = ld(x1, k), r0 = ld(w0, k), r1 = ld(w1, k);
        z00 += r0 * u; z10 += r1 * u; z01 += r0 * v; z11 += r1 * v;
      }
      st(a, s * nOut + j, z00 + ld(b, j));
      st(a, s * nOut + j + 1, z10 + ld(b, j + 1));
      if (two) {
        st(a, (s + 1) * nOut + j, z01 + ld(b, j));
        st(a, (s + 1) * nOut + j + 1, z11 + ld(b, j + 1));
      }
    }
    if (j < j1) {
      const wj = w + <usize>j * rowBytes;
      let z0: f32 = 0, z1: f32 = 0;
      for (let k = 0; k < nIn; k++) { const r = ld(wj, k); z0 += r * ld(x0, k); z1 += r * ld(x1, k); }
      st(a, s * nOut + j, z0 + ld(b, j));
      if (two) st(a, (s + 1) * nOut + j, z1 + ld(b, j));
    }
    for (let t = j0; t < j1; t++) {
      const wt = w + <usize>t * rowBytes, bt = ld(b, t);
      st(a, s * nOut + t, guard1(ld(a, s * nOut + t), wt, x0, nIn, bt));
      if (two) st(a, (s + 1) * nOut + t, guard1(ld(a, (s + 1) * nOut + t), wt, x1, nIn, bt));
    }
    activateRow(a + (<usize>(s * nOut + j0) << 2), j1 - j0, act);
    if (two) activateRow(a + (<usize>((s + 1) * nOut + j0) << 2), j1 - j0, act);
  }
}

/** Applies σ in place to one sample's row of z values (softmax over the whole row). */
export function activateRow(row: usize, n: i32, act: i32): void {
  if (act == SOFTMAX) {
    // a_j = e^(z_j − max z) / Σ_k e^(z_k − max z): no overflow for any finite z.
    let zmax = ld(row, 0);
    for (let j = 1; j < n; j++) zmax = max(zmax, ld(row, j));
    let sum: f32 = 0;
    for (let j = 0; j < n; j++) {
      const e = Mathf.exp(ld(row, j) - zmax);
      st(row, j, e);
      sum += e;
    }
    const inv: f32 = 1 / sum;
    for (let j = 0; j < n; j++) st(row, j, ld(row, j) * inv);
    return;
  }
  for (let j = 0; j < n; j++) st(row, j, activate(ld(row, j), act));
}
