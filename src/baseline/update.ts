// Parameter updates: SGD (with L2 decay and L1), momentum, Adam. Same formulas as
// assembly/sgd.ts, momentum.ts and adam.ts.
const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0);

export function sgd(F: Float32Array, w: number, g: number, len: number, scale: number, decay: number, l1: number): void {
  for (let i = 0; i < len; i++) {
    const wi = F[w + i];
    F[w + i] = decay * wi - scale * F[g + i] - l1 * sign(wi);
  }
}

export function momentum(F: Float32Array, w: number, v: number, g: number, len: number,
                         mu: number, scale: number, decay: number, l1: number): void {
  for (let i = 0; i < len; i++) {
    const wi = F[w + i];
    const vi = Math.fround(mu * F[v + i] - scale * F[g + i]);
    F[v + i] = vi;
    F[w + i] = decay * wi + vi - l1 * sign(wi);
  }
}

export function adam(F: Float32Array, w: number, m1: number, m2: number, g: number, len: number, gScale: number,
                     lrt: number, beta1: number, beta2: number, eps: number, decay: number, l1: number): void {
  for (let i = 0; i < len; i++) {
    const gi = gScale * F[g + i];
    const mi = Math.fround(beta1 * F[m1 + i] + (1 - beta1) * gi);
    const si = Math.fround(beta2 * F[m2 + i] + (1 - beta2) * gi * gi);
    F[m1 + i] = mi;
    F[m2 + i] = si;
    const wi = F[w + i];
    F[w + i] = decay * wi - (lrt * mi) / (Math.sqrt(si) + eps) - l1 * sign(wi);
  }
}
