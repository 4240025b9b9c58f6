// BP3, the gradient for the biases:  ∂C/∂b^l_j = δ^l_j
// Summed over the mini-batch: nablaB_j = Σ_x δ^(x,l)_j.
import { ld, st, ld4, st4 } from "./ptr";

/** nablaB = Σ_s delta[s, :]. nablaB is (n), delta is (m, n). Overwrites nablaB. */
export function bp3(nablaB: usize, delta: usize, n: i32, m: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= n; j += 4) {
      let acc = f32x4.splat(0);
      for (let s = 0; s < m; s++) acc = f32x4.add(acc, ld4(delta, s * n + j));
      st4(nablaB, j, acc);
    }
  }
  for (; j < n; j++) {
    let sum: f32 = 0;
    for (let s = 0; s < m; s++) sum += ld(delta, s * n + j);
    st(nablaB, j, sum);
  }
}
