// Model files: the library's toJSON() plus a "dataset" key (DatasetInfo) that the CLI reads
// back: class names, input shape, CSV feature columns. The CSV standardization is the network's
// own `preprocessing` (part of toJSON), so Network.fromJSON — which reads only its own keys —
// gives a CLI model file the same outputs as `nabla predict`. Files saved before that kept it
// in `dataset.standardize`; loadModel turns it into the network's preprocessing.
// Networks above JSON_MAX_PARAMS parameters (and any file named *.nabla) are saved in the
// library's binary form instead (net.toBinary, the same keys in its header): JSON text of a
// network above ≈ 25 M parameters exceeds V8's largest string. Loading sniffs the format.
import { openSync, readSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync, existsSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { tmpdir } from "node:os";
import { Network } from "../network.js";
import { BINARY_MAGIC, binaryHeader, isBinaryModel } from "../binary.js";
import type { BackendOption } from "../wasm.js";
import type { OptimizerOption } from "../options.js";
import { ModelFormatError, NablaError, DatasetError, describe } from "../errors.js";
import { readBounded } from "../data/read.js";
import { standardizationProblem } from "../data/standardize.js";
import type { DatasetInfo } from "./dataset.js";
import { UsageError } from "./args.js";
import { printable } from "./progress.js";

export interface ModelFile {
  net: Network;
  /** Present in files the CLI saved. */
  info: DatasetInfo | null;
  /** How it was trained (files the CLI saved): what `--resume` continues with. */
  training: TrainingRecord | null;
}

/** The "training" key of a CLI model file. */
export interface TrainingRecord {
  epochs?: number;
  batch?: number;
  eta?: number;
  lambda?: number;
  l1?: number;
  optimizer?: OptimizerOption;
  accuracy?: number;
  r2?: number;
  seconds?: number;
}

/** Largest model file read (bytes). */
export const MAX_MODEL_BYTES = 2 ** 30;
/** Largest binary model file read (bytes): the largest network the library builds (4 GiB of memory), with Adam's state. */
export const MAX_BINARY_MODEL_BYTES = 2 ** 31;
/**
 * Above this many parameters the CLI saves the binary form: its JSON (with Adam's two moments,
 * three numbers per parameter of up to ~25 characters) could exceed 300 MB, near V8's 512 MB
 * string limit and the JSON reader's MAX_MODEL_BYTES.
 */
export const JSON_MAX_PARAMS = 4_000_000;

/** The number of parameters (weights and biases) of a network of these layer sizes. */
export const parameters = (sizes: readonly number[]): number => sizes.slice(1).reduce((n, s, l) => n + s * (sizes[l] + 1), 0);

/**
 * Where and how `--save file` writes a network of these sizes: JSON at `file` for a small one;
 * the binary form for a large one (at `file` if it ends in .nabla, else beside it with the
 * extension .nabla, so a .json name never holds binary bytes) or whenever `file` ends in .nabla.
 */
export function savePlan(file: string, sizes: readonly number[]): { path: string; binary: boolean } {
  if (extname(file).toLowerCase() === ".nabla") return { path: file, binary: true };
  if (parameters(sizes) <= JSON_MAX_PARAMS) return { path: file, binary: false };
  const ext = extname(file);
  return { path: (ext.toLowerCase() === ".json" ? file.slice(0, -ext.length) : file) + ".nabla", binary: true };
}

/** Longest file name (bytes) on the file systems we write to (Linux, macOS, Windows: 255). */
export const NAME_MAX = 255;

/** The temporary file a save writes before renaming it into place: fixed length, whatever the target's name. */
export const tempPath = (file: string) => join(dirname(resolve(file)), `.nabla-save-${process.pid}.tmp`);

/** Temporary files of saves in progress, removed if the process exits in the middle of one (e.g. a second Ctrl-C). */
const pending = new Set<string>();
let exitHook = false;
function track(tmp: string): void {
  if (!exitHook) {
    exitHook = true;
    process.on("exit", () => { for (const t of pending) try { unlinkSync(t); } catch { /* already gone */ } });
  }
  pending.add(tmp);
}

/**
 * Writes text to `file` durably and atomically: to a temporary file in the same directory,
 * fsync, rename over `file`, fsync the directory (where the platform allows). On any failure
 * the temporary file is removed and the error rethrown; `file` is then untouched.
 */
export function writeFileAtomic(file: string, text: string | Uint8Array): void {
  if (Buffer.byteLength(basename(file)) > NAME_MAX) {
    throw Object.assign(new Error(`the file name is ${Buffer.byteLength(basename(file))} bytes long, more than ${NAME_MAX}`), { code: "ENAMETOOLONG" });
  }
  const tmp = tempPath(file);
  track(tmp);
  let fd = -1;
  try {
    fd = openSync(tmp, "w", 0o644);
    const buf = typeof text === "string" ? Buffer.from(text, "utf8") : Buffer.from(text.buffer, text.byteOffset, text.byteLength);
    for (let at = 0; at < buf.length;) at += writeSync(fd, buf, at, buf.length - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, file);
    pending.delete(tmp);
    try {
      const d = openSync(dirname(resolve(file)), "r");
      try { fsyncSync(d); } finally { closeSync(d); }
    } catch { /* directories cannot be fsynced on every platform */ }
  } catch (e) {
    if (fd >= 0) try { closeSync(fd); } catch { /* closing after a failed write */ }
    try { unlinkSync(tmp); } catch { /* not created */ }
    pending.delete(tmp);
    throw e;
  }
}

/**
 * Checks before training that a model can be saved at `file`: its name fits (NAME_MAX bytes),
 * the directory exists and a file can be created there (the save's own temporary file is
 * created and removed — a real probe, which also holds for root and read-only file systems).
 * Returns what is wrong, or null.
 */
export function saveProblem(file: string): string | null {
  const dir = dirname(resolve(file));
  const n = Buffer.byteLength(basename(file));
  if (n > NAME_MAX) return `the file name is ${n} bytes long; file systems allow at most ${NAME_MAX}`;
  if (existsSync(file) && statSync(file).isDirectory()) return "that is a directory";
  const tmp = tempPath(file);
  try {
    closeSync(openSync(tmp, "w", 0o644));
    unlinkSync(tmp);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return `cannot write in ${dir} (${code === "ENOENT" || code === "ENOTDIR" ? "no such directory" : code ?? (e as Error).message})`;
  }
  return null;
}

/** Why a write failed, in a few words: "ENOSPC: no space left on device, …". */
const reason = (e: unknown) => (e as Error)?.message ?? String(e);

export interface SaveResult {
  /** Where the model is. */
  path: string;
  /** Set when it could not be written where asked: why, and `path` is a fallback. */
  failed?: string;
}

/** Where a save that failed at `file` is retried: the same directory under a short name, then the temporary directory. */
export function fallbackPaths(file: string): string[] {
  const stamp = `${new Date().toISOString().replace(/[:.]/g, "-")}-${process.pid}`;
  const ext = extname(file).toLowerCase() === ".nabla" ? ".nabla" : ".json";
  return [join(dirname(resolve(file)), `nabla-recovered-${stamp}${ext}`), join(tmpdir(), `nabla-recovered-${stamp}${ext}`)];
}

/** A save that failed everywhere: the model was NOT saved. */
export class SaveError extends NablaError {}

/**
 * Saves the network and its dataset info to `file` (writeFileAtomic), as JSON or — for a file
 * named *.nabla (see savePlan) — in the binary form. If that fails, the model
 * is NOT at `file` (an older file there is untouched) and the save is retried at the
 * fallback paths; the result says where it went. Throws a SaveError when no path worked.
 */
export function saveModel(file: string, net: Network, info: DatasetInfo, training?: TrainingRecord, weightsOnly = false): SaveResult {
  let text: string | Uint8Array;
  const extra = { dataset: info, ...(training ? { training } : {}) };
  const binary = extname(file).toLowerCase() === ".nabla";
  try {
    if (binary) text = net.toBinary(extra); // the binary form keeps the optimizer state (--weights-only is for JSON files)
    else {
      const json = net.toJSON();
      // --weights-only: no optimizer state (momentum velocities, Adam's two moments: 2× the weights).
      if (weightsOnly) delete json.optimizer;
      text = JSON.stringify({ ...json, ...extra });
    }
  } catch (e) {
    throw new SaveError("save", file, `a model that can be written as ${binary ? "a binary model" : "JSON (a file named .nabla takes any size)"}`, `one that cannot (${reason(e)})`, "The model was NOT saved");
  }
  const tried: string[] = [];
  for (const path of [file, ...fallbackPaths(file)]) {
    try {
      writeFileAtomic(path, text);
      return tried.length === 0 ? { path } : { path, failed: tried[0] };
    } catch (e) {
      tried.push(`${path}: ${reason(e)}`);
    }
  }
  throw new SaveError("save", file, "a file the model can be written to", `errors everywhere it was tried (${tried.join("; ")})`, "The model was NOT saved");
}

/** True when the file starts with the binary form's magic (read before the whole file, to pick the size limit). */
function sniffBinary(file: string): boolean {
  let fd = -1;
  try {
    fd = openSync(file, "r");
    if (!statSync(file).isFile()) return false;
    const head = Buffer.alloc(BINARY_MAGIC.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && isBinaryModel(head);
  } catch {
    return false; // readBounded reports the problem
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/**
 * Reads a model file (at most MAX_MODEL_BYTES): the network, and the CLI's dataset info when the
 * CLI saved it. An older CLI file's `dataset.standardize` becomes the network's preprocessing.
 */
export function loadModel(file: string, backend?: BackendOption): ModelFile {
  let text: string;
  const binary = sniffBinary(file);
  let bytes: Buffer;
  try {
    bytes = readBounded(file, binary ? MAX_BINARY_MODEL_BYTES : MAX_MODEL_BYTES, "model file");
  } catch (e) {
    if (e instanceof DatasetError) throw new ModelFormatError("model file", file, `a readable model file (from nabla train --save)${/at most/.test(e.expected) ? ` of ${e.expected.replace(/^a file of /, "")}` : ""}`, e.received);
    throw e;
  }
  if (binary && isBinaryModel(bytes)) {
    const net = Network.fromBinary(bytes, backend ? { backend } : {});
    const head = binaryHeader("model file", bytes);
    return { net, info: head.dataset === undefined ? null : checkInfo(file, head.dataset, net), training: checkTraining(file, head.training) };
  }
  text = bytes.toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError("model file", file, "a JSON model file (from nabla train --save)", `text that does not parse as JSON (${(e as Error).message})`);
  }
  let net = Network.fromJSON(json, backend ? { backend } : {});
  const raw = (json as Record<string, unknown>).dataset;
  const info = raw === undefined ? null : checkInfo(file, raw, net);
  if (info?.standardize && net.preprocessing === null) {
    // A file from before the standardization travelled as the network's preprocessing: the same
    // z-score, now applied by the network (in float32, as everywhere else).
    net.dispose();
    net = Network.fromJSON({ ...(json as object), preprocessing: info.standardize }, backend ? { backend } : {});
  }
  return { net, info, training: checkTraining(file, (json as Record<string, unknown>).training) };
}

/** Checks the "dataset" key of an untrusted file against the network it came with. */
function checkInfo(file: string, raw: unknown, net: Network): DatasetInfo {
  const fail = (arg: string, expected: string, v: unknown): never => { throw new ModelFormatError(file, `dataset.${arg}`, expected, describe(v)); };
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) fail("", "an object", raw);
  const d = raw as Record<string, unknown>;
  const nIn = net.sizes[0], nOut = net.sizes[net.sizes.length - 1];
  const out: DatasetInfo = {
    spec: typeof d.spec === "string" ? d.spec : fail("spec", "a string", d.spec),
    kind: d.kind === "mnist" || d.kind === "fashion-mnist" || d.kind === "idx" || d.kind === "csv" ? d.kind : fail("kind", "mnist, fashion-mnist, idx or csv", d.kind),
    inputs: d.inputs === nIn ? nIn : fail("inputs", `${nIn} (the network's input size)`, d.inputs),
    // A binary network has one output for two classes.
    classes: Number.isInteger(d.classes) && (d.classes as number) >= 1 && (d.classes as number) <= (net.task === "binary" ? 2 : nOut) ? (d.classes as number)
      : fail("classes", `an integer from 1 to ${net.task === "binary" ? 2 : nOut}`, d.classes),
  };
  if (d.task !== undefined && d.task !== net.task) fail("task", `${JSON.stringify(net.task)} (the network's task)`, d.task);
  out.task = net.task;
  const strings = (k: string, n?: number) => {
    const v = d[k];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === "string") || (n !== undefined && v.length !== n)) fail(k, `an array of ${n ?? "some"} strings`, v);
    return v as string[];
  };
  if (d.shape !== undefined) {
    const s = d.shape as unknown[];
    if (!Array.isArray(s) || s.length !== 2 || !s.every((x) => Number.isInteger(x) && (x as number) >= 1) || (s[0] as number) * (s[1] as number) !== nIn) fail("shape", `[rows, cols] with rows × cols = ${nIn}`, s);
    out.shape = [s[0] as number, s[1] as number];
  }
  out.classNames = strings("classNames", out.classes);
  out.features = strings("features", nIn);
  if (typeof d.label === "string") out.label = d.label;
  if (d.standardize !== undefined) {
    const z = d.standardize as Record<string, unknown>;
    if (z === null || typeof z !== "object") fail("standardize", "{ mean, std }", z);
    const bad = standardizationProblem({ mean: z.mean, std: z.std }, nIn);
    if (bad) {
      const v = z[bad.key] as unknown[];
      fail(`standardize.${bad.key}${bad.index >= 0 ? `[${bad.index}]` : ""}`, bad.expected, bad.index >= 0 ? v[bad.index] : v);
    }
    out.standardize = { mean: [...(z.mean as number[])], std: [...(z.std as number[])] };
  }
  if (typeof d.testFraction === "number" && d.testFraction >= 0 && d.testFraction < 1) out.testFraction = d.testFraction;
  for (const k of ["trainSize", "testSize"] as const) {
    if (d[k] !== undefined) out[k] = Number.isInteger(d[k]) && (d[k] as number) >= 0 ? (d[k] as number) : fail(k, "a non-negative integer", d[k]);
  }
  return out;
}

