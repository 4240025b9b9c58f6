// The binary model format: what toJSON carries, for networks of any size the library accepts.
// JSON text of a network above ≈ 25 M parameters exceeds V8's largest string (512 MB), so
// `JSON.stringify(net.toJSON())` throws; this form has no such limit and costs 4 bytes per value.
//
// Layout (all integers little-endian):
//   bytes 0–7     magic "NABLABIN"
//   bytes 8–11    u32 format version (1)
//   bytes 12–15   u32 H, the header's length in bytes
//   16 … 16+H     header: UTF-8 JSON text, exactly toJSON() without its parameter-sized arrays —
//                 no weights, biases, optimizer.state1/state2; "preprocessing": "float32" when the
//                 network has one — plus any extra keys the writer added (the CLI's "dataset")
//   then          zero bytes up to a multiple of 4
//   then to end   float32 little-endian: weights (layer by layer, row j = neuron, column k = input,
//                 as weights[l][j][k]), biases, optimizer state1 and state2 (when the header's
//                 optimizer has them: momentum 1, Adam 2), preprocessing mean then std (n_in each)
//
// Reading checks, before allocating anything proportional to the claims: the magic, the version,
// H against the buffer, the padding, the header with the JSON's own validation (src/serialize.ts
// parseModel: sizes, memory limit, task, dropout, …), and the float section's length against
// what the header declares — then every value (finite; Adam's second moment ≥ 0). No JS array is
// built per value: the float section is read through a Float32Array view.
import { ModelFormatError, OptionError, describe } from "./errors.js";
import type { Optimizer } from "./options.js";
import type { Plan } from "./arena.js";
import type { Model } from "./model.js";
import { modelHeader, parseModel, type ParsedModel, type Section } from "./serialize.js";
import { registerBinaryForm } from "./network.js";

export const BINARY_MAGIC = "NABLABIN";
export const BINARY_VERSION = 1;
/** Largest header accepted (bytes): the header holds no parameter-sized array, so 16 MiB is generous. */
export const MAX_HEADER_BYTES = 2 ** 24;
const PREFIX = 16;
/** Keys of the model itself (toJSON's): `extra` may not use them. */
const MODEL_KEYS = ["format", "version", "sizes", "activation", "output", "cost", "init", "seed", "weights", "biases", "rng", "optimizer", "task", "preprocessing", "dropout"];

/** True when `bytes` starts with the binary format's magic (a cheap sniff; fromBinary checks the rest). */
export function isBinaryModel(bytes: Uint8Array): boolean {
  if (bytes.byteLength < 8) return false;
  for (let i = 0; i < 8; i++) if (bytes[i] !== BINARY_MAGIC.charCodeAt(i)) return false;
  return true;
}

/**
 * The binary form of a network (layout above). `extra`: keys added to the header (they must not
 * collide with the model's own), which fromBinary ignores and `binaryHeader` returns.
 */
export function toBinary(model: Model & { seed: number }, F: Float32Array, p: Plan, rng: Uint32Array,
  opt: { name: Optimizer["name"]; t: number }, extra: Record<string, unknown> = {}): Uint8Array {
  const where = "toBinary(extra)";
  if (extra === null || typeof extra !== "object" || Array.isArray(extra)) throw new OptionError(where, "extra", "an object of extra header keys", describe(extra));
  const head: Record<string, unknown> = { ...modelHeader(model, rng, opt) };
  for (const k of Object.keys(extra)) {
    if (MODEL_KEYS.includes(k)) throw new OptionError(where, `extra.${k}`, "a key that is not one of the model's own", JSON.stringify(k));
  }
  if (head.preprocessing) head.preprocessing = "float32";
  let json: string;
  try {
    json = JSON.stringify({ ...head, ...extra });
  } catch (e) {
    throw new OptionError(where, "extra", "values JSON can write", `one it cannot (${(e as Error)?.message ?? describe(e)})`);
  }
  const text = new TextEncoder().encode(json);
  const states = opt.name === "adam" ? [p.opt1, p.opt2] : opt.name === "momentum" ? [p.opt1] : [];
  const nIn = model.sizes[0], pre = model.preprocessing;
  const n = p.paramsLen * (1 + states.length) + (pre ? 2 * nIn : 0);
  const start = (PREFIX + text.byteLength + 3) & ~3;
  const out = new Uint8Array(start + 4 * n);
  for (let i = 0; i < 8; i++) out[i] = BINARY_MAGIC.charCodeAt(i);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, BINARY_VERSION, true);
  dv.setUint32(12, text.byteLength, true);
  out.set(text, PREFIX);
  // The arena keeps weights then biases contiguously from p.params (the JSON's order).
  const parts: Float32Array[] = [F.subarray(p.params >>> 2, (p.params >>> 2) + p.paramsLen), ...states.map((at) => F.subarray(at >>> 2, (at >>> 2) + p.paramsLen))];
  if (pre) parts.push(pre.mean, pre.std);
  let at = start;
  for (const part of parts) {
    if (LITTLE_ENDIAN) new Float32Array(out.buffer, at, part.length).set(part);
    else for (let i = 0; i < part.length; i++) dv.setFloat32(at + 4 * i, part[i], true);
    at += 4 * part.length;
  }
  return out;
}

