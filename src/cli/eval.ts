// `nabla eval model.json [--data …]`: accuracy, mean cost and the confusion matrix.
import { BACKENDS } from "../wasm.js";
import { argmax } from "../data.js";
import { parse, Values, UsageError, type OptionSpec } from "./args.js";
import { DATA_OPTIONS, dataOptions, describeNetwork } from "./train.js";
import { loadDataset, type Part } from "./dataset.js";
import { loadModel } from "./model.js";
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

/** confusion[t][p]: samples of true class t that the network put in class p (argmax of its output). */
export function confusionMatrix(net: Network, part: Part): number[][] {
  const nOut = net.sizes[net.sizes.length - 1];
  const out = net.feedforwardBatch(part.inputs);
  const m = Array.from({ length: nOut }, () => new Array<number>(nOut).fill(0));
  for (let i = 0; i < part.count; i++) m[part.labels[i]][argmax(out, i * nOut, nOut)]++;
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
  const data = await loadDataset(spec, { ...opts, model: info ?? undefined });
  if (data.info.inputs !== net.sizes[0]) {
    throw new DataError("data", "--data", `samples of ${net.sizes[0]} inputs (the model's input size)`, `${spec} with ${data.info.inputs}`);
  }
  const nOut = net.sizes[net.sizes.length - 1];
  if (data.info.classes > nOut) throw new DataError("data", "--data", `labels below ${nOut} (the model's outputs)`, `${spec} with ${data.info.classes} classes`);
  let part: Part | null;
  if (split === "train") part = data.train;
  else if (split === "test") part = data.test;
  else part = data.test ? concat(data.train, data.test, net.sizes[0]) : data.train;
  if (!part) throw new UsageError(`${spec} has no test part here (--test-fraction 0?): use --split train or all`, "eval");
  const e = net.evaluate(part);
  const confusion = confusionMatrix(net, part);
  const classNames = info?.classNames ?? data.info.classNames;
  if (v.bool("json")) {
    io.out(printable(JSON.stringify({ model: positionals[0], data: spec, split, correct: e.correct, total: e.total, accuracy: e.accuracy, cost: e.cost, confusion, ...(classNames ? { classNames } : {}) })) + "\n");
  } else {
    io.out(`${positionals[0]}: ${describeNetwork(net)}\n`);
    io.out(`data: ${data.description}, ${split} split (${part.count} samples)\n`);
    io.out(`accuracy ${(100 * e.accuracy!).toFixed(2)}% (${e.correct} / ${e.total}), mean cost ${e.cost.toFixed(4)}\n`);
    io.out(formatConfusion(confusion, classNames) + "\n");
  }
  net.dispose();
  return 0;
}

/** Data sets a model file may name for eval without --data: known names only, never a path. */
export const KNOWN_SPECS = ["mnist", "fashion-mnist"] as const;

/**
 * The data set of a model file, when it is one of KNOWN_SPECS. A model file is untrusted: a
 * spec with a path (idx:/dev/zero, csv:~/.ssh/…, fashion-mnist:<dir>) is never read on its say-so.
 */
export function modelSpec(file: string, spec: string | undefined): string {
  if (spec === undefined) throw new UsageError(`${file} does not say which data it was trained on: give --data`, "eval");
  const s = spec.trim() === "fashion" ? "fashion-mnist" : spec.trim();
  if ((KNOWN_SPECS as readonly string[]).includes(s)) return s;
  throw new UsageError(`${file} says it was trained on ${printable(JSON.stringify(spec))}; a model file never chooses which files eval reads. ` +
    `Give the data with --data (e.g. --data ${printable(JSON.stringify(spec.length > 200 ? spec.slice(0, 200) + "…" : spec))} if you trust that path)`, "eval");
}

/** The rows of a then b: a view when they are adjacent in one buffer (a held-out split), else a copy. */
function concat(a: Part, b: Part, nIn: number): Part {
  const adjacent = (x: ArrayBufferView, y: ArrayBufferView, n: number, size: number) => x.buffer === y.buffer && x.byteOffset + n * size === y.byteOffset;
  if (a.labels.constructor === b.labels.constructor && adjacent(a.inputs, b.inputs, a.count * nIn, 4) && adjacent(a.labels, b.labels, a.count, a.labels.BYTES_PER_ELEMENT)) {
    const n = a.count + b.count;
    const inputs = new Float32Array(a.inputs.buffer, a.inputs.byteOffset, n * nIn);
    const labels = a.labels instanceof Int32Array ? new Int32Array(a.labels.buffer, a.labels.byteOffset, n) : new Uint8Array(a.labels.buffer, a.labels.byteOffset, n);
    return { inputs, labels, count: n };
  }
  const inputs = new Float32Array((a.count + b.count) * nIn), labels = new Int32Array(a.count + b.count);
  inputs.set(a.inputs.subarray(0, a.count * nIn));
  inputs.set(b.inputs.subarray(0, b.count * nIn), a.count * nIn);
  labels.set(a.labels.subarray(0, a.count));
  labels.set(b.labels.subarray(0, b.count), a.count);
  return { inputs, labels, count: a.count + b.count };
}
