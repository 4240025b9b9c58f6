// The "JS port" reference: Nielsen's network.py written straight into plain JavaScript over
// Float64Array (numpy's float64), one example at a time as network.py does it: backprop(x, y)
// per sample, gradients summed over the mini-batch, then w -= (η/m)·Σ∇w. The only liberty
// taken is the one any typed-array port takes: gradients are added into preallocated arrays
// instead of allocating new ones per sample (network.py allocates). Sigmoid, quadratic cost.
import { Random } from "../src/random.js";

export class JsPortNetwork {
  readonly sizes: number[];
  readonly weights: Float64Array[]; // (n_l, n_(l−1)) row-major
  readonly biases: Float64Array[];
  private readonly nablaW: Float64Array[];
  private readonly nablaB: Float64Array[];
  private readonly acts: Float64Array[]; // a^0 .. a^L
  private readonly zs: Float64Array[]; // z^1 .. z^L
  private readonly deltas: Float64Array[];
  private readonly rng: Random;

  constructor(sizes: number[], seed = 1) {
    this.sizes = sizes;
    this.rng = new Random(seed);
    const L = sizes.length - 1;
    const g = (n: number) => { const a = new Float32Array(n); this.rng.gaussians(a, 0, n, 1); return Float64Array.from(a); };
    this.biases = sizes.slice(1).map((n) => g(n));
    this.weights = sizes.slice(1).map((n, l) => g(n * sizes[l]));
    this.nablaW = this.weights.map((w) => new Float64Array(w.length));
    this.nablaB = this.biases.map((b) => new Float64Array(b.length));
    this.acts = sizes.map((n) => new Float64Array(n));
    this.zs = sizes.slice(1).map((n) => new Float64Array(n));
    this.deltas = sizes.slice(1).map((n) => new Float64Array(n));
    void L;
  }

  /** network.py's SGD for one epoch: shuffle, then update_mini_batch per batch. Returns seconds. */
  epoch(inputs: Float32Array, labels: ArrayLike<number>, m: number, eta: number): number {
    const n = labels.length, nIn = this.sizes[0];
    const t0 = performance.now();
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    this.rng.shuffle(idx);
    for (let start = 0; start < n; start += m) {
      const mb = Math.min(m, n - start);
      for (const w of this.nablaW) w.fill(0);
      for (const b of this.nablaB) b.fill(0);
      for (let r = 0; r < mb; r++) {
        const i = idx[start + r];
        const x = this.acts[0];
        for (let k = 0; k < nIn; k++) x[k] = inputs[i * nIn + k];
        this.backprop(labels[i]);
      }
      const scale = eta / mb;
      for (let l = 0; l < this.weights.length; l++) {
        const w = this.weights[l], nw = this.nablaW[l], b = this.biases[l], nb = this.nablaB[l];
        for (let q = 0; q < w.length; q++) w[q] -= scale * nw[q];
        for (let q = 0; q < b.length; q++) b[q] -= scale * nb[q];
      }
    }
    return (performance.now() - t0) / 1000;
  }

  /** backprop(x, y) for the example in acts[0] with class label y, adding into nablaW/nablaB. */
  private backprop(label: number): void {
    const { sizes, weights, biases, acts, zs, deltas } = this;
    const L = sizes.length - 1;
    for (let l = 0; l < L; l++) {
      const nIn = sizes[l], nOut = sizes[l + 1], w = weights[l], b = biases[l], a = acts[l], z = zs[l], out = acts[l + 1];
      for (let j = 0; j < nOut; j++) {
        let s = b[j];
        const row = j * nIn;
        for (let k = 0; k < nIn; k++) s += w[row + k] * a[k];
        z[j] = s;
        out[j] = 1 / (1 + Math.exp(-s));
      }
    }
    // δ^L = (a − y) ⊙ σ'(z)
    const aL = acts[L], dL = deltas[L - 1], zL = zs[L - 1];
    for (let j = 0; j < sizes[L]; j++) {
      const sg = 1 / (1 + Math.exp(-zL[j]));
      dL[j] = (aL[j] - (j === label ? 1 : 0)) * sg * (1 - sg);
    }
    for (let l = L - 1; l >= 0; l--) {
      const nIn = sizes[l], nOut = sizes[l + 1], d = deltas[l], a = acts[l], nw = this.nablaW[l], nb = this.nablaB[l];
      for (let j = 0; j < nOut; j++) {
        const dj = d[j];
        nb[j] += dj;
        const row = j * nIn;
        for (let k = 0; k < nIn; k++) nw[row + k] += dj * a[k];
      }
      if (l > 0) {
        // δ^l = (w^(l+1))ᵀ δ^(l+1) ⊙ σ'(z^l)
        const w = weights[l], dp = deltas[l - 1], z = zs[l - 1];
        for (let k = 0; k < nIn; k++) {
          let s = 0;
          for (let j = 0; j < nOut; j++) s += w[j * nIn + k] * d[j];
          const sg = 1 / (1 + Math.exp(-z[k]));
          dp[k] = s * sg * (1 - sg);
        }
      }
    }
  }

  /** Share of the given examples classified right (argmax of the output). */
  accuracy(inputs: Float32Array, labels: ArrayLike<number>): number {
    const nIn = this.sizes[0], L = this.sizes.length - 1;
    let correct = 0;
    for (let i = 0; i < labels.length; i++) {
      for (let k = 0; k < nIn; k++) this.acts[0][k] = inputs[i * nIn + k];
      for (let l = 0; l < L; l++) {
        const nI = this.sizes[l], nO = this.sizes[l + 1], w = this.weights[l], b = this.biases[l], a = this.acts[l], out = this.acts[l + 1];
        for (let j = 0; j < nO; j++) {
          let s = b[j];
          for (let k = 0; k < nI; k++) s += w[j * nI + k] * a[k];
          out[j] = 1 / (1 + Math.exp(-s));
        }
      }
      const o = this.acts[L];
      let best = 0;
      for (let j = 1; j < o.length; j++) if (o[j] > o[best]) best = j;
      if (best === labels[i]) correct++;
    }
    return correct / labels.length;
  }
}
