// Σ_x C_x over a batch; same guarded logs as assembly/cost.ts.
import { QUADRATIC, CROSS_ENTROPY } from "./bp1.js";
// ln 0 is guarded, NaN is not hidden: a NaN output must make the cost NaN (the divergence guard and evaluate() rely on it).
const safeLog = (x: number): number => Math.log(x > 1e-45 || x !== x ? x : 1e-45);

export function cost(F: Float32Array, a: number, y: number, n: number, m: number, kind: number): number {
  const len = n * m;
  let total = 0;
  if (kind === QUADRATIC) {
    for (let i = 0; i < len; i++) {
      const d = F[a + i] - F[y + i];
      total += 0.5 * d * d;
    }
  } else if (kind === CROSS_ENTROPY) {
    for (let i = 0; i < len; i++) {
      const ai = F[a + i], yi = F[y + i];
      if (yi !== 0) total -= yi * safeLog(ai);
      if (yi !== 1) total -= (1 - yi) * safeLog(1 - ai);
    }
  } else {
    for (let i = 0; i < len; i++) {
      const yi = F[y + i];
      if (yi !== 0) total -= yi * safeLog(F[a + i]);
    }
  }
  return total;
}

export function allFinite(F: Float32Array, p: number, len: number): number {
  for (let i = 0; i < len; i++) if (!Number.isFinite(F[p + i])) return 0;
  return 1;
}
