// Untrusted data: the in-memory forms train/evaluate/feedforward/backprop accept (src/data.ts
// toRows), and the file loaders of `nabla/data` the CLI uses (src/data/idx.ts, csv.ts, pgm.ts) —
// the file readers also in a child process whose peak RSS is measured. Every bad input
// is a typed NablaError naming the sample (or file and line) — never a raw TypeError/RangeError,
// a silent Infinity/NaN, a hang, or an allocation the input's own size does not justify.
import { describe, it, expect, afterAll } from "vitest";
import fc from "fast-check";
import { gzipSync, createGzip } from "node:zlib";
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { pipeline as pipelineAsync } from "node:stream/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Network, NablaError, DataError, DivergenceError } from "../src/index.js";
import { parseIdxImages, parseIdxLabels, idxSet, gunzipIfNeeded, encodeIdx, IDX_IMAGES, IDX_LABELS } from "../src/data/idx.js";
import { parseCsv, csvTable } from "../src/data/csv.js";
import { parsePgm, encodePgm } from "../src/data/pgm.js";

fc.configureGlobal({ seed: process.env.FC_SEED === "random" ? Date.now() % 2 ** 31 : Number(process.env.FC_SEED ?? 20261124) });

/** Runs f: returns its value, or "error" for a NablaError; any other throw fails the test. */
function typed<T>(f: () => T, what: string): T | "error" {
  try {
    return f();
  } catch (e) {
    if (e instanceof NablaError) return "error";
    throw new Error(`${what}: threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} instead of a NablaError`);
  }
}

function expectDataError(f: () => unknown, ...fragments: string[]): NablaError {
  let err: unknown;
  try { f(); } catch (e) { err = e; }
  expect(err, "no error").toBeInstanceOf(NablaError);
  expect(err).not.toBeInstanceOf(DivergenceError);
  for (const s of fragments) expect((err as Error).message).toContain(s);
  return err as NablaError;
}

// ---- in-memory data (src/data.ts) ------------------------------------------------------------