/** Checks the "training" key of an untrusted file: the settings --resume reuses. */
function checkTraining(file: string, raw: unknown): TrainingRecord | null {
  if (raw === undefined) return null;
  const fail = (arg: string, expected: string, v: unknown): never => { throw new ModelFormatError(file, `training.${arg}`, expected, describe(v)); };
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) fail("", "an object", raw);
  const t = raw as Record<string, unknown>, out: TrainingRecord = {};
  const num = (k: "epochs" | "batch" | "eta" | "lambda" | "l1", ok: (x: number) => boolean, expected: string) => {
    const x = t[k];
    if (x === undefined) return;
    if (typeof x !== "number" || !Number.isFinite(x) || !ok(x)) fail(k, expected, x);
    out[k] = x as number;
  };
  num("epochs", (x) => Number.isSafeInteger(x) && x >= 0, "a non-negative integer");
  num("batch", (x) => Number.isSafeInteger(x) && x >= 1, "a positive integer");
  num("eta", (x) => x > 0, "a number > 0");
  num("lambda", (x) => x >= 0, "a number ≥ 0");
  num("l1", (x) => x >= 0, "a number ≥ 0");
  const o = t.optimizer;
  if (o === "sgd" || o === "momentum" || o === "adam") out.optimizer = o;
  else if (o !== null && typeof o === "object" && (o as Record<string, unknown>).name === "momentum") {
    const mu = (o as Record<string, unknown>).mu;
    if (typeof mu !== "number" || !(mu >= 0 && mu < 1)) fail("optimizer.mu", "a number in [0, 1)", mu);
    out.optimizer = { name: "momentum", mu: mu as number };
  } else if (o !== undefined) fail("optimizer", '"sgd", "momentum", "adam" or { name: "momentum", mu }', o);
  return out;
}

/** Data sets a model file may name for eval without --data: known names only, never a path. */
export const KNOWN_SPECS = ["mnist", "fashion-mnist"] as const;

/**
 * The data set of a model file, when it is one of KNOWN_SPECS. A model file is untrusted: a
 * spec with a path (idx:/dev/zero, csv:~/.ssh/…, fashion-mnist:<dir>) is never read on its say-so.
 */
export function modelSpec(file: string, spec: string | undefined, command = "eval"): string {
  if (spec === undefined) throw new UsageError(`${file} does not say which data it was trained on: give --data`, command);
  const s = spec.trim() === "fashion" ? "fashion-mnist" : spec.trim();
  if ((KNOWN_SPECS as readonly string[]).includes(s)) return s;
  throw new UsageError(`${file} says it was trained on ${printable(JSON.stringify(spec))}; a model file never chooses which files ${command} reads. ` +
    `Give the data with --data (e.g. --data ${printable(JSON.stringify(spec.length > 200 ? spec.slice(0, 200) + "…" : spec))} if you trust that path)`, command);
}
