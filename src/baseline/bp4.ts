// BP4: ∂C/∂w_jk = a_k δ_j, summed over the batch: nablaW = δᵀ aPrev. Overwrites nablaW.
/** nablaW (nOut,nIn), delta (m,nOut), aPrev (m,nIn). */
export function bp4(F: Float32Array, nablaW: number, delta: number, aPrev: number, nIn: number, nOut: number, m: number): void {
  F.fill(0, nablaW, nablaW + nOut * nIn);
  for (let s = 0; s < m; s++) {
    const x = aPrev + s * nIn, d = delta + s * nOut;
    for (let j = 0; j < nOut; j++) {
      const dj = F[d + j];
      if (dj === 0) continue;
      const row = nablaW + j * nIn;
      for (let k = 0; k < nIn; k++) F[row + k] += dj * F[x + k];
    }
  }
}
