// BP1: δ^L = ∇_a C ⊙ σ'(z^L); δ = a − y for cross-entropy/sigmoid and log-likelihood/softmax.
import { activatePrime } from "./activations.js";
export const QUADRATIC = 0, CROSS_ENTROPY = 1, LOG_LIKELIHOOD = 2;

export function bp1(F: Float32Array, delta: number, a: number, y: number, n: number, m: number, act: number, cost: number): void {
  const len = n * m;
  if (cost !== QUADRATIC) {
    for (let i = 0; i < len; i++) F[delta + i] = F[a + i] - F[y + i];
    return;
  }
  for (let i = 0; i < len; i++) {
    const ai = F[a + i];
    F[delta + i] = (ai - F[y + i]) * activatePrime(ai, act);
  }
}