describe("data validation (toRows), once per call, naming the sample", () => {
  const net = () => new Network([3, 2], { seed: 1 });

  it("holes in vectors and in the sample array", () => {
    // eslint-disable-next-line no-sparse-arrays
    expectDataError(() => net().train([[[1, , 0] as number[], [1, 0]]]), "data[0][0][1]", "undefined");
    // eslint-disable-next-line no-sparse-arrays
    expectDataError(() => net().train([[[1, 1, 0], [1, 0]], , [[1, 1, 0], [1, 0]]] as never), "data[1]", "undefined");
    // eslint-disable-next-line no-sparse-arrays
    expectDataError(() => net().train({ inputs: new Float32Array(6), labels: Object.assign(new Array<number>(2), { 0: 0 }) }), "labels[1]");
  });

  it("non-numbers in number[]: strings, booleans, null, bigint, objects", () => {
    for (const bad of ["1", true, null, 1n, {}, [1], NaN, Infinity]) {
      expectDataError(() => net().train([[[0, 0, 0], [1, 0]], [[0, bad as number, 0], [1, 0]]]), "data[1][0][1]");
      expectDataError(() => net().evaluate([{ input: [0, 0, 0], output: [bad as number, 0] }]), "data[0].output[0]");
    }
  });

  it("numbers finite in float64 but beyond float32 (1e39) are refused, not stored as Infinity", () => {
    expectDataError(() => net().train([[[0, 0, 0], [1, 0]], [[1e39, 0, 0], [1, 0]]], { epochs: 1 }), "data[1][0][0]");
    expectDataError(() => net().evaluate([[[0, -1e39, 0], 1]]), "data[0][0][1]");
    expectDataError(() => net().evaluate([[[0, 0, 0], [1e39, 0]]]), "data[0][1][0]");
    expectDataError(() => net().feedforward([0, 0, 4e38]), "x[2]");
    expectDataError(() => net().backprop([1e39, 0, 0], [1, 0]), "[0]");
    expectDataError(() => net().train({ inputs: new Float32Array(3), outputs: Float32Array.from([Infinity, 0]) }), "data.outputs[0][0]");
    // The largest float32 is fine.
    expect(() => net().evaluate([[[3.4028234663852886e38, 0, 0], 1]])).not.toThrow();
  });

  it("weights and biases set to values beyond float32 are refused (the network would hold Infinity)", () => {
    const n = net();
    const before = JSON.stringify(n);
    expectDataError(() => { n.weights = [[[1e39, 0, 0], [0, 0, 0]]]; }, "weights[0][0][0]");
    expectDataError(() => { n.biases = [[0, -1e39]]; }, "biases[0][1]");
    expect(JSON.stringify(n)).toBe(before);
  });

  it("getters and Proxies that throw give a DataError naming the sample", () => {
    const x = [0, 0, 0];
    Object.defineProperty(x, 1, { get() { throw new Error("boom"); } });
    expectDataError(() => net().train([[[0, 0, 0], [1, 0]], [x, [1, 0]]]), "data[1]");
    const sample = { get input(): number[] { throw new Error("boom"); }, output: [1, 0] };
    expectDataError(() => net().evaluate([sample]), "data[0]");
    const trap = new Proxy([[[0, 0, 0], [1, 0]]], { get(t, k) { if (k === "0") throw new TypeError("trap"); return Reflect.get(t, k); } });
    expectDataError(() => net().train(trap as never), "data");
  });

  it("a getter that is finite when checked and NaN when copied cannot smuggle NaN into training", () => {
    let reads = 0;
    const x = [0, 0, 0];
    Object.defineProperty(x, 1, { get: () => (reads++ === 0 ? 0.5 : NaN) });
    const n = net();
    let err: unknown = null;
    try { n.train([[x, [1, 0]]], { epochs: 1 }); } catch (e) { err = e; }
    // Either refused as data, or trained on the value read once — never a NaN blamed on η.
    if (err !== null) expect(err).toBeInstanceOf(DataError);
    expect(n.weights.flat(2).every(Number.isFinite)).toBe(true);
  });

  it("a sparse array declaring 2^31 samples is a typed error, not a RangeError or an out-of-memory crash", () => {
    const big = [[[0, 0, 0], [1, 0]]] as [number[], number[]][];
    big.length = 2 ** 31;
    const e = expectDataError(() => net().train(big));
    expect(e.message).toMatch(/data/);
  });

  it("random samples: accepted exactly when every value is a float32-finite number of the right shape", () => {
    const value = fc.oneof(
      fc.double({ min: -10, max: 10, noNaN: true }),
      fc.constantFrom<unknown>(NaN, Infinity, -Infinity, 1e39, "1", null, undefined, true, {}, [], 3.4e38),
    );
    const sample = fc.tuple(fc.array(value, { minLength: 2, maxLength: 4 }), fc.oneof(fc.array(value, { minLength: 1, maxLength: 3 }), value));
    fc.assert(fc.property(fc.array(sample, { minLength: 1, maxLength: 5 }), (data) => {
      const ok32 = (v: unknown) => typeof v === "number" && Number.isFinite(Math.fround(v));
      const valid = data.every(([x, y]) => x.length === 3 && x.every(ok32) &&
        (Array.isArray(y) ? y.length === 2 && y.every(ok32) : typeof y === "number" && (y === 0 || y === 1)));
      const mixed = data.some(([, y]) => Array.isArray(y)) && data.some(([, y]) => !Array.isArray(y));
      const r = typed(() => net().evaluate(data as never), "evaluate");
      if (valid && !mixed) {
        expect(r).not.toBe("error");
        expect(Number.isFinite((r as { cost: number }).cost)).toBe(true);
      } else if (!valid) {
        expect(r).toBe("error");
      }
    }), { numRuns: 300 });
  });
});

// ---- IDX ---------------------------------------------------------------------------------------

