// BP2, the error of a hidden layer from the next one:
//   δ^l = ((w^(l+1))^T δ^(l+1)) ⊙ σ'(z^l)
// For each sample the transpose product is a sum of rows of w^(l+1) scaled by
// δ^(l+1)_j, so every load of w is contiguous.
import { ld, st, ld4, st4, madd } from "./ptr";
import { activatePrime, activatePrime4 } from "./activations";

/**
 * delta is (m, n), deltaNext is (m, nNext), wNext is (nNext, n), a = a^l is (m, n).
 * Blocking: 4 columns k of wNext per pass, accumulated over all rows j.
 */
export function bp2(delta: usize, deltaNext: usize, wNext: usize, a: usize, n: i32, nNext: i32, m: i32, act: i32): void {
  for (let s = 0; s < m; s++) {
    const dn = deltaNext + (<usize>(s * nNext) << 2);
    const out = delta + (<usize>(s * n) << 2);
    const as = a + (<usize>(s * n) << 2);
    let k = 0;
    if (ASC_FEATURE_SIMD) {
      for (; k + 4 <= n; k += 4) {
        let acc = f32x4.splat(0);
        for (let j = 0; j < nNext; j++) acc = madd(f32x4.splat(ld(dn, j)), ld4(wNext, j * n + k), acc);
        st4(out, k, f32x4.mul(acc, activatePrime4(ld4(as, k), act)));
      }
    }
    for (; k < n; k++) {
      let sum: f32 = 0;
      for (let j = 0; j < nNext; j++) sum += ld(dn, j) * ld(wNext, j * n + k);
      st(out, k, sum * activatePrime(ld(as, k), act));
    }
  }
}
