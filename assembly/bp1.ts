// BP1, the error in the output layer:  δ^L = ∇_a C ⊙ σ'(z^L)
//   quadratic cost:               ∇_a C = a − y, so δ = (a − y) ⊙ σ'(z)
//   cross-entropy, sigmoid out:   δ = a − y  (σ'(z) cancels: Nielsen ch. 3, eq. 66)
//   log-likelihood, softmax out:  δ = a − y  (ch. 3, eq. 84)
import { ld, st, ld4, st4 } from "./ptr";
import { activatePrime, activatePrime4 } from "./activations";

export const QUADRATIC: i32 = 0;
export const CROSS_ENTROPY: i32 = 1;
export const LOG_LIKELIHOOD: i32 = 2;

/**
 * δ^L for a whole batch. delta, a, y are (m, n); act is the output activation.
 * delta may alias a (it is written after a is read at each element).
 */
export function bp1(delta: usize, a: usize, y: usize, n: i32, m: i32, act: i32, cost: i32): void {
  const len = n * m;
  let i = 0;
  if (cost != QUADRATIC) {
    if (ASC_FEATURE_SIMD) {
      for (; i + 4 <= len; i += 4) st4(delta, i, f32x4.sub(ld4(a, i), ld4(y, i)));
    }
    for (; i < len; i++) st(delta, i, ld(a, i) - ld(y, i));
    return;
  }
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= len; i += 4) {
      const av = ld4(a, i);
      st4(delta, i, f32x4.mul(f32x4.sub(av, ld4(y, i)), activatePrime4(av, act)));
    }
  }
  for (; i < len; i++) {
    const ai = ld(a, i);
    st(delta, i, (ai - ld(y, i)) * activatePrime(ai, act));
  }
}