describe("IDX loader fuzz", () => {
  const images = encodeIdx(IDX_IMAGES, [3, 2, 2], [0, 255, 128, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const labels = encodeIdx(IDX_LABELS, [3], [1, 2, 3]);

  it("the valid pair parses (sanity check)", () => {
    const s = idxSet(images, labels);
    expect(s.count).toBe(3);
    expect(Array.from(s.labels)).toEqual([1, 2, 3]);
    expect(s.inputs[1]).toBe(1);
  });

  it("random bytes, as images, labels and gzip: a NablaError or a consistent result", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      for (const f of [() => parseIdxImages(bytes), () => parseIdxLabels(bytes), () => gunzipIfNeeded(bytes, "f")] as (() => unknown)[]) typed(f, "idx");
      const withMagic = new Uint8Array([0x1f, 0x8b, ...bytes]);
      typed(() => gunzipIfNeeded(withMagic, "f.gz"), "gunzip");
    }), { numRuns: 300 });
  });

  it("mutated and truncated valid files: a NablaError or a result whose sizes match the bytes", () => {
    fc.assert(fc.property(
      fc.constantFrom(images, labels), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 40 }),
      (file, at, byte, cut) => {
        const m = Uint8Array.from(file);
        if (at < m.length) m[at] = byte;
        const t = m.subarray(0, Math.max(0, m.length - cut));
        const im = typed(() => parseIdxImages(t), "images");
        if (im !== "error") expect(im.pixels.length).toBe(im.count * im.rows * im.cols);
        const lb = typed(() => parseIdxLabels(t), "labels");
        if (lb !== "error") expect(lb.length).toBe(t.length - 8);
        typed(() => idxSet(t, labels), "idxSet");
      }), { numRuns: 400 });
  });

  it("a header declaring 2^32−1 images of 2^32−1 × 2^32−1 pixels is refused without allocating", () => {
    const before = process.memoryUsage().arrayBuffers;
    const huge = encodeIdx(IDX_IMAGES, [0xffffffff, 0xffffffff, 0xffffffff], [1, 2, 3]);
    expect(typed(() => parseIdxImages(huge), "huge")).toBe("error");
    expect(typed(() => parseIdxLabels(encodeIdx(IDX_LABELS, [0xffffffff], [1])), "huge labels")).toBe("error");
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(2 ** 20);
  });

  it("a gzip bomb is stopped at the size limit", () => {
    const bomb = gzipSync(new Uint8Array(8 * 2 ** 20)); // 8 MiB of zeros, ~8 KB compressed
    expect(typed(() => gunzipIfNeeded(bomb, "bomb.gz", 2 ** 20), "bomb")).toBe("error");
    const truncated = gzipSync(images).subarray(0, 20);
    expect(typed(() => gunzipIfNeeded(truncated, "t.gz"), "truncated gzip")).toBe("error");
  });
});

// ---- CSV ---------------------------------------------------------------------------------------

