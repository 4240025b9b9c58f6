// BP3, the gradient for the biases:  ∂C/∂b^l_j = δ^l_j
// Summed over the mini-batch: nablaB_j = Σ_x δ^(x,l)_j.
import { ld, st, ld4, st4 } from "./ptr";

/** nablaB = Σ_s delta[s, :]. nablaB is (n), delta is (m, n). Overwrites nablaB. */
export function bp3(nablaB: usize, delta: usize, n: i32, m: i32): void {
  bp3Rows(nablaB, delta, n, m, 0, n);
}

/** bp3 on the entries j0 ≤ j < j1 of nablaB only (one thread's share): each sum runs over s in order, as in bp3. */
export function bp3Rows(nablaB: usize, delta: usize, n: i32, m: i32, j0: i32, j1: i32): void {
  let j = j0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= j1; j += 4) {
      let acc = f32x4.splat(0);
      for (let s = 0; s < m; s++) acc = f32x4.add(acc, ld4(delta, s * n + j));
      st4(nablaB, j, acc);
    }
  }
  for (; j < j1; j++) {
    let sum: f32 = 0;
    for (let s = 0; s < m; s++) sum += ld(delta, s * n + j);
    st(nablaB, j, sum);
  }
}
