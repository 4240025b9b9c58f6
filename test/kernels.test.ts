// Every kernel on every backend against a float64 reference written from the equations,
// on shapes whose sizes leave every remainder mod 4 (1, 3, 5, 17, 784) and batches 1..m.
import { describe, it, expect } from "vitest";
import { BACKENDS, lab, floats, expectClose, refZ, refActivate, sigmaPrime } from "./helpers.js";
import { Random } from "../src/random.js";
import { fillMask } from "../src/dropout.js";

const SHAPES: [number, number, number][] = [
  // [nIn, nOut, m]
  [1, 1, 1], [3, 5, 2], [5, 3, 3], [17, 5, 7], [5, 17, 1], [784, 30, 10], [30, 10, 10], [17, 17, 5], [784, 3, 1], [3, 784, 2],
];
const TOL = 2e-5; // f32 kernels vs float64: relative to 1 + |value|; dot products of up to 784 terms

describe("backend detection", () => {
  // availableBackends(), not BACKENDS: vitest.config.ts's "relaxed" project narrows BACKENDS to one build.
  it("finds SIMD on this engine (Node ≥ 16.4 has it), so every suite below runs the SIMD build", async () => {
    const { availableBackends } = await import("../src/wasm.js");
    expect(availableBackends()).toContain("wasm-simd");
    expect(availableBackends()).toContain("wasm-scalar");
    expect(availableBackends()).toContain("js");
  });

  it("finds relaxed SIMD exactly when the engine validates a relaxed_madd instruction", async () => {
    const { supports, availableBackends } = await import("../src/wasm.js");
    // f32x4.relaxed_madd of three zero vectors, hand-assembled independently of src/wasm.ts's probes.
    const relaxed = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0, 10, 28, 1, 26, 0,
      0x43, 0, 0, 0, 0, 0xfd, 0x13, 0x43, 0, 0, 0, 0, 0xfd, 0x13, 0x43, 0, 0, 0, 0, 0xfd, 0x13, 0xfd, 0x85, 0x02, 0x0b]);
    let engine = true;
    try { new WebAssembly.Module(relaxed); } catch { engine = false; }
    expect(supports("relaxed")).toBe(engine);
    expect(availableBackends().includes("wasm-relaxed")).toBe(engine);
  });

  it("one list of kernel names: every build exports exactly KERNEL_NAMES (and memory), the baseline implements each", async () => {
    const { KERNEL_NAMES } = await import("../src/kernels.js");
    for (const backend of BACKENDS) {
      const k = lab(backend).k as unknown as Record<string, unknown>;
      for (const name of KERNEL_NAMES) expect(typeof k[name], `${backend}: ${name}`).toBe("function");
    }
    // The wasm builds' own export lists (not through kernelsOf): nothing exported that the list lacks.
    const { default: simd } = await import("../src/generated/wasm-simd.js");
    const { decodeBuild } = await import("../src/wasm.js");
    const bytes = decodeBuild(simd);
    const exported = WebAssembly.Module.exports(new WebAssembly.Module(bytes)).filter((e) => e.kind === "function").map((e) => e.name);
    expect(exported.filter((n) => n !== "build").sort()).toEqual([...KERNEL_NAMES].sort());
    // The threaded builds: the same, plus THREAD_KERNEL_NAMES (and every kernel a thread's task may call).
    const { THREAD_KERNEL_NAMES } = await import("../src/kernels.js");
    const { TASK_KERNELS } = await import("../src/threads/pool.js");
    const { default: simdThreads } = await import("../src/generated/wasm-simd-threads.js");
    const tbytes = decodeBuild(simdThreads);
    const texported = WebAssembly.Module.exports(new WebAssembly.Module(tbytes)).filter((e) => e.kind === "function").map((e) => e.name);
    expect(texported.filter((n) => n !== "build").sort()).toEqual([...KERNEL_NAMES, ...THREAD_KERNEL_NAMES].sort());
    for (const k of TASK_KERNELS) expect(texported).toContain(k);
  });

  it("each build's text form (scripts/wasm-text.mjs) decodes to the bytes asc wrote, and every byte value round-trips", async () => {
    const { readFileSync } = await import("node:fs");
    const { decodeBuild } = await import("../src/wasm.js");
    const { encodeBuild, ALPHABET } = await import(new URL("../scripts/wasm-text.mjs", import.meta.url).href);
    const texts = { relaxed: relaxedText, simd: simdText, scalar: scalarText, "relaxed-threads": relaxedThreadsText, "simd-threads": simdThreadsText };
    for (const [name, text] of Object.entries(texts)) {
      const wasm = readFileSync(new URL(`../build/nabla-${name}.wasm`, import.meta.url));
      expect(Buffer.from(decodeBuild(text)).equals(wasm), name).toBe(true);
      expect([...new Set(text)].every((c) => ALPHABET.includes(c)), `${name}: only alphabet characters`).toBe(true);
    }
    const all = Uint8Array.from({ length: 512 }, (_, i) => (i * 7 + (i >> 8)) & 255); // every value, in two orders
    expect([...decodeBuild(encodeBuild(all))]).toEqual([...all]);
    expect(ALPHABET).toHaveLength(92);
    expect(ALPHABET).not.toMatch(/["\\<]/);
  });

  it("an instance missing a kernel export is a BackendError naming it, not a TypeError at the first call", async () => {
    const { kernelsOf } = await import("../src/wasm.js");
    const { BackendError } = await import("../src/errors.js");
    const k = lab("wasm-scalar").k as unknown as Record<string, unknown>;
    const exports: Record<string, unknown> = { ...k };
    delete exports.loadBytes;
    delete exports.bp2;
    expect(() => kernelsOf("wasm-scalar", exports as WebAssembly.Exports, "test")).toThrow(BackendError);
    expect(() => kernelsOf("wasm-scalar", exports as WebAssembly.Exports, "test")).toThrow(/lacks bp2, loadBytes/);
    expect(() => kernelsOf("wasm-scalar", { ...k, memory: undefined } as unknown as WebAssembly.Exports, "test")).toThrow(/lacks memory/);
  });
});

