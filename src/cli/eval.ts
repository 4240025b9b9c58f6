// `nabla eval model.json [--data …]`: the task's metrics (accuracy and the confusion matrix for
// classification and binary; label accuracy for multi-label; mse, mae and r2 for regression) and
// the mean cost.
import { BACKENDS } from "../wasm.js";
import { argmax } from "../data.js";
import { parse, Values, UsageError, type OptionSpec } from "./args.js";
import { DATA_OPTIONS, dataOptions, describeNetwork, metricsText } from "./train.js";
import { loadDataset, tensors, type Part } from "./dataset.js";
import { standardize } from "../data/standardize.js";
import { loadModel, modelSpec } from "./model.js";
import { printable, type Io } from "./progress.js";
import { DataError } from "../errors.js";
import type { Network } from "../network.js";

export const EVAL_OPTIONS: OptionSpec = {
  ...DATA_OPTIONS,
  split: { type: "string" },
  backend: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/**
 * confusion[t][p]: samples of true class t that the network put in class p — the argmax of its
 * output (classification), or output ≥ 0.5 (binary: 2 × 2).
 */
export function confusionMatrix(net: Network, part: Part): number[][] {
  const nOut = net.sizes[net.sizes.length - 1], binary = net.task === "binary", n = binary ? 2 : nOut;
  const out = net.feedforwardBatch(part.inputs.subarray(0, part.count * net.sizes[0]));
  const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < part.count; i++) {
    if (binary) m[part.labels[i] >= 0.5 ? 1 : 0][out[i] >= 0.5 ? 1 : 0]++;
    else m[part.labels[i]][argmax(out, i * nOut, nOut)]++;
  }
  return m;
}

/** The matrix as text, true classes down, predictions across, with class names as a key when they are long. */
export function formatConfusion(m: number[][], names?: readonly string[]): string {
  const n = m.length;
  // Class names as headers when they are all short; otherwise indices and a key below.
  const short = names !== undefined && names.length === n && names.every((s) => s.length <= 6);
  const label = (i: number) => (short ? names![i] : String(i));
  const w = Math.max(5, ...m.flat().map((x) => String(x).length + 1), ...Array.from({ length: n }, (_, i) => label(i).length + 1));
  const first = Math.max(6, ...Array.from({ length: n }, (_, i) => label(i).length + 1));
  names = names?.map((x) => printable(x));
  const lines = ["confusion matrix (rows: true class, columns: predicted)"];
  lines.push(" ".repeat(first) + Array.from({ length: n }, (_, j) => label(j).padStart(w)).join(""));
  for (let i = 0; i < n; i++) lines.push(label(i).padStart(first - 1) + " " + m[i].map((x) => String(x).padStart(w)).join(""));
  if (names && names.some((s, i) => label(i) !== s)) lines.push("classes: " + names.map((s, i) => `${i} = ${s}`).join(", "));
  return lines.join("\n");
}

export async function evalCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse("eval", args, EVAL_OPTIONS);
  const v = new Values("eval", values);
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "eval needs a model file: nabla eval model.json [--data …]" : `unexpected argument ${JSON.stringify(positionals[1])}`, "eval");
  const split = v.choice("split", ["test", "train", "all"] as const) ?? "test";
  const backend = v.choice("backend", BACKENDS);
  const opts = dataOptions(v);
  const { net, info } = loadModel(positionals[0], backend);
  const spec = v.string("data") ?? modelSpec(positionals[0], info?.spec);
  const data = await loadDataset(spec, { ...opts, model: info ?? undefined, task: net.task });
  if (data.info.inputs !== net.sizes[0]) {
    throw new DataError("data", "--data", `samples of ${net.sizes[0]} inputs (the model's input size)`, `${spec} with ${data.info.inputs}`);
  }
  const nOut = net.sizes[net.sizes.length - 1], task = net.task;
  if (task !== "regression" && task !== "binary" && data.info.classes > nOut) throw new DataError("data", "--data", `labels below ${nOut} (the model's outputs)`, `${spec} with ${data.info.classes} classes`);
  // A model saved by the library without preprocessing, on CSV data: z-scored here from the
  // training part (as before the standardization travelled with the model), unless --no-standardize.
  if (net.preprocessing === null && data.standardization) {
    for (const p of [data.train, data.test]) if (p) standardize(p.inputs.subarray(0, p.count * net.sizes[0]), net.sizes[0], data.standardization);
  }
  let part: Part | null;
  if (split === "train") part = data.train;
  else if (split === "test") part = data.test;
  else part = data.test ? concat(data.train, data.test, net.sizes[0]) : data.train;
  if (!part) throw new UsageError(`${spec} has no test part here (--test-fraction 0?): use --split train or all`, "eval");
  const e = net.evaluate(tensors(part));
  const confusion = task === "classification" || task === "binary" ? confusionMatrix(net, part) : null;
  const classNames = info?.classNames ?? data.info.classNames;
  if (v.bool("json")) {
    const { task: _t, ...metrics } = e;
    io.out(printable(JSON.stringify({ model: positionals[0], data: spec, split, task, ...metrics, ...(confusion ? { confusion } : {}), ...(classNames ? { classNames } : {}) })) + "\n");
  } else {
    io.out(`${positionals[0]}: ${describeNetwork(net)}\n`);
    io.out(`data: ${data.description}, ${split} split (${part.count} samples)\n`);
    if (task === "regression") io.out(`${metricsText(e, task)}, mean cost ${e.cost.toFixed(4)}\n`);
    else if (task === "multi-label") io.out(`${metricsText(e, task)} (exact match ${(100 * e.exactMatch!).toFixed(2)}%), mean cost ${e.cost.toFixed(4)}\n`);
    else io.out(`accuracy ${(100 * e.accuracy!).toFixed(2)}% (${e.correct} / ${e.total}), mean cost ${e.cost.toFixed(4)}\n`);
    if (confusion) io.out(formatConfusion(confusion, classNames) + "\n");
  }
  net.dispose();
  return 0;
}

export { KNOWN_SPECS, modelSpec } from "./model.js";

/** The rows of a then b: a view when they are adjacent in one buffer (a held-out split), else a copy. */
function concat(a: Part, b: Part, nIn: number): Part {
  const adjacent = (x: ArrayBufferView, y: ArrayBufferView, n: number, size: number) => x.buffer === y.buffer && x.byteOffset + n * size === y.byteOffset;
  const w = a.labels.length / a.count, n = a.count + b.count;
  const Labels = a.labels.constructor as new (...args: unknown[]) => Part["labels"];
  if (a.labels.constructor === b.labels.constructor && adjacent(a.inputs, b.inputs, a.count * nIn, 4) && adjacent(a.labels, b.labels, a.count * w, a.labels.BYTES_PER_ELEMENT)) {
    return { inputs: new Float32Array(a.inputs.buffer, a.inputs.byteOffset, n * nIn), labels: new Labels(a.labels.buffer, a.labels.byteOffset, n * w), count: n };
  }
  const inputs = new Float32Array(n * nIn), labels = a.labels instanceof Float32Array ? new Float32Array(n * w) : new Int32Array(n);
  inputs.set(a.inputs.subarray(0, a.count * nIn));
  inputs.set(b.inputs.subarray(0, b.count * nIn), a.count * nIn);
  labels.set(a.labels.subarray(0, a.count * w));
  labels.set(b.labels.subarray(0, b.count * w), a.count * w);
  return { inputs, labels, count: n };
}
