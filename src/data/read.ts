// Whole-file reads with a stated bound, for the text and image readers (CSV, PGM, the CLI's
// inputs and model files). A regular file larger than the bound is refused from its size,
// before anything is read; other files (pipes, /dev/zero, a FIFO) are read in 64 KiB chunks
// and refused as soon as they pass the bound. Node only.
import { openSync, fstatSync, readSync, closeSync } from "node:fs";
import { DatasetError } from "../errors.js";

const CHUNK = 64 * 1024;

/** Human size: 256 MiB, 64 KiB, 100 bytes. */
export function bytesText(n: number): string {
  if (n >= 2 ** 30 && n % 2 ** 30 === 0) return `${n / 2 ** 30} GiB`;
  if (n >= 2 ** 20 && n % 2 ** 20 === 0) return `${n / 2 ** 20} MiB`;
  if (n >= 2 ** 10 && n % 2 ** 10 === 0) return `${n / 2 ** 10} KiB`;
  return `${n} bytes`;
}

/**
 * The bytes of `file` (or of file descriptor 0 for "-"/0), at most maxBytes of them, else a
 * DatasetError(where) naming the file and the bound. Memory: the file's bytes (exactly, for a
 * regular file; ≤ 2 × maxBytes transiently for a stream).
 */
export function readBounded(file: string | 0, maxBytes: number, where: string, name = String(file)): Buffer {
  let fd: number;
  try {
    fd = file === 0 ? 0 : openSync(file, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DatasetError(where, name, "a readable file", code === "ENOENT" ? "no such file" : `an error (${(e as Error).message})`);
  }
  const tooLarge = (size: string) =>
    new DatasetError(where, name, `a file of at most ${bytesText(maxBytes)}`, size);
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new DatasetError(where, name, "a readable file", "a directory");
    if (st.isFile()) {
      if (st.size > maxBytes) throw tooLarge(`${st.size} bytes`);
      const buf = Buffer.allocUnsafe(st.size);
      let at = 0;
      while (at < st.size) {
        const n = readSync(fd, buf, at, st.size - at, null);
        if (n === 0) break;
        at += n;
      }
      return at === st.size ? buf : buf.subarray(0, at);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      let n: number;
      try {
        n = readSync(fd, chunk, 0, CHUNK, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EAGAIN") continue;
        if ((e as NodeJS.ErrnoException).code === "EOF") break;
        throw e;
      }
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw tooLarge(`more than ${bytesText(maxBytes)} (read ${total} bytes before stopping)`);
      chunks.push(n === CHUNK ? chunk : chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total);
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    throw new DatasetError(where, name, "a readable file", `an error (${(e as Error).message})`);
  } finally {
    if (file !== 0) closeSync(fd);
  }
}
