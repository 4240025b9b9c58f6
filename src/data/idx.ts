// IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed. Node only; part of
// the `nabla/data` sub-export (src/data/index.ts) and used by the CLI.
//
//   magic   u32 big-endian 0x000008NN: two zero bytes, type 0x08 (unsigned byte), NN dimensions
//   dims    NN × u32 big-endian
//   data    the product of the dims, one byte each
//
// Images are 0x00000803 (count, rows, cols), labels 0x00000801 (count). The header is
// checked against the file's actual length before anything is allocated, so a file that
// declares 2^32 images gets an error, not a 4 GiB allocation.
//
// Files are read as a stream (readIdxImages, readIdxLabels, readIdxSet): the header's declared
// size is checked against `maxBytes` (and a plain file's length) before anything proportional
// to it is allocated; .gz files are decompressed chunk by chunk and stopped as soon as they
// give more than the header declared; each chunk is converted straight into the result (a
// Float32Array of pixels / 255, or the labels), so no whole-file byte buffer exists. Peak
// memory of reading one file: its result (4 bytes per pixel, 1 per label) plus ≈ 128 KiB of
// stream buffers, and the declared data is at most maxBytes (default MAX_IDX_BYTES).
import { promises as fsp } from "node:fs";
import { gunzipSync, createGunzip } from "node:zlib";
import { pipeline, Readable } from "node:stream";
import { DatasetError } from "../errors.js";

export const IDX_IMAGES = 0x00000803;
export const IDX_LABELS = 0x00000801;
/**
 * Largest declared data of one IDX file accepted by default: 256 MiB (Fashion-MNIST's and
 * MNIST's training images are 47 MB); images of that size decode to 1 GiB of float32.
 */
export const MAX_IDX_BYTES = 2 ** 28;

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count × rows × cols bytes, row-major (a view into the file's buffer). */
  pixels: Uint8Array;
}

const WHERE = "IDX";
const hex = (n: number) => "0x" + (n >>> 0).toString(16).padStart(8, "0");

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

/** The magic and the dimensions from the first bytes (buf.length ≥ 4 + 4·ndim, or an error). */
function dimsOf(buf: Uint8Array, file: string, magic: number, what: string): number[] {
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
  for (let d = 0; d < ndim; d++) dims.push(view.getUint32(4 + 4 * d, false));
  return dims;
}

/** The product of the dims (a float: may round for absurd dims, but then it is far above any limit). */
const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** A DatasetError for a file whose length is not the header plus the declared data. */
function lengthError(file: string, dims: readonly number[], length: number, atLeast = false): DatasetError {
  const headerBytes = 4 + 4 * dims.length, data = product(dims), expected = headerBytes + data;
  return new DatasetError(WHERE, file,
    `${expected > Number.MAX_SAFE_INTEGER ? "more bytes than any file can hold" : `${expected} bytes`} (a ${headerBytes}-byte header + ${dims.join(" × ")} = ${data} data bytes, as its header declares)`,
    `${atLeast ? "at least " : ""}${length} bytes${length < expected ? " (truncated?)" : " (trailing data?)"}`);
}

/** Checks the header and returns the dimensions; the data must be exactly their product in bytes. */
function header(buf: Uint8Array, file: string, magic: number, what: string): number[] {
  const dims = dimsOf(buf, file, magic, what);
  if (buf.length !== 4 + 4 * dims.length + product(dims)) throw lengthError(file, dims, buf.length);
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

export interface IdxReadOptions {
  /** Largest declared data (bytes after the header) accepted; default MAX_IDX_BYTES. */
  maxBytes?: number;
}

/** A readable file's handle, or a DatasetError naming it. */
async function open(file: string): Promise<{ fh: fsp.FileHandle; size: number | null }> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(file, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DatasetError(WHERE, file, "a readable file", code === "ENOENT" ? "no such file" : `an error (${(e as Error).message})`);
  }
  const st = await fh.stat();
  if (st.isDirectory()) {
    await fh.close();
    throw new DatasetError(WHERE, file, "a readable file", "a directory");
  }
  return { fh, size: st.isFile() ? st.size : null };
}

/**
 * Streams one IDX file (plain or gzip): checks the magic and the declared size (against
 * maxBytes and, for a plain regular file, its length) before calling alloc, then hands each
 * chunk of data to put(chunk, offset). More data than declared stops the stream at once.
 */