describe.each(BACKENDS)("kernels on %s", (backend) => {
  it.each(SHAPES)("forward nIn=%i nOut=%i m=%i, every activation", (nIn, nOut, m) => {
    const rng = new Random(nIn * 1000 + nOut * 10 + m);
    for (const act of [0, 1, 2, 3, 4, 5]) {
      const L = lab(backend);
      const w = floats(rng, nOut * nIn, -0.3, 0.3), b = floats(rng, nOut), x = floats(rng, m * nIn, 0, 1);
      const pw = L.alloc(w.length, w), pb = L.alloc(nOut, b), px = L.alloc(x.length, x), pa = L.alloc(m * nOut);
      L.k.forward(pa, pw, pb, px, nIn, nOut, m, act);
      const want = refActivate(refZ(w, b, x, nIn, nOut, m), nOut, m, act);
      expectClose(L.read(pa, m * nOut), want, TOL, `forward act=${act}`);
      expect(L.guard(pa, m * nOut), "wrote past a").toBe(12345);
    }
  });

  it.each(SHAPES)("bp1 n=%i (m=%i), each cost", (n, _x, m) => {
    const rng = new Random(7 + n);
    for (const [act, cost] of [[0, 0], [1, 0], [2, 0], [3, 0], [4, 0], [0, 1], [5, 2]]) {
      const L = lab(backend);
      const a = floats(rng, n * m, 0.01, 0.99), y = floats(rng, n * m, 0, 1);
      const pa = L.alloc(a.length, a), py = L.alloc(y.length, y), pd = L.alloc(n * m);
      L.k.bp1(pd, pa, py, n, m, act, cost);
      const want = a.map((ai, i) => {
        if (cost !== 0) return ai - y[i];
        const dz = act === 0 ? ai * (1 - ai) : act === 1 ? 1 - ai * ai : act === 2 ? (ai > 0 ? 1 : 0) : act === 3 ? (ai > 0 ? 1 : 0.01) : 1;
        return (ai - y[i]) * dz;
      });
      expectClose(L.read(pd, n * m), want, 1e-6, `bp1 act=${act} cost=${cost}`);
      expect(L.guard(pd, n * m)).toBe(12345);
    }
  });

  it.each(SHAPES)("bp2 n=%i nNext=%i m=%i", (n, nNext, m) => {
    const rng = new Random(99 + n * nNext);
    for (const act of [0, 1, 2, 4]) {
      const L = lab(backend);
      const wNext = floats(rng, nNext * n), dNext = floats(rng, m * nNext);
      // a = σ(z) for a random z, so σ'(z) computed from a is exact for the reference.
      const z = floats(rng, m * n, -2, 2);
      const a = z.map((zi) => Math.fround(act === 0 ? 1 / (1 + Math.exp(-zi)) : act === 1 ? Math.tanh(zi) : act === 2 ? Math.max(0, zi) : zi));
      const pw = L.alloc(wNext.length, wNext), pdn = L.alloc(dNext.length, dNext), pa = L.alloc(a.length, a), pd = L.alloc(m * n);
      L.k.bp2(pd, pdn, pw, pa, n, nNext, m, act);
      const want = new Float64Array(m * n);
      for (let s = 0; s < m; s++)
        for (let k = 0; k < n; k++) {
          let sum = 0;
          for (let j = 0; j < nNext; j++) sum += wNext[j * n + k] * dNext[s * nNext + j];
          const ai = a[s * n + k];
          const sp = act === 0 ? ai * (1 - ai) : act === 1 ? 1 - ai * ai : act === 2 ? (ai > 0 ? 1 : 0) : 1;
          want[s * n + k] = sum * sp;
        }
      expectClose(L.read(pd, m * n), want, TOL, `bp2 act=${act}`);
      expect(L.guard(pd, m * n)).toBe(12345);
    }
  });

  it.each(SHAPES)("bp3 n=%i (m=%i)", (n, _x, m) => {
    const L = lab(backend);
    const d = floats(new Random(n + m), m * n);
    const pd = L.alloc(d.length, d), pb = L.alloc(n, floats(new Random(1), n)); // pre-filled: bp3 must overwrite
    L.k.bp3(pb, pd, n, m);
    const want = new Float64Array(n);
    for (let s = 0; s < m; s++) for (let j = 0; j < n; j++) want[j] += d[s * n + j];
    expectClose(L.read(pb, n), want, TOL, "bp3");
    expect(L.guard(pb, n)).toBe(12345);
  });

  it.each(SHAPES)("bp4 nIn=%i nOut=%i m=%i", (nIn, nOut, m) => {
    const L = lab(backend);
    const rng = new Random(nIn + 31 * nOut + m);
    const d = floats(rng, m * nOut), x = floats(rng, m * nIn, 0, 1);
    const pd = L.alloc(d.length, d), px = L.alloc(x.length, x), pw = L.alloc(nOut * nIn, floats(rng, nOut * nIn));
    L.k.bp4(pw, pd, px, nIn, nOut, m);
    const want = new Float64Array(nOut * nIn);
    for (let s = 0; s < m; s++) for (let j = 0; j < nOut; j++) for (let k = 0; k < nIn; k++) want[j * nIn + k] += d[s * nOut + j] * x[s * nIn + k];
    expectClose(L.read(pw, nOut * nIn), want, TOL, "bp4");
    expect(L.guard(pw, nOut * nIn)).toBe(12345);
  });

  it.each([1, 3, 5, 17, 784, 23550])("sgd, momentum, adam over %i parameters, with an L1 term and without (its own loop)", (len) => {
    const rng = new Random(len);
    const w = floats(rng, len), g = floats(rng, len), v = floats(rng, len, -0.1, 0.1), s2 = floats(rng, len, 0, 0.01);
    w[0] = 0; // sgn(0) = 0
    const [scale, decay, mu] = [0.3, 0.99, 0.9];
    for (const l1 of [0.01, 0]) {
      {
        const L = lab(backend);
        const pw = L.alloc(len, w), pg = L.alloc(len, g);
        L.k.sgd(pw, pg, len, scale, decay, l1);
        expectClose(L.read(pw, len), w.map((wi, i) => decay * wi - scale * g[i] - l1 * Math.sign(wi)), 1e-6, `sgd l1=${l1}`);
        expect(L.guard(pw, len)).toBe(12345);
      }
      {
        const L = lab(backend);
        const pw = L.alloc(len, w), pv = L.alloc(len, v), pg = L.alloc(len, g);
        L.k.momentum(pw, pv, pg, len, mu, scale, decay, l1);
        const vNew = v.map((vi, i) => mu * vi - scale * g[i]);
        expectClose(L.read(pv, len), vNew, 1e-6, `momentum v l1=${l1}`);
        expectClose(L.read(pw, len), w.map((wi, i) => decay * wi + vNew[i] - l1 * Math.sign(wi)), 1e-6, `momentum w l1=${l1}`);
      }
      {
        const L = lab(backend);
        const [gs, lrt, b1, b2, eps] = [0.1, 0.01, 0.9, 0.999, 1e-8];
        const pw = L.alloc(len, w), pm = L.alloc(len, v), ps = L.alloc(len, s2), pg = L.alloc(len, g);
        L.k.adam(pw, pm, ps, pg, len, gs, lrt, b1, b2, eps, decay, l1);
        const m1 = v.map((mi, i) => b1 * mi + (1 - b1) * gs * g[i]);
        const m2 = s2.map((si, i) => b2 * si + (1 - b2) * (gs * g[i]) ** 2);
        expectClose(L.read(pm, len), m1, 1e-6, `adam m l1=${l1}`);
        expectClose(L.read(ps, len), m2, 1e-6, `adam v l1=${l1}`);
        expectClose(L.read(pw, len), w.map((wi, i) => decay * wi - (lrt * m1[i]) / (Math.sqrt(m2[i]) + eps) - l1 * Math.sign(wi)), 1e-5, `adam w l1=${l1}`);
      }
    }
  });

  it.each([[1, 1], [10, 10], [3, 17]])("cost n=%i m=%i, each kind, and ln 0 stays finite", (n, m) => {
    const rng = new Random(n * m);
    const L = lab(backend);
    const a = floats(rng, n * m, 0.001, 0.999), y = floats(rng, n * m, 0, 1);
    const pa = L.alloc(a.length, a), py = L.alloc(y.length, y);
    const quad = a.reduce((s, ai, i) => s + 0.5 * (ai - y[i]) ** 2, 0);
    const ce = a.reduce((s, ai, i) => s - y[i] * Math.log(ai) - (1 - y[i]) * Math.log(1 - ai), 0);
    const ll = a.reduce((s, ai, i) => s - y[i] * Math.log(ai), 0);
    expect(Math.abs(L.k.cost(pa, py, n, m, 0) - quad)).toBeLessThan(1e-9 * (1 + quad) + 1e-12);
    expect(Math.abs(L.k.cost(pa, py, n, m, 1) - ce)).toBeLessThan(1e-9 * (1 + ce));
    expect(Math.abs(L.k.cost(pa, py, n, m, 2) - ll)).toBeLessThan(1e-9 * (1 + ll));
    // a = 0 where y = 1 and a = 1 where y = 0: the guarded log gives ln(1e-45) ≈ −103.6 per term.
    const L2 = lab(backend);
    const p0 = L2.alloc(2, [0, 1]), p1 = L2.alloc(2, [1, 0]);
    const c = L2.k.cost(p0, p1, 2, 1, 1);
    expect(c).toBeCloseTo(-2 * Math.log(1e-45), 6);
    expect(L2.k.cost(p0, p1, 2, 1, 2)).toBeCloseTo(-Math.log(1e-45), 6);
  });

  it("allFinite finds NaN and ±Infinity anywhere, tails included", () => {
    // 36 and 39: two 16-float steps, then a 4-float step, then (39) a scalar tail.
    for (const len of [1, 3, 4, 5, 17, 36, 39]) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (let at = 0; at < len; at++) {
          const L = lab(backend);
          const v = floats(new Random(len), len);
          v[at] = bad;
          expect(L.k.allFinite(L.alloc(len, v), len)).toBe(0);
        }
      }
      const L = lab(backend);
      expect(L.k.allFinite(L.alloc(len, floats(new Random(3), len, -3e38, 3e38)), len)).toBe(1);
      // The extremes of the finite range are finite: ±F32_MAX, the smallest subnormal, −0.
      const edge = Float32Array.from({ length: len }, (_, i) => [3.4028234663852886e38, -3.4028234663852886e38, 1e-45, -0][i % 4]);
      expect(L.k.allFinite(L.alloc(len, edge), len)).toBe(1);
    }
  });

  it("loadBytes widens bytes to f32 × scale, bit for bit the correctly rounded product, tails and unaligned sources included", () => {
    for (const len of [1, 3, 15, 16, 17, 33, 784, 7840]) {
      for (const shift of [0, 1, 3]) {
        for (const scale of [1 / 255, 1, 0.5, 3.7e-3]) {
          const L = lab(backend);
          const src = L.alloc(Math.ceil((len + shift) / 4)) + shift, dst = L.alloc(len);
          const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 37 + len) % 256);
          bytes[0] = 255;
          new Uint8Array(L.k.memory.buffer).set(bytes, src);
          L.k.loadBytes(dst, src, len, scale);
          const got = new Float32Array(L.k.memory.buffer, dst, len + 1);
          // float64 product of a byte and an f32 is exact; one rounding to f32 is the correct result.
          const s32 = Math.fround(scale);
          for (let i = 0; i < len; i++) if (got[i] !== Math.fround(bytes[i] * s32)) expect([i, got[i]]).toEqual([i, Math.fround(bytes[i] * s32)]);
          expect(got[len]).toBe(12345); // the guard after dst
        }
      }
    }
  });

  it.each([1, 3, 4, 5, 17, 3000])("dropout over %i values: out = x ⊙ mask, in place too, against the js baseline", (len) => {
    const rng = new Random(len + 7);
    const x = floats(rng, len, -2, 2), p = 0.3;
    const mask = new Float32Array(len);
    fillMask(new Random(len), mask, 0, len, p);
    const want = x.map((xi, i) => Math.fround(xi * mask[i]));
    const L = lab(backend), ref = lab("js");
    const px = L.alloc(len, x), pm = L.alloc(len, mask), po = L.alloc(len);
    L.k.dropout(po, px, pm, len);
    expect(Array.from(L.read(po, len))).toEqual(Array.from(want)); // one f32 product per value: exact
    expect(L.guard(po, len)).toBe(12345);
    L.k.dropout(px, px, pm, len); // in place (the backward use: δ ⊙= μ)
    expect(Array.from(L.read(px, len))).toEqual(Array.from(want));
    const rx = ref.alloc(len, x), rm = ref.alloc(len, mask), ro = ref.alloc(len);
    ref.k.dropout(ro, rx, rm, len);
    expect(Array.from(L.read(po, len))).toEqual(Array.from(ref.read(ro, len)));
  });
});