describe("CSV loader fuzz", () => {
  const valid = "a,b,label\n1,2,cat\n3,4.5,dog\n-1,0,cat\n";

  it("the valid file parses (sanity check)", () => {
    const t = csvTable(parseCsv(valid));
    expect(t.count).toBe(3);
    expect(t.targetKind === "class" && t.classNames).toEqual(["cat", "dog"]);
  });

  it("random text: a NablaError, or a table of finite float32 numbers whose shape matches", () => {
    const text = fc.oneof(
      fc.string({ maxLength: 120 }),
      fc.array(fc.constantFrom("1", "2.5", "-3", ",", "\n", "\r\n", '"', '""', "x", " ", "1e39", "NaN", "Infinity", "0x10", "", "\uFEFF"), { maxLength: 40 }).map((a) => a.join("")),
    );
    fc.assert(fc.property(text, (s) => {
      const rows = typed(() => parseCsv(s), "parseCsv");
      if (rows === "error") return;
      const t = typed(() => csvTable(rows), "csvTable");
      if (t === "error") return;
      expect(t.inputs.length).toBe(t.count * t.features.length);
      expect(Array.from(t.inputs).every(Number.isFinite), `non-finite input from ${JSON.stringify(s)}`).toBe(true);
      if (t.targetKind === "class") expect(Array.from(t.labels).every((l) => l >= 0 && l < t.classNames.length)).toBe(true);
      else expect(t.targets.length === t.count && Array.from(t.targets).every(Number.isFinite)).toBe(true);
    }), { numRuns: 400 });
  });

  it("mutated valid CSV: a NablaError or a consistent table", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: valid.length }), fc.string({ maxLength: 3 }), fc.integer({ min: 0, max: 5 }), (at, ins, del) => {
      const s = valid.slice(0, at) + ins + valid.slice(at + del);
      const rows = typed(() => parseCsv(s), "parseCsv");
      if (rows === "error") return;
      const t = typed(() => csvTable(rows), "csvTable");
      if (t !== "error") expect(Array.from(t.inputs).every(Number.isFinite)).toBe(true);
    }), { numRuns: 300 });
  });

  it("a number beyond float32 (1e39) is refused with file and line, not loaded as Infinity", () => {
    const r = typed(() => csvTable(parseCsv("a,label\n1,x\n1e39,y\n")), "1e39");
    if (r !== "error") expect(Array.from(r.inputs).every(Number.isFinite), "1e39 loaded as Infinity").toBe(true);
  });

  it("an unterminated quote over a long file ends with an error, not a hang", () => {
    const s = 'a,b\n"' + "x,".repeat(200000);
    expect(typed(() => parseCsv(s), "quote")).toBe("error");
  });
});

// ---- PGM ---------------------------------------------------------------------------------------

describe("PGM loader fuzz", () => {
  const p5 = encodePgm(3, 2, [0, 0.5, 1, 0.25, 0.75, 1]);
  const p2 = encodePgm(3, 2, [0, 0.5, 1, 0.25, 0.75, 1], true);

  it("random, mutated and truncated bytes: a NablaError or pixels in [0, 1] of the declared size", () => {
    fc.assert(fc.property(
      fc.oneof(fc.uint8Array({ maxLength: 60 }), fc.tuple(fc.constantFrom(p5, p2), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 10 }))
        .map(([f, at, b, cut]) => { const m = Uint8Array.from(f); if (at < m.length) m[at] = b; return m.subarray(0, Math.max(0, m.length - cut)); })),
      (bytes) => {
        const r = typed(() => parsePgm(bytes), "pgm");
        if (r === "error") return;
        expect(r.pixels.length).toBe(r.width * r.height);
        expect(Array.from(r.pixels).every((v) => v >= 0 && v <= 1)).toBe(true);
      }), { numRuns: 400 });
  });

  it("a header declaring 99999×99999 pixels is refused without allocating", () => {
    const before = process.memoryUsage().arrayBuffers;
    expect(typed(() => parsePgm(new TextEncoder().encode("P5 99999 99999 255\n\0\0\0")), "huge")).toBe("error");
    expect(typed(() => parsePgm(new TextEncoder().encode("P2 8000 8000 255\n1 2 3")), "huge ascii")).toBe("error");
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(2 ** 20);
  });
});

// ---- the CLI's file readers, in a child process with a bounded heap: peak RSS --------------------

