// BP4, the gradient for the weights:  ∂C/∂w^l_jk = a^(l−1)_k δ^l_j
// Summed over the mini-batch: nablaW = Σ_x δ^(x,l) (a^(x,l−1))^T = deltaᵀ · aPrev.
import { ld, st, ld4, st4, madd } from "./ptr";

/**
 * nablaW[j, k] = Σ_s delta[s, j] · aPrev[s, k]. Overwrites nablaW.
 * nablaW is (nOut, nIn), delta is (m, nOut), aPrev is (m, nIn).
 * Blocking: per row j, 4 columns k per pass, accumulated over the batch.
 */
export function bp4(nablaW: usize, delta: usize, aPrev: usize, nIn: i32, nOut: i32, m: i32): void {
  for (let j = 0; j < nOut; j++) {
    const row = nablaW + (<usize>(j * nIn) << 2);
    let k = 0;
    if (ASC_FEATURE_SIMD) {
      for (; k + 4 <= nIn; k += 4) {
        let acc = f32x4.splat(0);
        for (let s = 0; s < m; s++) acc = madd(f32x4.splat(ld(delta, s * nOut + j)), ld4(aPrev, s * nIn + k), acc);
        st4(row, k, acc);
      }
    }
    for (; k < nIn; k++) {
      let sum: f32 = 0;
      for (let s = 0; s < m; s++) sum += ld(delta, s * nOut + j) * ld(aPrev, s * nIn + k);
      st(row, k, sum);
    }
  }
}
