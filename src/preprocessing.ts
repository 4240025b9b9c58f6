// Input preprocessing that travels with the model: a standardization x' = (x − mean) / std per
// input (a byte scale of 1/255 is mean 0, std 255). It is part of the network and of its JSON
// (`preprocessing: { mean, std }`), and feedforward, predict, evaluate and train apply it, so a
// model trained on standardized inputs gives the same outputs wherever it is loaded.
//
// Arithmetic is float32, in the order of the ONNX export's leading Sub and Div nodes:
// x' = fround(fround(x − mean) / std), with mean and std rounded to float32 when the network takes
// them (and saved as those float32 values), so the library and an exported model agree bit for bit.
import { describe } from "./errors.js";
import { isVector } from "./data.js";
import { checkNumber, type Fail } from "./check.js";

export interface Preprocessing {
  /** Per input: subtracted first. */
  readonly mean: Float32Array;
  /** Per input: divided by second. Finite and ≥ MIN_STD. */
  readonly std: Float32Array;
}

/** Smallest std accepted (the CLI's standardizer stores 1 for a feature whose spread is below it). */
export const MIN_STD = 1e-12;
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Checks a preprocessing option or saved field: `{ mean, std }`, each an array (or typed array) of
 * nIn numbers or one number for every input. Means finite within the float32 range; stds finite
 * and ≥ MIN_STD (a std of 0, 1e-300 or a negative one would turn inputs into ±Infinity or NaN).
 * `arg` names it in errors ("options.preprocessing", "json.preprocessing").
 */
export function checkPreprocessing(v: unknown, nIn: number, arg: string, fail: Fail): Preprocessing {
  if (v === null || typeof v !== "object" || Array.isArray(v)) fail(arg, "{ mean, std }", describe(v));
  const o = v as Record<string, unknown>;
  for (const key of Object.keys(o)) if (key !== "mean" && key !== "std") fail(`${arg}.${key}`, "absent (only mean and std)", describe(o[key]));
  const read = (key: "mean" | "std"): Float32Array => {
    const x = o[key], out = new Float32Array(nIn);
    const one = (value: unknown, at: string): number => {
      const x = checkNumber(value, (x) => Math.abs(x) <= FLOAT32_MAX, at, "a finite number (within the float32 range)", fail);
      return key === "std" && !(x >= MIN_STD) ? fail(at, `a standard deviation ≥ ${MIN_STD}`, describe(x)) : x;
    };
    if (typeof x === "number") out.fill(one(x, `${arg}.${key}`));
    else if (isVector(x) && x.length === nIn) {
      const a = x as ArrayLike<unknown>;
      for (let k = 0; k < nIn; k++) out[k] = one(a[k], `${arg}.${key}[${k}]`);
      // Each element is read once: a getter cannot pass the check and then change the value.
    } else {
      fail(`${arg}.${key}`, `an array of ${nIn} numbers (one per input) or one number`, describe(x));
    }
    return out;
  };
  return { mean: read("mean"), std: read("std") };
}

/** x' = (x − mean) / std in float32, in place, for m rows of nIn at F[at..]. */
export function applyPreprocessing(F: Float32Array, at: number, m: number, nIn: number, p: Preprocessing): void {
  const { mean, std } = p;
  for (let r = 0, i = at; r < m; r++) {
    for (let k = 0; k < nIn; k++, i++) F[i] = Math.fround(F[i] - mean[k]) / std[k];
  }
}

/** The JSON form: plain arrays of the float32 values. */
export function preprocessingJSON(p: Preprocessing): { mean: number[]; std: number[] } {
  return { mean: Array.from(p.mean, (v) => v + 0), std: Array.from(p.std) };
}
