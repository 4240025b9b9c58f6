// PGM images (Netpbm graymap), P2 (ASCII) and P5 (binary), for `nabla predict`. Node only.
//
//   P5 <width> <height> <maxval> <one whitespace> <width·height samples, 1 byte (maxval < 256) or 2 bytes big-endian>
//   P2 <width> <height> <maxval> <width·height decimal samples>
// Comments run from # to the line end in the header. Samples are scaled to [0, 1] by maxval.
// Node only (readPgm); part of `nabla/data`.
import { DatasetError } from "../errors.js";
import { readBounded } from "./read.js";

const WHERE = "PGM";
/** Largest image accepted (pixels). */
export const MAX_PGM_PIXELS = 2 ** 26;
/** Largest PGM file read (bytes): the largest binary 16-bit image of MAX_PGM_PIXELS and its header. */
export const MAX_PGM_BYTES = 2 * MAX_PGM_PIXELS + 1024;

export interface Pgm {
  width: number;
  height: number;
  maxval: number;
  /** height rows of width samples scaled to [0, 1]. */
  pixels: Float32Array;
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;

/** Parses PGM bytes (P2 or P5). */
export function parsePgm(buf: Uint8Array, file = "image"): Pgm {
  let i = 0;
  const fail = (expected: string, received: string): never => { throw new DatasetError(WHERE, file, expected, received); };
  if (buf.length < 2 || buf[0] !== 0x50 || (buf[1] !== 0x32 && buf[1] !== 0x35)) {
    fail("a PGM image (starting with P2 or P5)", buf.length < 2 ? `${buf.length} bytes` : `a file starting with ${JSON.stringify(String.fromCharCode(buf[0], buf[1]))}`);
  }
  const binary = buf[1] === 0x35;
  i = 2;
  /** Next decimal token, skipping whitespace and # comments. */
  const token = (what: string): number => {
    for (;;) {
      while (i < buf.length && isSpace(buf[i])) i++;
      if (buf[i] === 0x23) { while (i < buf.length && buf[i] !== 0x0a && buf[i] !== 0x0d) i++; continue; }
      break;
    }
    const start = i;
    while (i < buf.length && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
    if (i === start || i - start > 10) {
      fail(`${what} (a decimal number)`, i >= buf.length ? "the end of the file" : `${JSON.stringify(String.fromCharCode(buf[start]))} at byte ${start}`);
    }
    return Number(new TextDecoder().decode(buf.subarray(start, i)));
  };
  const width = token("a width"), height = token("a height"), maxval = token("a maxval");
  if (width < 1 || height < 1 || width * height > MAX_PGM_PIXELS) fail(`a size of 1 to ${MAX_PGM_PIXELS} pixels`, `${width}×${height}`);
  if (maxval < 1 || maxval > 65535) fail("a maxval from 1 to 65535", String(maxval));
  const n = width * height;
  if (binary) {
    if (i >= buf.length || !isSpace(buf[i])) fail("one whitespace byte after the maxval", i >= buf.length ? "the end of the file" : `byte ${buf[i]}`);
    i++;
    const bytes = maxval < 256 ? 1 : 2;
    const have = buf.length - i;
    // Check the length before allocating.
    if (have < n * bytes) fail(`${n * bytes} bytes of pixels (${width}×${height}, ${bytes} byte${bytes > 1 ? "s" : ""} each)`, `${have} bytes (truncated?)`);
    const pixels = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      const v = bytes === 1 ? buf[i + k] : (buf[i + 2 * k] << 8) | buf[i + 2 * k + 1];
      if (v > maxval) fail(`samples ≤ maxval ${maxval}`, `${v} at pixel ${k}`);
      pixels[k] = v / maxval;
    }
    return { width, height, maxval, pixels };
  }
  // ASCII: each sample needs at least 2 bytes ("0 "), so a short file is caught before allocating.
  if (buf.length - i < 2 * n - 1) fail(`${n} samples (${width}×${height})`, `${buf.length - i} bytes of them (truncated?)`);
  const pixels = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const v = token(`pixel ${k} of ${n}`);
    if (v > maxval) fail(`samples ≤ maxval ${maxval}`, `${v} at pixel ${k}`);
    pixels[k] = v / maxval;
  }
  return { width, height, maxval, pixels };
}

/** PGM bytes of an image with samples in [0, 1] (P5, or P2 with ascii = true). */
export function encodePgm(width: number, height: number, pixels: ArrayLike<number>, ascii = false, maxval = 255): Uint8Array {
  const q = (k: number) => Math.max(0, Math.min(maxval, Math.round(pixels[k] * maxval)));
  if (ascii) {
    const lines: string[] = [`P2`, `${width} ${height}`, `${maxval}`];
    for (let r = 0; r < height; r++) lines.push(Array.from({ length: width }, (_, c) => q(r * width + c)).join(" "));
    return new TextEncoder().encode(lines.join("\n") + "\n");
  }
  const head = new TextEncoder().encode(`P5\n${width} ${height}\n${maxval}\n`);
  const bytes = maxval < 256 ? 1 : 2;
  const out = new Uint8Array(head.length + width * height * bytes);
  out.set(head);
  for (let k = 0; k < width * height; k++) {
    if (bytes === 1) out[head.length + k] = q(k);
    else { out[head.length + 2 * k] = q(k) >> 8; out[head.length + 2 * k + 1] = q(k) & 0xff; }
  }
  return out;
}

/** Reads and parses a PGM file (at most MAX_PGM_BYTES). */
export function readPgm(file: string): Pgm {
  return parsePgm(readBounded(file, MAX_PGM_BYTES, WHERE), file);
}
