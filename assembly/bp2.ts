// BP2, the error of a hidden layer from the next one:
//   δ^l = ((w^(l+1))^T δ^(l+1)) ⊙ σ'(z^l)
// For each sample the transpose product is a sum of rows of w^(l+1) scaled by
// δ^(l+1)_j, so every load of w is contiguous.
import { ld, st, ld4, st4, madd } from "./ptr";
import { activatePrime, activatePrime4 } from "./activations";

/** deltaNext[i] in all four lanes (one broadcast load). */
// @ts-ignore: decorator
@inline function dsplat(p: usize, i: i32): v128 {
  return v128.load32_splat(p + (<usize>i << 2));
}

/**
 * delta is (m, n), deltaNext is (m, nNext), wNext is (nNext, n), a = a^l is (m, n).
 *
 * Blocking (SIMD builds): 2 samples × 16 columns k (four vectors) per pass, 8 accumulators,
 * summed over the rows j of wNext: per j, 4 vector loads of wNext[j, k..k+15] and 2 broadcast
 * loads of δNext[s, j] feed 8 multiply-adds. σ'(a) is applied as each vector is stored.
 * Strips of 16 columns are the outer loop, sample pairs the inner one, so a strip of wNext is
 * re-read from cache rather than memory. Leftover columns run 2 samples × 1 vector, then
 * scalar; an odd last sample runs as a pair with itself (its second result is overwritten).
 */
export function bp2(delta: usize, deltaNext: usize, wNext: usize, a: usize, n: i32, nNext: i32, m: i32, act: i32): void {
  // The threaded builds keep one copy of the kernel (bp2Rows, which they export too); the
  // single-thread builds inline the whole range here.
  if (ASC_FEATURE_THREADS) bp2Rows(delta, deltaNext, wNext, a, n, nNext, m, act, 0, nNext, true, true);
  else bp2Core(delta, deltaNext, wNext, a, n, nNext, m, act, 0, nNext, true, true);
}

/**
 * bp2's sums over the rows j0 ≤ j < j1 of wNext only (one thread's rows, src/threads/plan.ts
 * deltasRows): with `first`, each sum starts at 0, else at the partial sum in delta (the rows
 * before j0, left there by the call for them); with `last`, the sum gets ⊙ σ'(a) as bp2 gives it,
 * else it is stored as it is. Calls over consecutive ranges, first to last, give bp2's values bit
 * for bit: each sum runs over j in order in one f32 accumulator either way, and a partial sum
 * goes through memory as the f32 it is.
 */
export function bp2Rows(delta: usize, deltaNext: usize, wNext: usize, a: usize, n: i32, nNext: i32, m: i32, act: i32,
                        j0: i32, j1: i32, first: bool, last: bool): void {
  bp2Core(delta, deltaNext, wNext, a, n, nNext, m, act, j0, j1, first, last);
}

/** A sum's start: 0, or the partial sum in delta. */
// @ts-ignore: decorator
@inline function from4(first: bool, delta: usize, o: i32): v128 {
  return first ? f32x4.splat(0) : ld4(delta, o);
}

/** What a sum leaves in delta: ⊙ σ'(a) on the last range, else the partial sum itself. */
// @ts-ignore: decorator
@inline function out4(last: bool, sum: v128, a: usize, o: i32, act: i32): v128 {
  return last ? f32x4.mul(sum, activatePrime4(ld4(a, o), act)) : sum;
}