async function streamIdx(file: string, magic: number, what: string, maxBytes: number,
  alloc: (dims: number[]) => void, put: (chunk: Uint8Array, offset: number) => void): Promise<number[]> {
  const { fh, size } = await open(file);
  // No positional reads: pipes and process substitutions (idx:<(zcat …)) cannot seek. The
  // first bytes decide on gzip; they are handed on with the rest.
  const raw = fh.createReadStream({ autoClose: false, highWaterMark: 64 * 1024 });
  const it = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first: Buffer[] = [];
  let firstBytes = 0, ended = false;
  try {
    while (firstBytes < 2) {
      const r = await it.next();
      if (r.done) { ended = true; break; }
      first.push(r.value); firstBytes += r.value.length;
    }
  } catch (e) {
    raw.destroy();
    await fh.close().catch(() => {});
    throw new DatasetError(WHERE, file, "a readable file", `an error (${(e as Error).message})`);
  }
  const start = Buffer.concat(first);
  const gz = start.length >= 2 && start[0] === 0x1f && start[1] === 0x8b;
  const all = Readable.from((async function* () {
    if (start.length > 0) yield start;
    if (!ended) for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  })(), { objectMode: false });
  const src = gz ? pipeline(all, createGunzip({ chunkSize: 64 * 1024 }), () => {}) : all;
  const headerBytes = 4 + 4 * (magic & 0xff);
  let pending = new Uint8Array(0), dims: number[] | null = null, total = 0, got = 0;
  try {
    for await (const c of src as AsyncIterable<Buffer>) {
      let chunk: Uint8Array = c;
      if (!dims) {
        const joined = new Uint8Array(pending.length + chunk.length);
        joined.set(pending); joined.set(chunk, pending.length);
        if (joined.length < headerBytes) {
          // A wrong magic is reported as soon as it is seen (e.g. /dev/zero), not after more reading.
          if (joined.length >= 4 && new DataView(joined.buffer, joined.byteOffset, 4).getUint32(0, false) !== magic) dimsOf(joined.subarray(0, 4), file, magic, what);
          pending = joined;
          continue;
        }
        dims = dimsOf(joined.subarray(0, headerBytes), file, magic, what);
        total = product(dims);
        if (total > maxBytes) {
          throw new DatasetError(WHERE, file, `at most ${maxBytes} bytes of data (the reader's maxBytes)`,
            `a header declaring ${dims.join(" × ")} = ${total} bytes`);
        }
        if (!gz && size !== null && size !== headerBytes + total) throw lengthError(file, dims, size);
        alloc(dims);
        chunk = joined.subarray(headerBytes);
        pending = new Uint8Array(0);
      }
      if (got + chunk.length > total) throw lengthError(file, dims, headerBytes + got + chunk.length, true);
      put(chunk, got);
      got += chunk.length;
    }
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    const msg = (e as Error).message;
    if (gz) throw new DatasetError(WHERE, file, "a complete gzip file", `a damaged or truncated one (${msg})`);
    throw new DatasetError(WHERE, file, "a readable file", `an error (${msg})`);
  } finally {
    all.destroy();
    raw.destroy();
    await fh.close().catch(() => {});
  }
  if (!dims) {
    const buf = pending;
    dimsOf(buf, file, magic, what); // throws: too short
    throw new DatasetError(WHERE, file, `an IDX ${what} file`, `a file of ${buf.length} bytes`);
  }
  if (got !== total) throw lengthError(file, dims, headerBytes + got);
  return dims;
}

/** Reads an IDX image file (plain or .gz) straight into float32 pixels scaled to [0, 1]. */
export async function readIdxImages(file: string, o: IdxReadOptions = {}): Promise<{ inputs: Float32Array; count: number; rows: number; cols: number }> {
  let inputs = new Float32Array(0);
  const [count, rows, cols] = await streamIdx(file, IDX_IMAGES, "images", o.maxBytes ?? MAX_IDX_BYTES, (d) => {
    if (d[0] === 0 || d[1] === 0 || d[2] === 0) {
      throw new DatasetError(WHERE, file, "at least one image of at least 1×1 pixels", `${d[0]} images of ${d[1]}×${d[2]}`);
    }
    inputs = new Float32Array(d[0] * d[1] * d[2]);
  }, (chunk, at) => {
    for (let i = 0; i < chunk.length; i++) inputs[at + i] = chunk[i] / 255;
  });
  return { inputs, count, rows, cols };
}

/** Reads an IDX label file (plain or .gz). */
export async function readIdxLabels(file: string, o: IdxReadOptions = {}): Promise<Uint8Array> {
  let labels = new Uint8Array(0);
  await streamIdx(file, IDX_LABELS, "labels", o.maxBytes ?? MAX_IDX_BYTES, ([count]) => {
    if (count === 0) throw new DatasetError(WHERE, file, "at least one label", "0 labels");
    labels = new Uint8Array(count);
  }, (chunk, at) => labels.set(chunk, at));
  return labels;
}

/** Reads an image file and a label file (each plain or .gz), checked against each other. */
export async function readIdxSet(imagesFile: string, labelsFile: string, o: IdxReadOptions = {}): Promise<IdxSet> {
  const labels = await readIdxLabels(labelsFile, o);
  const im = await readIdxImages(imagesFile, o);
  if (labels.length !== im.count) {
    throw new DatasetError(WHERE, labelsFile, `${im.count} labels (one per image in ${imagesFile})`, `${labels.length} labels`);
  }
  return { inputs: im.inputs, labels, count: im.count, rows: im.rows, cols: im.cols };
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