describe("file readers keep memory bounded (peak RSS of a child process)", () => {
  const dir = mkdtempSync(join(tmpdir(), "nabla-rss-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const data = new URL("../dist/data/index.js", import.meta.url).href;
  const MiB = 2 ** 20;

  /**
   * Runs `code` (an expression awaiting a reader, with the `nabla/data` exports in scope) in a
   * child with a 256 MB heap; returns its error message (or "ok") and the growth of its peak RSS
   * over the peak after loading the module.
   */
  function child(code: string): { result: string; growth: number } {
    const script = `import * as d from ${JSON.stringify(data)};
      const base = process.resourceUsage().maxRSS * 1024;
      let result = "ok";
      try { await (async () => { ${code} })(); } catch (e) { result = (e?.name ?? "") + ": " + e?.message; }
      console.log(JSON.stringify({ result, growth: process.resourceUsage().maxRSS * 1024 - base }));`;
    const file = join(dir, `child-${Math.random().toString(36).slice(2)}.mjs`);
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, ["--max-old-space-size=256", file], { encoding: "utf8", timeout: 120_000 });
    if (r.status !== 0) throw new Error(`child exited with ${r.status} (${r.signal ?? ""}): ${r.stderr.slice(0, 500)}`);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    if (process.env.NABLA_RSS_LOG) console.log(code.slice(0, 60), out);
    return out;
  }

  it("a .gz IDX bomb (a 10-image header, then 512 MiB of zeros) is stopped after the declared size", async () => {
    built();
    const bomb = join(dir, "bomb-images.gz");
    const gz = createGzip({ level: 1 });
    const done = pipelineAsync(gz, createWriteStream(bomb));
    gz.write(encodeIdx(IDX_IMAGES, [10, 28, 28], []));
    const zeros = new Uint8Array(MiB);
    for (let i = 0; i < 512; i++) if (!gz.write(zeros)) await new Promise((r) => gz.once("drain", r));
    gz.end();
    await done;
    const { result, growth } = child(`await d.readIdxImages(${JSON.stringify(bomb)})`);
    expect(result).toMatch(/^DatasetError: IDX: .*bomb-images\.gz must be 7856 bytes .* received at least \d+ bytes \(trailing data\?\)/);
    expect(growth).toBeLessThan(32 * MiB); // before: the whole 512 MiB was inflated first
  }, 120_000);

  it("a declared size over maxBytes is refused from the header; /dev/zero is refused at once, as IDX and as CSV", () => {
    built();
    const huge = join(dir, "huge-labels");
    writeFileSync(huge, encodeIdx(IDX_LABELS, [0xffffffff], [1, 2, 3]));
    let r = child(`await d.readIdxLabels(${JSON.stringify(huge)})`);
    expect(r.result).toMatch(/at most 268435456 bytes of data .* declaring 4294967295/);
    expect(r.growth).toBeLessThan(16 * MiB);
    r = child(`await d.readIdxImages("/dev/zero")`);
    expect(r.result).toContain("magic 0x00000000");
    expect(r.growth).toBeLessThan(16 * MiB);
    // A stream without a size (a device, a pipe) is read up to maxBytes and no further.
    r = child(`d.readCsvTable("/dev/zero", { maxBytes: 16 * 2 ** 20 })`);
    expect(r.result).toContain("must be a file of at most 16 MiB");
    expect(r.growth).toBeLessThan(48 * MiB);
  });

  it("a 40 MB single-line CSV is refused at the column limit, not an out-of-memory crash", () => {
    built();
    const wide = join(dir, "wide.csv");
    writeFileSync(wide, "0,".repeat(20 * MiB) + "1\n");
    const r = child(`d.readCsvTable(${JSON.stringify(wide)})`);
    expect(r.result).toMatch(/wide\.csv line 1 must be at most 65536 fields per row/);
    expect(r.growth).toBeLessThan(160 * MiB); // the file's bytes and its text; before: 20 M field strings (a V8 OOM)
  });

  it("a valid .gz IDX file is read in ≈ 4 bytes per pixel: no whole-file byte buffer, no intermediate copy", () => {
    built();
    const n = 20000, file = join(dir, "images.gz");
    const pixels = new Uint8Array(n * 784);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
    writeFileSync(file, gzipSync(encodeIdx(IDX_IMAGES, [n, 28, 28], pixels), { level: 1 }));
    const r = child(`const im = await d.readIdxImages(${JSON.stringify(file)}); if (im.inputs.length !== ${n * 784} || im.inputs[5] !== Math.fround(${pixels[5]} / 255)) throw new Error("wrong pixels");`);
    expect(r.result).toBe("ok");
    expect(r.growth).toBeLessThan(4 * n * 784 + 24 * MiB); // the float32 result (62.7 MB) + stream buffers
  });
});

function built(): void {
  if (!existsSync(new URL("../dist/data/index.js", import.meta.url))) throw new Error("dist/data/index.js is missing: build first (npm run build)");
}
