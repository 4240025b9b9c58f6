// BP3: ∂C/∂b_j = δ_j, summed over the batch. Overwrites nablaB.
export function bp3(F: Float32Array, nablaB: number, delta: number, n: number, m: number): void {
  for (let j = 0; j < n; j++) F[nablaB + j] = 0;
  for (let s = 0; s < m; s++) {
    const d = delta + s * n;
    for (let j = 0; j < n; j++) F[nablaB + j] += F[d + j];
  }
}
