// The z-score standardizer: per-feature mean and (population) standard deviation of the
// training rows, applied as x' = (x − mean) / std — the `preprocessing` form of the model JSON
// (a byte scale of 1/255 is mean 0, std 255).
import { DataError } from "../errors.js";

export interface Standardization {
  mean: number[];
  std: number[];
}

/** Smallest std kept: a feature whose spread is below it (constant) gets std 1, so it stays as x − mean. */
export const MIN_STD = 1e-12;
const FLOAT32_MAX = 3.4028234663852886e38;

/** Per-feature mean and standard deviation (population; 1 where a feature is constant), in float64. */
export function standardization(inputs: Float32Array, nIn: number): Standardization {
  if (!Number.isInteger(nIn) || nIn < 1 || inputs.length % nIn !== 0 || inputs.length === 0) {
    throw new DataError("standardization(inputs, nIn)", "inputs", `a non-empty multiple of nIn = ${nIn} values`, `${inputs.length} values`);
  }
  const count = inputs.length / nIn;
  const mean = new Array<number>(nIn).fill(0), std = new Array<number>(nIn).fill(0);
  for (let r = 0; r < count; r++) for (let k = 0; k < nIn; k++) mean[k] += inputs[r * nIn + k];
  for (let k = 0; k < nIn; k++) mean[k] /= count;
  for (let r = 0; r < count; r++) for (let k = 0; k < nIn; k++) std[k] += (inputs[r * nIn + k] - mean[k]) ** 2;
  for (let k = 0; k < nIn; k++) {
    std[k] = Math.sqrt(std[k] / count);
    if (!(std[k] > MIN_STD)) std[k] = 1;
  }
  return { mean, std };
}

/** x → (x − mean) / std, in place; returns `inputs`. */
export function standardize(inputs: Float32Array, nIn: number, s: { readonly mean: readonly number[]; readonly std: readonly number[] }): Float32Array {
  for (let i = 0; i < inputs.length; i++) inputs[i] = (inputs[i] - s.mean[i % nIn]) / s.std[i % nIn];
  return inputs;
}

/**
 * Checks a standardization from an untrusted source (a model file): nIn finite means and nIn
 * stds that are finite and ≥ MIN_STD (a std of 0, 1e-300, a negative or a non-finite one
 * would turn every input into ±Infinity or NaN). Returns a message naming the first bad
 * entry, or null.
 */
export function standardizationProblem(z: { mean: unknown; std: unknown }, nIn: number): { key: "mean" | "std"; expected: string; index: number } | null {
  for (const key of ["mean", "std"] as const) {
    const v = z[key];
    if (!Array.isArray(v) || v.length !== nIn) return { key, expected: `an array of ${nIn} numbers`, index: -1 };
    for (let i = 0; i < nIn; i++) {
      const x = v[i];
      if (typeof x !== "number" || !Number.isFinite(x) || Math.abs(x) > FLOAT32_MAX) return { key, expected: "finite numbers (within the float32 range)", index: i };
      if (key === "std" && !(x >= MIN_STD)) return { key, expected: `numbers ≥ ${MIN_STD} (a smaller spread is stored as 1)`, index: i };
    }
  }
  return null;
}
