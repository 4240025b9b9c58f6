// Model files: the library's toJSON() plus a "dataset" key (DatasetInfo) that the CLI reads
// back: class names, input shape, CSV feature columns and standardization. Network.fromJSON
// reads only its own keys, so a CLI model file loads in the library as it is.
// Networks above JSON_MAX_PARAMS parameters (and any file named *.nabla) are saved in the
// library's binary form instead (net.toBinary, the same keys in its header): JSON text of a
// network above ≈ 25 M parameters exceeds V8's largest string. Loading sniffs the format.
import { openSync, readSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync, existsSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { tmpdir } from "node:os";
import { Network } from "../network.js";
import { BINARY_MAGIC, binaryHeader, isBinaryModel } from "../binary.js";
import type { BackendOption } from "../wasm.js";
import { ModelFormatError, NablaError, DatasetError, describe } from "../errors.js";
import { readBounded } from "../data/read.js";
import { standardizationProblem } from "../data/standardize.js";
import type { DatasetInfo } from "./dataset.js";

export interface ModelFile {
  net: Network;
  /** Present in files the CLI saved. */
  info: DatasetInfo | null;
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
export function saveModel(file: string, net: Network, info: DatasetInfo, training?: Record<string, unknown>): SaveResult {
  let text: string | Uint8Array;
  const extra = { dataset: info, ...(training ? { training } : {}) };
  const binary = extname(file).toLowerCase() === ".nabla";
  try {
    text = binary ? net.toBinary(extra) : JSON.stringify({ ...net.toJSON(), ...extra });
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
    const raw = binaryHeader("model file", bytes).dataset;
    return { net, info: raw === undefined ? null : checkInfo(file, raw, net) };
  }
  text = bytes.toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError("model file", file, "a JSON model file (from nabla train --save)", `text that does not parse as JSON (${(e as Error).message})`);
  }
  const net = Network.fromJSON(json, backend ? { backend } : {});
  const raw = (json as Record<string, unknown>).dataset;
  return { net, info: raw === undefined ? null : checkInfo(file, raw, net) };
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
    classes: Number.isInteger(d.classes) && (d.classes as number) >= 1 && (d.classes as number) <= nOut ? (d.classes as number) : fail("classes", `an integer from 1 to ${nOut}`, d.classes),
  };
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
