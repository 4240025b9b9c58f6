// IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed. Node only; used by
// the CLI, not part of the library's exports.
//
//   magic   u32 big-endian 0x000008NN: two zero bytes, type 0x08 (unsigned byte), NN dimensions
//   dims    NN × u32 big-endian
//   data    the product of the dims, one byte each
//
// Images are 0x00000803 (count, rows, cols), labels 0x00000801 (count). The header is
// checked against the file's actual length before anything is allocated, so a file that
// declares 2^32 images gets an error, not a 4 GiB allocation.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { DatasetError } from "../errors.js";

export const IDX_IMAGES = 0x00000803;
export const IDX_LABELS = 0x00000801;
/** Largest decompressed IDX file accepted (1 GiB; Fashion-MNIST's training images are 47 MB). */
export const MAX_IDX_BYTES = 2 ** 30;

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count × rows × cols bytes, row-major (a view into the file's buffer). */
  pixels: Uint8Array;
}

const WHERE = "IDX";
const hex = (n: number) => "0x" + (n >>> 0).toString(16).padStart(8, "0");

/** The bytes of a file: gunzipped when they start with the gzip magic 1f 8b (whatever the name says). */
export function readMaybeGzip(file: string, maxBytes = MAX_IDX_BYTES): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DatasetError(WHERE, file, "a readable file", code === "ENOENT" ? "no such file" : `an error (${(e as Error).message})`);
  }
  return gunzipIfNeeded(raw, file, maxBytes);
}

/** Gunzips bytes that start with the gzip magic; others are returned as they are. */
export function gunzipIfNeeded(raw: Uint8Array, file: string, maxBytes = MAX_IDX_BYTES): Uint8Array {
  if (raw.length < 2 || raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: maxBytes });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ERR_BUFFER_TOO_LARGE") throw new DatasetError(WHERE, file, `a gzip file that decompresses to at most ${maxBytes} bytes`, "a larger one");
    throw new DatasetError(WHERE, file, "a complete gzip file", `a damaged or truncated one (${(e as Error).message})`);
  }
}

/** Checks the header and returns the dimensions; the data must be exactly their product in bytes. */
function header(buf: Uint8Array, file: string, magic: number, what: string): number[] {
  const ndim = magic & 0xff;
  const headerBytes = 4 + 4 * ndim;
  if (buf.length < 4) {
    throw new DatasetError(WHERE, file, `an IDX ${what} file (magic ${hex(magic)})`, `a file of ${buf.length} bytes`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const got = view.getUint32(0, false);
  if (got !== magic) {
    const hint = got === IDX_IMAGES ? " (an image file: swap the images and labels?)"
      : got === IDX_LABELS ? " (a label file: swap the images and labels?)"
      : (got >>> 8) === 0x08 ? " (IDX with a different number of dimensions)"
      : (got >>> 16) === 0 && ((got >>> 8) & 0xff) !== 0x08 ? " (IDX of a type other than unsigned bytes)" : "";
    throw new DatasetError(WHERE, file, `an IDX ${what} file (magic ${hex(magic)})`, `magic ${hex(got)}${hint}`);
  }
  if (buf.length < headerBytes) {
    throw new DatasetError(WHERE, file, `an IDX ${what} file (at least ${headerBytes} header bytes)`, `a file of ${buf.length} bytes (truncated?)`);
  }
  const dims: number[] = [];
  let product = 1;
  for (let d = 0; d < ndim; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    product *= n; // a float: may round for absurd dims, but then it is far above any real length
  }
  const expected = headerBytes + product;
  if (buf.length !== expected) {
    const dimText = dims.join(" × ");
    throw new DatasetError(WHERE, file,
      `${expected > Number.MAX_SAFE_INTEGER ? "more bytes than any file can hold" : `${expected} bytes`} (a ${headerBytes}-byte header + ${dimText} = ${product} data bytes, as its header declares)`,
      `${buf.length} bytes${buf.length < expected ? " (truncated?)" : " (trailing data?)"}`);
  }
  return dims;
}

/** Parses an IDX image file (0x00000803): count × rows × cols unsigned bytes. */
export function parseIdxImages(buf: Uint8Array, file = "images"): IdxImages {
  const [count, rows, cols] = header(buf, file, IDX_IMAGES, "images");
  if (count === 0 || rows === 0 || cols === 0) {
    throw new DatasetError(WHERE, file, "at least one image of at least 1×1 pixels", `${count} images of ${rows}×${cols}`);
  }
  return { count, rows, cols, pixels: buf.subarray(16) };
}

/** Parses an IDX label file (0x00000801): count unsigned bytes. */
export function parseIdxLabels(buf: Uint8Array, file = "labels"): Uint8Array {
  const [count] = header(buf, file, IDX_LABELS, "labels");
  if (count === 0) throw new DatasetError(WHERE, file, "at least one label", "0 labels");
  return buf.subarray(8);
}

export interface IdxSet {
  /** count rows of rows × cols pixels scaled to [0, 1]. */
  inputs: Float32Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** Images and labels from two buffers, checked against each other; pixels scaled to [0, 1]. */
export function idxSet(imagesBuf: Uint8Array, labelsBuf: Uint8Array, imagesFile = "images", labelsFile = "labels"): IdxSet {
  const im = parseIdxImages(imagesBuf, imagesFile);
  const labels = parseIdxLabels(labelsBuf, labelsFile);
  if (labels.length !== im.count) {
    throw new DatasetError(WHERE, labelsFile, `${im.count} labels (one per image in ${imagesFile})`, `${labels.length} labels`);
  }
  const inputs = new Float32Array(im.pixels.length);
  for (let i = 0; i < inputs.length; i++) inputs[i] = im.pixels[i] / 255;
  return { inputs, labels: Uint8Array.from(labels), count: im.count, rows: im.rows, cols: im.cols };
}

/** Reads an image file and a label file (each plain or .gz). */
export function readIdxSet(imagesFile: string, labelsFile: string): IdxSet {
  return idxSet(readMaybeGzip(imagesFile), readMaybeGzip(labelsFile), imagesFile, labelsFile);
}

/** An IDX file's bytes, for tests and tools: magic, dims, data. */
export function encodeIdx(magic: number, dims: readonly number[], data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