// @ts-ignore: decorator
@inline function bp2Core(delta: usize, deltaNext: usize, wNext: usize, a: usize, n: i32, nNext: i32, m: i32, act: i32,
                         j0: i32, j1: i32, first: bool, last: bool): void {
  const rowBytes = <usize>n << 2;
  let s = 0;
  if (ASC_FEATURE_SIMD) {
    const kv = n & ~3, k16 = n & ~15;
    // Column strips outer, sample pairs inner: one 16-column strip of wNext (nNext rows × 64 B)
    // is reused from cache by every pair instead of all of wNext streaming past each pair.
    for (let k = 0; k < k16; k += 16) {
      for (s = 0; s < m; s += 2) {
        const two = s + 1 < m;
        const dn0 = deltaNext + (<usize>(s * nNext) << 2);
        const dn1 = two ? dn0 + (<usize>nNext << 2) : dn0;
        const o0 = s * n, o1 = two ? o0 + n : o0;
        let p0 = from4(first, delta, o0 + k), p1 = from4(first, delta, o0 + k + 4), p2 = from4(first, delta, o0 + k + 8), p3 = from4(first, delta, o0 + k + 12);
        let q0 = from4(first, delta, o1 + k), q1 = from4(first, delta, o1 + k + 4), q2 = from4(first, delta, o1 + k + 8), q3 = from4(first, delta, o1 + k + 12);
        let wj = wNext + (<usize>j0 * rowBytes) + (<usize>k << 2), pe = dn0 + (<usize>j0 << 2), pf = dn1 + (<usize>j0 << 2);
        const end = dn0 + (<usize>j1 << 2);
        while (pe < end) {
          const e = v128.load32_splat(pe), f = v128.load32_splat(pf);
          pe += 4; pf += 4;
          const r0 = v128.load(wj), r1 = v128.load(wj, 16), r2 = v128.load(wj, 32), r3 = v128.load(wj, 48);
          p0 = madd(e, r0, p0); p1 = madd(e, r1, p1); p2 = madd(e, r2, p2); p3 = madd(e, r3, p3);
          q0 = madd(f, r0, q0); q1 = madd(f, r1, q1); q2 = madd(f, r2, q2); q3 = madd(f, r3, q3);
          wj += rowBytes;
        }
        // o1 == o0 for a lone last sample: store its q's first so the p's (the real values) win.
        st4(delta, o1 + k, out4(last, q0, a, o1 + k, act));
        st4(delta, o1 + k + 4, out4(last, q1, a, o1 + k + 4, act));
        st4(delta, o1 + k + 8, out4(last, q2, a, o1 + k + 8, act));
        st4(delta, o1 + k + 12, out4(last, q3, a, o1 + k + 12, act));
        st4(delta, o0 + k, out4(last, p0, a, o0 + k, act));
        st4(delta, o0 + k + 4, out4(last, p1, a, o0 + k + 4, act));
        st4(delta, o0 + k + 8, out4(last, p2, a, o0 + k + 8, act));
        st4(delta, o0 + k + 12, out4(last, p3, a, o0 + k + 12, act));
      }
    }
    for (s = 0; s < m; s += 2) {
      const two = s + 1 < m;
      const dn0 = deltaNext + (<usize>(s * nNext) << 2);
      const dn1 = two ? dn0 + (<usize>nNext << 2) : dn0;
      const o0 = s * n, o1 = two ? o0 + n : o0;
      let k = k16;
      for (; k < kv; k += 4) {
        let p0 = from4(first, delta, o0 + k), q0 = from4(first, delta, o1 + k);
        let wj = wNext + (<usize>j0 * rowBytes) + (<usize>k << 2);
        for (let j = j0; j < j1; j++, wj += rowBytes) {
          const r0 = v128.load(wj);
          p0 = madd(dsplat(dn0, j), r0, p0);
          q0 = madd(dsplat(dn1, j), r0, q0);
        }
        st4(delta, o1 + k, out4(last, q0, a, o1 + k, act));
        st4(delta, o0 + k, out4(last, p0, a, o0 + k, act));
      }
      for (; k < n; k++) {
        let p: f32 = first ? 0 : ld(delta, o0 + k), q: f32 = first ? 0 : ld(delta, o1 + k);
        for (let j = j0; j < j1; j++) {
          const r = ld(wNext, j * n + k);
          p += ld(dn0, j) * r;
          q += ld(dn1, j) * r;
        }
        st(delta, o1 + k, last ? q * activatePrime(ld(a, o1 + k), act) : q);
        st(delta, o0 + k, last ? p * activatePrime(ld(a, o0 + k), act) : p);
      }
    }
    return;
  }
  // Scalar build: per sample, δ row = Σ_j δNext_j · (row j of wNext), then ⊙ σ'(a).
  for (; s < m; s++) {
    const dn = deltaNext + (<usize>(s * nNext) << 2);
    const out = delta + (<usize>(s * n) << 2);
    const as = a + (<usize>(s * n) << 2);
    if (first) for (let k = 0; k < n; k++) st(out, k, 0);
    for (let j = j0; j < j1; j++) {
      const e = ld(dn, j), wj = wNext + <usize>j * rowBytes;
      for (let k = 0; k < n; k++) st(out, k, ld(out, k) + e * ld(wj, k));
    }
    if (last) for (let k = 0; k < n; k++) st(out, k, ld(out, k) * activatePrime(ld(as, k), act));
  }
}
