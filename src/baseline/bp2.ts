// BP2: δ^l = (w^(l+1)ᵀ δ^(l+1)) ⊙ σ'(z^l), as row-axpys over w^(l+1).
import { activatePrime } from "./activations.js";

/** delta (m,n), deltaNext (m,nNext), wNext (nNext,n), a (m,n). */
export function bp2(F: Float32Array, delta: number, deltaNext: number, wNext: number, a: number,
                    n: number, nNext: number, m: number, act: number): void {
  for (let s = 0; s < m; s++) {
    const dn = deltaNext + s * nNext, out = delta + s * n, as = a + s * n;
    for (let k = 0; k < n; k++) F[out + k] = 0;
    for (let j = 0; j < nNext; j++) {
      const d = F[dn + j], wj = wNext + j * n;
      for (let k = 0; k < n; k++) F[out + k] += d * F[wj + k];
    }
    for (let k = 0; k < n; k++) F[out + k] *= activatePrime(F[as + k], act);
  }
}