/** Checks the fixed prefix and returns the header text's byte range and where the float section starts. */
function frame(where: string, bytes: unknown): { bytes: Uint8Array; header: Uint8Array; start: number } {
  if (!(bytes instanceof Uint8Array)) throw new ModelFormatError(where, "bytes", "a Uint8Array (from toBinary)", describe(bytes));
  const fail = (arg: string, expected: string, received: string): never => { throw new ModelFormatError(where, arg, expected, received); };
  if (bytes.byteLength < PREFIX) fail("bytes", `at least ${PREFIX} bytes (a binary model's prefix)`, `${bytes.byteLength} bytes`);
  if (!isBinaryModel(bytes)) fail("bytes", `a binary model starting with "${BINARY_MAGIC}"`, `bytes starting ${JSON.stringify(String.fromCharCode(...bytes.subarray(0, 8)))}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true), h = dv.getUint32(12, true);
  if (version !== BINARY_VERSION) fail("version", String(BINARY_VERSION), String(version));
  if (h > MAX_HEADER_BYTES) fail("header length", `at most ${MAX_HEADER_BYTES} bytes`, `${h} bytes`);
  if (PREFIX + h > bytes.byteLength) fail("header length", `at most ${bytes.byteLength - PREFIX} bytes (what follows the prefix)`, `${h} bytes`);
  const start = (PREFIX + h + 3) & ~3;
  if (start > bytes.byteLength) fail("bytes", `padding to byte ${start}`, `${bytes.byteLength} bytes`);
  for (let i = PREFIX + h; i < start; i++) if (bytes[i] !== 0) fail(`bytes[${i}]`, "0 (padding)", String(bytes[i]));
  return { bytes, header: bytes.subarray(PREFIX, PREFIX + h), start };
}

/** The header of a binary model as parsed JSON (the model's keys and any extra ones), after checking the prefix. */
export function binaryHeader(where: string, bytes: unknown): Record<string, unknown> {
  const { header } = frame(where, bytes);
  let text: string, json: unknown;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(header);
  } catch {
    throw new ModelFormatError(where, "header", "UTF-8 JSON text", "bytes that are not UTF-8");
  }
  try { json = JSON.parse(text); } catch (e) {
    throw new ModelFormatError(where, "header", "valid JSON text", `text that does not parse (${(e as Error).message})`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new ModelFormatError(where, "header", "a JSON object", describe(json));
  const j = json as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(j, "format") || j.format !== "nabla") throw new ModelFormatError(where, "header.format", '"nabla"', describe(j.format));
  return j;
}

/** Validates an untrusted binary model (layout above) and returns it as flat float32 parameters. */
export function parseBinary(where: string, bytes: unknown): ParsedModel {
  const header = binaryHeader(where, bytes);
  const { bytes: b, start } = frame(where, bytes);
  const body = b.subarray(start);
  const fail = (arg: string, expected: string, v: unknown): never => { throw new ModelFormatError(where, `header.${arg}`, expected, describe(v)); };
  const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
  const section: Section = {
    open(j, o, sizes, count, nStates, preprocessing) {
      for (const k of ["weights", "biases"]) if (has(j, k)) fail(k, "absent (a binary model keeps it in its float32 section)", j[k]);
      for (const k of ["state1", "state2"]) if (has(o, k)) fail(`optimizer.${k}`, "absent (a binary model keeps it in its float32 section)", o[k]);
      if (preprocessing !== undefined && preprocessing !== "float32") fail("preprocessing", '"float32" (mean and std are in the float32 section) or absent', preprocessing);
      const nPre = preprocessing === undefined ? 0 : 2 * sizes[0];
      const n = count * (1 + nStates) + nPre;
      if (body.byteLength !== 4 * n) {
        throw new ModelFormatError(where, "bytes", `${4 * n} bytes of float32 after the header (${count} parameters${nStates ? ` × ${1 + nStates} with the optimizer state` : ""}${nPre ? ` + ${nPre} preprocessing values` : ""})`, `${body.byteLength} bytes`);
      }
      const floats = float32s(body);
      return { floats, preprocessing: nPre ? { mean: floats.subarray(n - nPre, n - nPre / 2), std: floats.subarray(n - nPre / 2, n) } : undefined };
    },
    close: (floats, sizes, count, optName, optT, model) => fromFloats(where, sizes, floats, count, optName, optT, model),
  };
  return parseModel(where, header, section);
}

/** The bytes of a float32 little-endian section as a Float32Array: a view when aligned on a little-endian host, else decoded into a copy. */
function float32s(bytes: Uint8Array): Float32Array {
  const n = bytes.byteLength >>> 2;
  // A SharedArrayBuffer could change between the check and the copy into the network: copied once.
  if (LITTLE_ENDIAN && bytes.buffer instanceof ArrayBuffer && bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, n);
  const out = new Float32Array(n), view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Where flat parameter i is, as a JSON path: weights[l][j][k] or biases[l][j]. */
function paramPath(sizes: readonly number[], i: number): string {
  const L = sizes.length - 1;
  for (let l = 0; l < L; l++) {
    const n = sizes[l] * sizes[l + 1];
    if (i < n) return `weights[${l}][${Math.floor(i / sizes[l])}][${i % sizes[l]}]`;
    i -= n;
  }
  for (let l = 0; l < L; l++) {
    if (i < sizes[l + 1]) return `biases[${l}][${i}]`;
    i -= sizes[l + 1];
  }
  return `[${i}]`;
}

/**
 * The parameters and optimizer state of a binary model, from its float32 section (length already
 * checked): every value finite (and Adam's second moment ≥ 0), as for the JSON, without building
 * any JS array. The arrays returned are views on the section (the network copies them into its memory).
 */
function fromFloats(where: string, sizes: readonly number[], floats: Float32Array, count: number,
  optName: Optimizer["name"] | undefined, optT: number, model: Omit<ParsedModel, "params" | "optimizer">): ParsedModel {
  const nStates = optName === "adam" ? 2 : optName === "momentum" ? 1 : 0;
  for (let i = 0, n = count * (1 + nStates); i < n; i++) {
    const x = floats[i];
    if (x - x !== 0) { // NaN or ±Infinity
      const path = i < count ? paramPath(sizes, i) : `optimizer.state${i < 2 * count ? 1 : 2}[${i % count}]`;
      throw new ModelFormatError(where, path, "a finite number", describe(x));
    }
    if (i >= 2 * count && x < 0) throw new ModelFormatError(where, `optimizer.state2[${i % count}]`, "a number ≥ 0 (Adam's second moment is a mean of squares)", describe(x));
  }
  const params = floats.subarray(0, count);
  const optimizer: ParsedModel["optimizer"] = nStates === 0 ? undefined : {
    name: optName as "momentum" | "adam", t: optT, state1: floats.subarray(count, 2 * count), state2: nStates === 2 ? floats.subarray(2 * count, 3 * count) : null,
  };
  return { ...model, params, optimizer };
}

registerBinaryForm({ toBinary, parseBinary });
