// z = w a + b, a = σ(z) for a batch, in plain JS. Indices are f32 element offsets into F.
import { activateRow } from "./activations.js";

/** Largest finite float32. z is clamped to ±F32_MAX before σ, as in assembly/forward.ts, so a z beyond the
 *  float32 range (the sums here are float64) reaches σ and the next layer as a finite value, never ±∞. */
const F32_MAX = 3.4028234663852886e38;
const clamp = (z: number): number => (z > F32_MAX ? F32_MAX : z < -F32_MAX ? -F32_MAX : z);

/** a (m,nOut) = σ(aPrev (m,nIn) · wᵀ (nOut,nIn) + b). Two rows of w per pass share each load of aPrev. */
export function forward(F: Float32Array, a: number, w: number, b: number, aPrev: number,
                        nIn: number, nOut: number, m: number, act: number): void {
  for (let s = 0; s < m; s++) {
    const x = aPrev + s * nIn, out = a + s * nOut;
    let j = 0;
    for (; j + 2 <= nOut; j += 2) {
      const w0 = w + j * nIn, w1 = w0 + nIn;
      let z0 = 0, z1 = 0;
      for (let k = 0; k < nIn; k++) {
        const xk = F[x + k];
        z0 += F[w0 + k] * xk;
        z1 += F[w1 + k] * xk;
      }
      F[out + j] = clamp(z0 + F[b + j]);
      F[out + j + 1] = clamp(z1 + F[b + j + 1]);
    }
    for (; j < nOut; j++) {
      const wj = w + j * nIn;
      let z = 0;
      for (let k = 0; k < nIn; k++) z += F[wj + k] * F[x + k];
      F[out + j] = clamp(z + F[b + j]);
    }
    activateRow(F, out, nOut, act);
  }
}
