// IDX parser: hand-built buffers, plain and gzip, and every way a file can be wrong.
import { describe, it, expect, afterAll } from "vitest";
import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { parseIdxImages, parseIdxLabels, idxSet, readIdxSet, readIdxImages, readIdxLabels, encodeIdx, IDX_IMAGES, IDX_LABELS } from "../../src/data/idx.js";
import { DatasetError, NablaError } from "../../src/errors.js";
import { tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

// Three 2×3 images with pixel values chosen so each scaled value is known exactly.
const pixels = [0, 51, 102, 153, 204, 255, 255, 0, 0, 0, 0, 255, 1, 2, 3, 4, 5, 6];
const images = () => encodeIdx(IDX_IMAGES, [3, 2, 3], pixels);
const labels = () => encodeIdx(IDX_LABELS, [3], [7, 0, 9]);

function bytes(...xs: number[]): Uint8Array { return Uint8Array.from(xs); }

describe("IDX images and labels", () => {
  it("reads a hand-written header byte by byte", () => {
    // magic 00 00 08 03, dims 1, 1, 2 (big-endian), then two pixels.
    const buf = bytes(0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 10, 20);
    const im = parseIdxImages(buf, "x");
    expect([im.count, im.rows, im.cols]).toEqual([1, 1, 2]);
    expect(Array.from(im.pixels)).toEqual([10, 20]);
    expect(Array.from(parseIdxLabels(bytes(0, 0, 8, 1, 0, 0, 0, 2, 4, 5)))).toEqual([4, 5]);
  });

  it("scales pixels to [0, 1] and pairs them with labels", () => {
    const s = idxSet(images(), labels());
    expect([s.count, s.rows, s.cols]).toEqual([3, 2, 3]);
    expect(Array.from(s.labels)).toEqual([7, 0, 9]);
    expect(s.inputs.length).toBe(18);
    for (let i = 0; i < 18; i++) expect(s.inputs[i]).toBeCloseTo(pixels[i] / 255, 7);
    expect(s.inputs[1]).toBeCloseTo(0.2, 7);
    expect(s.inputs[5]).toBe(1);
  });

  it("reads plain and .gz files alike", async () => {
    writeFileSync(tmp.path("im"), images());
    writeFileSync(tmp.path("lb"), labels());
    writeFileSync(tmp.path("im.gz"), gzipSync(images()));
    writeFileSync(tmp.path("lb.gz"), gzipSync(labels()));
    const a = await readIdxSet(tmp.path("im"), tmp.path("lb"));
    const b = await readIdxSet(tmp.path("im.gz"), tmp.path("lb.gz"));
    expect(Array.from(b.inputs)).toEqual(Array.from(a.inputs));
    expect(Array.from(b.labels)).toEqual([7, 0, 9]);
  });

  const err = (f: () => unknown): DatasetError => {
    try { f(); } catch (e) { expect(e).toBeInstanceOf(DatasetError); expect(e).toBeInstanceOf(NablaError); return e as DatasetError; }
    throw new Error("expected a DatasetError");
  };

  it("rejects a wrong magic number, naming the file and both magics", () => {
    const e = err(() => parseIdxImages(labels(), "train-images.idx"));
    expect(e.message).toContain("train-images.idx");
    expect(e.message).toContain("0x00000803");
    expect(e.message).toContain("0x00000801");
    expect(e.message).toMatch(/swap/);
    expect(err(() => parseIdxLabels(images(), "l")).message).toContain("0x00000803");
    // A float IDX (type 0x0d) is not accepted.
    expect(err(() => parseIdxImages(bytes(0, 0, 0x0d, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))).message).toContain("0x00000d03");
    // Not IDX at all.
    expect(err(() => parseIdxImages(new TextEncoder().encode("hello, this is not idx at all"))).received).toMatch(/^magic 0x/);
  });

  it("rejects a truncated file: short header, short data, trailing data", () => {
    expect(err(() => parseIdxImages(images().subarray(0, 10), "f")).message).toMatch(/16 header bytes.*10 bytes/);
    const e = err(() => parseIdxImages(images().subarray(0, 30), "f"));
    expect(e.expected).toContain("34 bytes");
    expect(e.received).toContain("30 bytes (truncated?)");
    const long = new Uint8Array(40); long.set(images());
    expect(err(() => parseIdxImages(long)).received).toContain("trailing");
    expect(err(() => parseIdxLabels(labels().subarray(0, 9))).received).toContain("truncated");
  });

  it("refuses huge declared dimensions before allocating anything", () => {
    // 2^32−1 images of 65535 × 65535 in a 16-byte file.
    const huge = encodeIdx(IDX_IMAGES, [0xffffffff, 0xffff, 0xffff], []);
    const e = err(() => parseIdxImages(huge, "huge"));
    expect(e.received).toContain("16 bytes");
    const hugeLabels = encodeIdx(IDX_LABELS, [0xffffffff], [1, 2, 3]);
    expect(err(() => parseIdxLabels(hugeLabels)).expected).toContain("4294967303 bytes");
  });

  it("rejects empty sets and label counts that do not match the images", () => {
    expect(err(() => parseIdxImages(encodeIdx(IDX_IMAGES, [0, 28, 28], []))).message).toContain("at least one image");
    const e = err(() => idxSet(images(), encodeIdx(IDX_LABELS, [2], [1, 2]), "im", "lb"));
    expect(e.message).toContain("lb");
    expect(e.expected).toContain("3 labels");
  });

  const errAsync = async (p: Promise<unknown>): Promise<DatasetError> => {
    try { await p; } catch (e) { expect(e).toBeInstanceOf(DatasetError); return e as DatasetError; }
    throw new Error("expected a DatasetError");
  };

  it("names a missing file and a damaged gzip file", async () => {
    writeFileSync(tmp.path("im"), images());
    writeFileSync(tmp.path("lb"), labels());
    expect((await errAsync(readIdxSet(tmp.path("im"), tmp.path("nope")))).message).toMatch(/nope.*no such file/);
    const gz = gzipSync(images());
    writeFileSync(tmp.path("bad.gz"), gz.subarray(0, gz.length - 8));
    expect((await errAsync(readIdxSet(tmp.path("bad.gz"), tmp.path("lb")))).message).toMatch(/bad\.gz.*truncated/);
  });

  it("streams files: the same checks as the buffer parser, a declared size over maxBytes refused from the header", async () => {
    const write = (name: string, b: Uint8Array) => { writeFileSync(tmp.path(name), b); return tmp.path(name); };
    // Truncated and trailing, plain and gzip: the lengths the header implies.
    const im = images();
    expect((await errAsync(readIdxImages(write("short", im.subarray(0, 30))))).received).toBe("30 bytes (truncated?)");
    const long = new Uint8Array(40); long.set(im);
    expect((await errAsync(readIdxImages(write("long", long)))).received).toContain("trailing");
    expect((await errAsync(readIdxImages(write("long.gz", gzipSync(long))))).received).toMatch(/at least 40 bytes \(trailing/);
    expect((await errAsync(readIdxImages(write("short.gz", gzipSync(im.subarray(0, 30)))))).received).toContain("truncated");
    expect((await errAsync(readIdxLabels(write("swapped", im)))).message).toMatch(/swap/);
    // Declared 1000 images of 28×28 = 784,000 bytes, above a maxBytes of 100,000: refused from the header.
    const big = write("big.gz", gzipSync(encodeIdx(IDX_IMAGES, [1000, 28, 28], new Uint8Array(784000))));
    const e = await errAsync(readIdxImages(big, { maxBytes: 100000 }));
    expect(e.expected).toContain("at most 100000 bytes");
    expect(e.received).toContain("1000 × 28 × 28 = 784000");
    expect((await readIdxImages(big)).count).toBe(1000);
    // A directory and /dev/zero (endless zeros: a wrong magic after 4 bytes).
    expect((await errAsync(readIdxImages(tmp.dir))).received).toBe("a directory");
    expect((await errAsync(readIdxImages("/dev/zero"))).received).toMatch(/^magic 0x00000000/);
  });
});

describe("IDX from a pipe", () => {
  it("reads a FIFO (no seeking; the header may arrive in pieces), plain and gzip", async () => {
    const { execFileSync, spawn } = await import("node:child_process");
    for (const [name, bytes] of [["fifo", images()], ["fifo-gz", gzipSync(images())]] as const) {
      const fifo = tmp.path(name);
      execFileSync("mkfifo", [fifo]);
      // A writer that sends one byte, waits, then the rest.
      const writer = spawn(process.execPath, ["-e", `const fs=require("fs");const b=Buffer.from(${JSON.stringify(Array.from(bytes))});` +
        `const fd=fs.openSync(${JSON.stringify(fifo)},"w");fs.writeSync(fd,b,0,1);setTimeout(()=>{fs.writeSync(fd,b,1);fs.closeSync(fd)},100)`]);
      const im = await readIdxImages(fifo);
      await new Promise((r) => writer.on("close", r));
      expect([im.count, im.rows, im.cols]).toEqual([3, 2, 3]);
      expect(Array.from(im.inputs)).toEqual(Array.from(idxSet(images(), labels()).inputs));
    }
  });
});
