// σ and σ'(from a) in plain JS; codes as in src/kernels.ts.
export const SIGMOID = 0, TANH = 1, RELU = 2, LEAKY_RELU = 3, LINEAR = 4, SOFTMAX = 5;
export const LEAKY_SLOPE = Math.fround(0.01);

/** σ(z) for the element-wise activations; overflow-safe sigmoid. */
export function activate(z: number, act: number): number {
  switch (act) {
    case SIGMOID: {
      if (z >= 0) return 1 / (1 + Math.exp(-z));
      const e = Math.exp(z);
      return e / (1 + e);
    }
    case TANH: return Math.tanh(z);
    case RELU: return z > 0 ? z : 0;
    case LEAKY_RELU: return z > 0 ? z : LEAKY_SLOPE * z;
    default: return z;
  }
}

/** σ'(z) written in terms of a = σ(z). */
export function activatePrime(a: number, act: number): number {
  switch (act) {
    case SIGMOID: return a * (1 - a);
    case TANH: return 1 - a * a;
    case RELU: return a > 0 ? 1 : 0;
    case LEAKY_RELU: return a > 0 ? 1 : LEAKY_SLOPE;
    default: return 1;
  }
}

/** Applies σ in place to F[row .. row+n) (softmax over the whole row). */
export function activateRow(F: Float32Array, row: number, n: number, act: number): void {
  if (act === SOFTMAX) {
    let zmax = F[row];
    for (let j = 1; j < n; j++) if (F[row + j] > zmax) zmax = F[row + j];
    if (zmax === Infinity || zmax === -Infinity) {
      // z beyond the float32 range: e^(z − max) would be e^(∞ − ∞) = NaN. The limit puts all
      // the mass on the entries equal to the max, shared equally.
      let ties = 0;
      for (let j = 0; j < n; j++) if (F[row + j] === zmax) ties++;
      for (let j = 0; j < n; j++) F[row + j] = F[row + j] === zmax ? 1 / ties : 0;
      return;
    }
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp(F[row + j] - zmax);
      F[row + j] = e;
      sum += e;
    }
    for (let j = 0; j < n; j++) F[row + j] = F[row + j] / sum;
    return;
  }
  for (let j = 0; j < n; j++) F[row + j] = activate(F[row + j], act);
}
