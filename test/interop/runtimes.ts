// The real runtimes the interop tests load exported models in: ONNX Runtime (onnxruntime-node,
// installed in test/runtimes by scripts/install-runtimes.mjs, which `npm test` runs first) and
// TensorFlow.js layers on its CPU backend (root dev dependencies).
import { createRequire } from "node:module";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
// @ts-ignore: plain JavaScript shared with the browser page
import { rng as mulberry32 } from "../browser/problems.js";

/** The parts of onnxruntime-node used here (typed locally: test/runtimes may not be installed when tsc runs). */
interface Ort {
  InferenceSession: { create(bytes: Uint8Array): Promise<OrtSession> };
  Tensor: new (type: "float32", data: Float32Array, dims: readonly number[]) => unknown;
}
interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>>;
}

let ortModule: Ort | null = null;
export function ort(): Ort {
  if (ortModule) return ortModule;
  const req = createRequire(new URL("../runtimes/package.json", import.meta.url));
  try {
    ortModule = req("onnxruntime-node") as Ort;
  } catch (e) {
    throw new Error(`onnxruntime-node is not installed in test/runtimes: run node scripts/install-runtimes.mjs (npm test does) — ${(e as Error).message}`);
  }
  return ortModule;
}

/** Runs an ONNX model in ONNX Runtime on count rows of n_in: its one output, flat. */
export async function runOnnx(bytes: Uint8Array, inputs: Float32Array, nIn: number): Promise<{ data: Float32Array; dims: readonly number[]; inputName: string }> {
  const o = ort();
  const session = await o.InferenceSession.create(bytes);
  const name = session.inputNames[0];
  const out = await session.run({ [name]: new o.Tensor("float32", inputs, [inputs.length / nIn, nIn]) });
  const r = out[session.outputNames[0]];
  return { data: r.data as Float32Array, dims: r.dims, inputName: name };
}

let ready: Promise<void> | null = null;
export async function tfjs(): Promise<{ tf: typeof tf; tfl: typeof tfl }> {
  ready ??= tf.setBackend("cpu").then(() => undefined);
  await ready;
  return { tf, tfl };
}

/** Runs a tfjs LayersModel on count rows of n_in: its output, flat. */
export async function runTfjs(model: tfl.LayersModel, inputs: Float32Array, nIn: number): Promise<Float32Array> {
  const x = tf.tensor2d(inputs, [inputs.length / nIn, nIn]);
  const y = model.predict(x) as tf.Tensor;
  const data = (await y.data()) as Float32Array;
  x.dispose();
  y.dispose();
  return data;
}


/** mulberry32: a small seeded generator for test inputs (the browser tests' copy, shared). */
export const rng: (seed: number) => () => number = mulberry32;

/** count rows of n uniform values in [lo, hi). */
export function uniform(count: number, n: number, seed: number, lo = -2, hi = 2): Float32Array {
  const r = rng(seed), out = new Float32Array(count * n);
  for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

/** Largest |a − b| / max(1, |b|) over two equal-length arrays (Infinity on a length mismatch or NaN). */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i]));
    if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : e;
  }
  return worst;
}
