// Preprocessing (src/preprocessing.ts): the standardization that travels with the model.
import { describe, it, expect } from "vitest";
import { checkPreprocessing, applyPreprocessing, MIN_STD } from "../src/preprocessing.js";
import { ModelFormatError } from "../src/errors.js";
import { Random } from "../src/random.js";

const fail = (arg: string, expected: string, received: string): never => {
  throw new ModelFormatError("test", arg, expected, received);
};

describe("preprocessing", () => {
  it("x' = (x − mean) / std, as float32 Sub then Div (the ONNX export's nodes)", () => {
    const rng = new Random(1), nIn = 5, m = 7;
    const mean = Array.from({ length: nIn }, () => rng.next() * 100 - 50), std = Array.from({ length: nIn }, () => 0.01 + rng.next() * 30);
    const p = checkPreprocessing({ mean, std }, nIn, "options.preprocessing", fail);
    const F = new Float32Array(3 + m * nIn), x = new Float32Array(m * nIn);
    for (let i = 0; i < x.length; i++) x[i] = rng.next() * 255;
    F.set(x, 3);
    applyPreprocessing(F, 3, m, nIn, p);
    for (let i = 0; i < x.length; i++) {
      const k = i % nIn, m32 = Math.fround(mean[k]), s32 = Math.fround(std[k]);
      // Float32 arithmetic emulated with explicit rounding after each operation.
      expect(F[3 + i]).toBe(Math.fround(Math.fround(x[i] - m32) / s32));
      // and within float32 rounding of the float64 value
      expect(Math.abs(F[3 + i] - (x[i] - mean[k]) / std[k])).toBeLessThan(1e-5 * (1 + Math.abs(F[3 + i])));
    }
    expect(Array.from(F.subarray(0, 3))).toEqual([0, 0, 0]);
  });

  it("one number applies to every input: a byte scale of 1/255 is mean 0, std 255", () => {
    const p = checkPreprocessing({ mean: 0, std: 255 }, 3, "options.preprocessing", fail);
    const F = Float32Array.of(0, 255, 51);
    applyPreprocessing(F, 0, 1, 3, p);
    expect(Array.from(F)).toEqual([0, 1, Math.fround(51 / 255)]);
  });

  it.each([
    [{ mean: [0, 0], std: [1, 0] }, "options.preprocessing.std[1]", `a standard deviation ≥ ${MIN_STD}`],
    [{ mean: [0, 0], std: [1, 1e-300] }, "options.preprocessing.std[1]", "a standard deviation"],
    [{ mean: [0, 0], std: [-1, 1] }, "options.preprocessing.std[0]", "a standard deviation"],
    [{ mean: [NaN, 0], std: 1 }, "options.preprocessing.mean[0]", "a finite number"],
    [{ mean: [0, 1e39], std: 1 }, "options.preprocessing.mean[1]", "within the float32 range"],
    [{ mean: [0], std: 1 }, "options.preprocessing.mean", "an array of 2 numbers"],
    [{ mean: 0 }, "options.preprocessing.std", "an array of 2 numbers"],
    [{ mean: 0, std: 1, scale: 2 }, "options.preprocessing.scale", "absent"],
    [[0, 1], "options.preprocessing", "{ mean, std }"],
  ])("refuses %j (names %s)", (v, arg, expected) => {
    const e = (() => { try { checkPreprocessing(v, 2, "options.preprocessing", fail); } catch (e) { return e; } })() as ModelFormatError;
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.argument).toBe(arg);
    expect(e.expected).toContain(expected);
  });
});
