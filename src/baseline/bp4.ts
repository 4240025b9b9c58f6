// BP4: ∂C/∂w_jk = a_k δ_j, summed over the batch: nablaW = δᵀ aPrev. Overwrites nablaW.
/** nablaW (nOut,nIn), delta (m,nOut), aPrev (m,nIn). Per sample, one axpy of its aPrev row into each row of nablaW. */
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

let scratch = new Float64Array(0);

/**
 * BP3 + BP4 + the SGD step of one layer (see Kernels.bp4sgd): each row's gradient is summed in a
 * float64 scratch row, then applied to w at once; nablaW is never written.
 */
export function bp4sgd(F: Float32Array, w: number, b: number, delta: number, aPrev: number, nIn: number, nOut: number,
                       m: number, scale: number, decay: number, l1: number): void {
  if (scratch.length < nIn) scratch = new Float64Array(nIn);
  const g = scratch;
  for (let j = 0; j < nOut; j++) {
    let gb = 0;
    g.fill(0, 0, nIn);
    for (let s = 0; s < m; s++) {
      const dj = F[delta + s * nOut + j];
      gb += dj;
      if (dj === 0) continue;
      const x = aPrev + s * nIn;
      for (let k = 0; k < nIn; k++) g[k] += dj * F[x + k];
    }
    F[b + j] -= scale * gb;
    const row = w + j * nIn;
    for (let k = 0; k < nIn; k++) {
      const wk = F[row + k];
      F[row + k] = decay * wk - scale * g[k] - l1 * (wk > 0 ? 1 : wk < 0 ? -1 : 0);
    }
  }
}