describe("dropout masks from the seeded generator", () => {
  it.each([0.1, 0.5, 0.8])("p = %f: values 0 or 1/(1 − p), the share dropped within 5 standard errors of p, same seed → same mask", (p) => {
    const n = 20000, mask = new Float32Array(n + 2);
    mask[0] = mask[n + 1] = 12345;
    fillMask(new Random(9), mask, 1, n, p);
    expect(mask[0]).toBe(12345);
    expect(mask[n + 1]).toBe(12345);
    let dropped = 0;
    for (let i = 1; i <= n; i++) {
      if (mask[i] === 0) dropped++;
      else expect(mask[i]).toBe(Math.fround(1 / (1 - p)));
    }
    expect(Math.abs(dropped / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    const again = new Float32Array(n + 2);
    fillMask(new Random(9), again, 1, n, p);
    expect(again.subarray(1, n + 1)).toEqual(mask.subarray(1, n + 1));
    // p = 0 keeps everything at scale 1.
    fillMask(new Random(9), again, 0, n, 0);
    expect(again.subarray(0, n).every((v) => v === 1)).toBe(true);
  });
});

// ---- the threads' shares (src/threads/) ----------------------------------------------------
// A threaded network splits each kernel's work so that every output value is computed by one
// thread: row ranges j0..j1 of BP3/BP4/bp4sgd (bp3Rows, bp4Rows, bp4sgdRows), sample ranges of
// forward/BP1/BP2 (a range of rows of a batch-major buffer is a pointer and a count). Each share
// must give, bit for bit, what the whole call gives there — the sample ranges on every build, the
// row ranges on the threaded builds (shared, imported memory; one scratch slot per thread), which
// alone export them. (That a threaded build gives what the plain one gives: test/threads.test.ts.)
import relaxedText from "../src/generated/wasm-relaxed.js";
import simdText from "../src/generated/wasm-simd.js";
import scalarText from "../src/generated/wasm-scalar.js";
import relaxedThreadsText from "../src/generated/wasm-relaxed-threads.js";
import simdThreadsText from "../src/generated/wasm-simd-threads.js";
import { THREADED_INITIAL_PAGES } from "../src/threads/index.js";
import { decodeBuild } from "../src/wasm.js";

type Raw = Record<string, (...a: number[]) => number>;
const RAW_BUILDS: [string, string, boolean][] = [
  ["wasm-simd", simdText, false], ["wasm-scalar", scalarText, false], ["wasm-relaxed", relaxedText, false],
  ["wasm-simd-threads", simdThreadsText, true], ["wasm-relaxed-threads", relaxedThreadsText, true],
];

function rawBuild(text: string, threaded: boolean): { e: Raw; memory: WebAssembly.Memory } | null {
  const bytes = decodeBuild(text);
  if (!WebAssembly.validate(bytes)) return null; // relaxed SIMD without its flag
  const memory = threaded ? new WebAssembly.Memory({ initial: THREADED_INITIAL_PAGES, maximum: 65536, shared: true }) : undefined;
  const e = new WebAssembly.Instance(new WebAssembly.Module(bytes), memory ? { env: { memory } } : {}).exports as unknown as Raw;
  return { e, memory: memory ?? (e.memory as unknown as WebAssembly.Memory) };
}

/** Cuts [0, n) into ranges at multiples of `align` (the last range takes the rest). */
function cuts(rng: Random, n: number, align: number): [number, number][] {
  const out: [number, number][] = [];
  for (let a = 0; a < n;) {
    const b = Math.min(n, a + align * (1 + Math.floor(rng.next() * 3)));
    out.push([a, b]);
    a = b;
  }
  return out;
}

/**
 * Bump allocation from heapBase in a raw build's memory, grown to hold `bytes` first: put(v)
 * copies a vector in (put(n) reserves n floats) and returns its byte offset; read(p, n) copies n
 * floats out; F() is the memory as floats (re-taken: the memory may have grown).
 */
function scratch(e: Raw, memory: WebAssembly.Memory, bytes: number) {
  const need = e.heapBase() + bytes;
  if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
  const F = () => new Float32Array(memory.buffer);
  let top = e.heapBase();
  const put = (v: Float64Array | number) => {
    const n = typeof v === "number" ? v : v.length, p = top;
    if (typeof v !== "number") F().set(v, p >>> 2);
    top += Math.ceil(n / 4) * 16 + 16;
    return p;
  };
  const read = (p: number, n: number) => F().slice(p >>> 2, (p >>> 2) + n);
  return { F, put, read };
}

function sameBits(a: Float32Array, b: Float32Array, what: string) {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) expect(a[i], `${what}: first difference at [${i}]`).toBe(b[i]);
}

describe.each(RAW_BUILDS)("threads' shares on %s", (name, b64, threaded) => {
  const built = rawBuild(b64, threaded);
  const RANGE_SHAPES: [number, number, number][] = [[3, 5, 2], [17, 30, 7], [784, 30, 10], [30, 10, 33], [100, 130, 64], [64, 17, 40], [5, 1, 1]];
  // The row-range kernels are exports of the threaded builds only (assembly/threads.ts).
  it.skipIf(!built || !threaded).each(RANGE_SHAPES)("bp3Rows, bp4Rows, bp4sgdRows on row ranges nIn=%i nOut=%i m=%i equal bp3, bp4, bp4sgd", (nIn, nOut, m) => {
    const { e, memory } = built!;
    const need = e.heapBase() + 4 * (m * nOut + m * nIn + 4 * nOut * nIn + 4 * nOut) + 1024;
    if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
    const F = () => new Float32Array(memory.buffer);
    const rng = new Random(nIn * 7 + nOut * 13 + m);
    let top = e.heapBase();
    const put = (v: Float64Array) => { const p = top; F().set(v, p >>> 2); top += Math.ceil(v.length / 4) * 16 + 16; return p; };
    const pd = put(floats(rng, m * nOut)), px = put(floats(rng, m * nIn, 0, 1));
    const w0 = floats(rng, nOut * nIn), b0 = floats(rng, nOut);
    const pW = put(w0), pB = put(b0), qW = put(w0), qB = put(b0); // whole call into p*, shares into q*
    const read = (p: number, n: number) => F().slice(p >>> 2, (p >>> 2) + n);
    for (const align of [4, 1]) {
      for (const slot of threaded ? [0, 5, 99] : [0]) {
        if (threaded) e.setScratchSlot(slot); // 99: beyond the scratch slots, so no repacking
        const parts = cuts(rng, nOut, align);
        e.bp4(pW, pd, px, nIn, nOut, m);
        for (const [j0, j1] of parts) e.bp4Rows(qW, pd, px, nIn, nOut, m, j0, j1);
        sameBits(read(qW, nOut * nIn), read(pW, nOut * nIn), `${name} bp4Rows ${JSON.stringify(parts)} slot ${slot}`);
        e.bp3(pB, pd, nOut, m);
        for (const [j0, j1] of parts) e.bp3Rows(qB, pd, nOut, m, j0, j1);
        sameBits(read(qB, nOut), read(pB, nOut), `${name} bp3Rows`);
        for (const [decay, l1] of [[1, 0], [0.999, 0.001]]) {
          F().set(w0, pW >>> 2); F().set(w0, qW >>> 2); F().set(b0, pB >>> 2); F().set(b0, qB >>> 2);
          e.bp4sgd(pW, pB, pd, px, nIn, nOut, m, 0.3, decay, l1);
          // down: the row blocks in descending order (src/threads/plan.ts gives it to a thread with another's rows above).
          parts.forEach(([j0, j1], i) => e.bp4sgdRows(qW, qB, pd, px, nIn, nOut, m, 0.3, decay, l1, j0, j1, i % 2));
          sameBits(read(qW, nOut * nIn), read(pW, nOut * nIn), `${name} bp4sgdRows w decay=${decay}`);
          sameBits(read(qB, nOut), read(pB, nOut), `${name} bp4sgdRows b decay=${decay}`);
        }
      }
    }
    if (threaded) e.setScratchSlot(0);
  });

  // forwardRows: each thread computes the neurons of its rows of w for the whole batch (a training
  // pass keeps every row of w on the thread that updates it). Softmax needs the whole row: only whole ranges.
  it.skipIf(!built || !threaded).each(RANGE_SHAPES)("forwardRows on row ranges nIn=%i nOut=%i m=%i equals forward", (nIn, nOut, m) => {
    const { e, memory } = built!;
    const { F, put, read } = scratch(e, memory, 4 * (3 * m * nOut + m * nIn + nOut * nIn + nOut) + 1024);
    const rng = new Random(nIn * 11 + nOut * 3 + m);
    const pw = put(floats(rng, nOut * nIn, -0.3, 0.3)), pb = put(floats(rng, nOut)), px = put(floats(rng, m * nIn, 0, 1));
    const pa = put(m * nOut), qa = put(m * nOut);
    for (const act of [0, 1, 2, 3, 4, 5]) {
      for (const align of act === 5 ? [nOut] : [4, 1]) {
        const parts = cuts(rng, nOut, align);
        F().fill(NaN, qa >>> 2, (qa >>> 2) + m * nOut); // every value must be written by one share
        e.forward(pa, pw, pb, px, nIn, nOut, m, act);
        parts.forEach(([j0, j1], i) => e.forwardRows(qa, pw, pb, px, nIn, nOut, m, act, j0, j1, i % 2)); // odd: row blocks walked down
        sameBits(read(qa, m * nOut), read(pa, m * nOut), `${name} forwardRows act ${act} ${JSON.stringify(parts)}`);
      }
    }
  });

  // bp2Rows: BP2's sums over consecutive row ranges of wNext, first to last, each carrying the
  // partial sums in δ (the row split of a training pass's BP2, src/threads/plan.ts deltasRows),
  // on sample blocks too — as the pipeline gives them to the threads.
  it.skipIf(!built || !threaded).each(RANGE_SHAPES)("bp2Rows over consecutive row ranges nPrev=%i n=%i m=%i equals bp2", (n, nNext, m) => {
    const { e, memory } = built!;
    const { F, put, read } = scratch(e, memory, 4 * (nNext * n + m * nNext + 3 * m * n) + 1024);
    const rng = new Random(n * 5 + nNext * 17 + m);
    const pw = put(floats(rng, nNext * n, -0.3, 0.3)), pdn = put(floats(rng, m * nNext)), pa = put(floats(rng, m * n, 0.01, 0.99));
    const pd = put(m * n), qd = put(m * n);
    for (const act of [0, 1, 2, 3, 4]) {
      const parts = cuts(rng, nNext, 1), blocks = cuts(rng, m, 2);
      F().fill(NaN, qd >>> 2, (qd >>> 2) + m * n); // every value must be written
      e.bp2(pd, pdn, pw, pa, n, nNext, m, act);
      for (const [s0, s1] of blocks) {
        parts.forEach(([j0, j1], i) => e.bp2Rows(qd + 4 * s0 * n, pdn + 4 * s0 * nNext, pw, pa + 4 * s0 * n, n, nNext, s1 - s0, act,
          j0, j1, i === 0 ? 1 : 0, i === parts.length - 1 ? 1 : 0));
      }
      sameBits(read(qd, m * n), read(pd, m * n), `${name} bp2Rows act ${act} rows ${JSON.stringify(parts)} samples ${JSON.stringify(blocks)}`);
    }
  });

  it.skipIf(!built)("forward, bp1 and bp2 on sample ranges equal the whole batch", () => {
    const { e, memory } = built!;
    const rng = new Random(5);
    for (const [nIn, nOut, m] of [[784, 30, 10], [30, 10, 10], [17, 9, 33], [100, 64, 64]]) {
      for (const act of [0, 1, 2, 5]) {
        const { F, put, read } = scratch(e, memory, 4 * 8 * (m * (nIn + nOut) + nOut * nIn + nOut) + 4096);
        const pw = put(floats(rng, nOut * nIn, -0.3, 0.3)), pb = put(floats(rng, nOut)), px = put(floats(rng, m * nIn, 0, 1));
        const pa = put(m * nOut), qa = put(m * nOut);
        const parts = cuts(rng, m, 2);
        e.forward(pa, pw, pb, px, nIn, nOut, m, act);
        for (const [s0, s1] of parts) e.forward(qa + 4 * s0 * nOut, pw, pb, px + 4 * s0 * nIn, nIn, nOut, s1 - s0, act);
        sameBits(read(qa, m * nOut), read(pa, m * nOut), `${name} forward act=${act} ${JSON.stringify(parts)}`);
        if (act === 5) continue;
        const py = put(floats(rng, m * nOut, 0, 1)), pd = put(m * nOut), qd = put(m * nOut);
        e.bp1(pd, pa, py, nOut, m, act, 0);
        for (const [s0, s1] of parts) e.bp1(qd + 4 * s0 * nOut, pa + 4 * s0 * nOut, py + 4 * s0 * nOut, nOut, s1 - s0, act, 0);
        sameBits(read(qd, m * nOut), read(pd, m * nOut), `${name} bp1 act=${act}`);
        // bp2 back to a layer of nIn neurons (a = the inputs, as if they were a hidden layer's activations).
        const p2 = put(m * nIn), q2 = put(m * nIn);
        e.bp2(p2, pd, pw, px, nIn, nOut, m, act);
        for (const [s0, s1] of parts) e.bp2(q2 + 4 * s0 * nIn, pd + 4 * s0 * nOut, pw, px + 4 * s0 * nIn, nIn, nOut, s1 - s0, act);
        sameBits(read(q2, m * nIn), read(p2, m * nIn), `${name} bp2 act=${act}`);
      }
    }
  });
});
