// Feedforward for a whole mini-batch (Nielsen eq. 25, in matrix form):
//   z^l = w^l a^(l−1) + b^l,   a^l = σ(z^l)
// Batch-major: row s of aPrev is sample s, so each z_j is a contiguous dot
// product of row j of w with row s of aPrev.
import { ld, st, ld4, hsum, madd } from "./ptr";
import { SOFTMAX, activate } from "./activations";

/**
 * a = σ(aPrev · wᵀ + b).
 * a is (m, nOut), w is (nOut, nIn), b is (nOut), aPrev is (m, nIn).
 * Blocking: per sample, 4 rows of w at a time share each 4-lane load of the
 * sample's activations (4 accumulators); the k % 4 tail and j % 4 rows are scalar.
 */
export function forward(a: usize, w: usize, b: usize, aPrev: usize, nIn: i32, nOut: i32, m: i32, act: i32): void {
  for (let s = 0; s < m; s++) {
    const x = aPrev + (<usize>(s * nIn) << 2);
    const out = a + (<usize>(s * nOut) << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 4 <= nOut; j += 4) {
        const w0 = w + (<usize>(j * nIn) << 2);
        const w1 = w0 + (<usize>nIn << 2);
        const w2 = w1 + (<usize>nIn << 2);
        const w3 = w2 + (<usize>nIn << 2);
        let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
        let k = 0;
        for (; k + 4 <= nIn; k += 4) {
          const xv = ld4(x, k);
          acc0 = madd(ld4(w0, k), xv, acc0);
          acc1 = madd(ld4(w1, k), xv, acc1);
          acc2 = madd(ld4(w2, k), xv, acc2);
          acc3 = madd(ld4(w3, k), xv, acc3);
        }
        let z0 = hsum(acc0), z1 = hsum(acc1), z2 = hsum(acc2), z3 = hsum(acc3);
        for (; k < nIn; k++) {
          const xk = ld(x, k);
          z0 += ld(w0, k) * xk; z1 += ld(w1, k) * xk;
          z2 += ld(w2, k) * xk; z3 += ld(w3, k) * xk;
        }
        st(out, j,     z0 + ld(b, j));
        st(out, j + 1, z1 + ld(b, j + 1));
        st(out, j + 2, z2 + ld(b, j + 2));
        st(out, j + 3, z3 + ld(b, j + 3));
      }
    }
    for (; j < nOut; j++) {
      const wj = w + (<usize>(j * nIn) << 2);
      let z: f32 = 0;
      for (let k = 0; k < nIn; k++) z += ld(wj, k) * ld(x, k);
      st(out, j, z + ld(b, j));
    }
    activateRow(out, nOut, act);
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
