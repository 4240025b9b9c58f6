// Threads (src/threads/): the pool runs a network's passes split by samples and by rows, and
// the results are bit-identical to one thread's; bad `threads` values are OptionErrors; a helper
// that dies makes the running call throw (never hang); closing the pool ends its threads.
import { describe, it, expect, afterEach } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { Random } from "../src/random.js";
import { plan } from "../src/arena.js";
import { OptionError } from "../src/errors.js";
import { checkThreads, createThreaded, setThreadTimeout, ThreadFailure, type Threaded } from "../src/threads/index.js";
import * as split from "../src/threads/plan.js";
import { supports } from "../src/wasm.js";

const BUILDS = (["simd", "relaxed"] as const).filter((b) => supports(b));
type Fn = (...a: number[]) => number;

/** Threads of this process (Linux: one directory per thread in /proc/self/task). */
const osThreads = () => readdirSync("/proc/self/task").length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A network's buffers in a threaded build's memory, filled from a seeded generator. */
function setup(t: Threaded, sizes: number[], m: number, seed: number) {
  const p = plan(sizes, (t.exports.heapBase as () => number)(), m);
  const have = t.memory.buffer.byteLength;
  if (p.end > have) t.memory.grow(Math.ceil((p.end - have) / 65536));
  const F = new Float32Array(t.memory.buffer);
  const rng = new Random(seed);
  for (let i = p.params >>> 2; i < (p.params >>> 2) + p.paramsLen; i++) F[i] = (rng.next() - 0.5) * 0.6;
  for (let i = 0; i < m * sizes[0]; i++) F[(p.a[0] >>> 2) + i] = rng.next();
  for (let i = 0; i < m * sizes.at(-1)!; i++) F[(p.y >>> 2) + i] = rng.next() < 0.1 ? 1 : 0;
  const acts = sizes.slice(1).map((_, l) => (l === sizes.length - 2 ? 0 : [0, 1, 2][seed % 3]));
  return { plan: p, sizes, acts, cost: 0 };
}

/** One training step on the calling thread alone, with the whole-batch kernels (the reference). */
function stepAlone(t: Threaded, n: ReturnType<typeof setup>, m: number, scale: number) {
  const e = t.exports as Record<string, Fn>, { plan: p, sizes: s, acts } = n, L = s.length - 1;
  for (let l = 0; l < L; l++) e.forward(p.a[l + 1], p.w[l], p.b[l], p.a[l], s[l], s[l + 1], m, acts[l]);
  e.bp1(p.delta[L - 1], p.a[L], p.y, s[L], m, acts[L - 1], 0);
  for (let l = L - 1; l >= 0; l--) {
    if (l > 0) e.bp2(p.delta[l - 1], p.delta[l], p.w[l], p.a[l], s[l], s[l + 1], m, acts[l - 1]);
    e.bp4sgd(p.w[l], p.b[l], p.delta[l], p.a[l], s[l], s[l + 1], m, scale, 1, 0);
  }
}

const open: Threaded[] = [];
afterEach(() => {
  for (const t of open.splice(0)) t.pool?.close();
});

describe("the threads option", () => {
  it("accepts 1, whole numbers up to 256 and \"auto\"; anything else is an OptionError naming it", () => {
    for (const ok of [undefined, 1, 2, 7, 256, "auto"]) expect(checkThreads("new Network(sizes, options)", "options.threads", ok)).toBe(ok ?? 1);
    for (const bad of [0, -1, 1.5, 257, NaN, Infinity, "2", "all", null, true]) {
      expect(() => checkThreads("new Network(sizes, options)", "options.threads", bad)).toThrow(OptionError);
    }
    expect(() => checkThreads("new Network(sizes, options)", "options.threads", 0))
      .toThrow('new Network(sizes, options): options.threads must be a whole number from 1 to 256, or "auto", received 0');
  });
});

describe.each(BUILDS)("threaded %s build", (build) => {
  it.each([
    [[784, 30, 10], 10], [[784, 100, 10], 32], [[50, 37, 23, 5], 33], [[17, 130, 64, 3], 64], [[9, 5, 2], 1],
  ] as [number[], number][])("a training step of %j, m=%i, split over 2 and 3 threads, equals one thread's bit for bit", async (sizes, m) => {
    const results: Uint32Array[] = [];
    // [threads, whether the calling thread takes tasks too]: without it, the helpers compute everything.
    for (const [threads, callerWorks] of [[1, true], [2, true], [2, false], [3, true], [3, false]] as const) {
      const t = createThreaded(build, threads, {});
      open.push(t);
      if (t.pool) t.pool.callerWorks = callerWorks;
      const n = setup(t, sizes, m, sizes.length + m);
      for (let step = 0; step < 3; step++) {
        if (!t.pool) stepAlone(t, n, m, 0.1);
        else {
          split.forward(t.pool, n, m);
          split.deltas(t.pool, n, m);
          split.stepSgd(t.pool, n, m, 0.1, 1, 0);
        }
      }
      if (t.pool && !callerWorks) expect(t.pool.counts.here).toBe(0);
      const p = n.plan;
      // Parameters after the steps, and the last step's outputs.
      const F = new Uint32Array(t.memory.buffer);
      const L = sizes.length - 1;
      results.push(Uint32Array.from([...F.subarray(p.params >>> 2, (p.params >>> 2) + p.paramsLen), ...F.subarray(p.a[L] >>> 2, (p.a[L] >>> 2) + m * sizes[L])]));
    }
    for (const r of results.slice(1)) {
      const at = r.findIndex((v, i) => v !== results[0][i]);
      expect(at, `first differing value at ${at}`).toBe(-1);
    }
  });

  it("the splits cover every sample and every row exactly once, at pairs and multiples of 4", () => {
    for (const m of [1, 2, 3, 10, 31, 64, 257]) {
      for (const threads of [2, 3, 8, 16]) {
        const r = split.sampleRanges(m, threads);
        expect(r[0][0]).toBe(0);
        expect(r.at(-1)![1]).toBe(m);
        for (let i = 1; i < r.length; i++) { expect(r[i][0]).toBe(r[i - 1][1]); expect(r[i][0] % 2).toBe(0); }
      }
    }
    for (const sizes of [[784, 30, 10], [784, 512, 512, 10], [3, 1, 5, 2]]) {
      for (const threads of [2, 5, 16]) {
        const rows = split.rowRanges(sizes, threads);
        for (let l = 0; l < sizes.length - 1; l++) {
          const mine = rows.filter((x) => x[0] === l).sort((a, b) => a[1] - b[1]);
          expect(mine[0][1]).toBe(0);
          expect(mine.at(-1)![2]).toBe(sizes[l + 1]);
          for (let i = 1; i < mine.length; i++) { expect(mine[i][1]).toBe(mine[i - 1][2]); expect(mine[i][1] % 4).toBe(0); }
        }
      }
    }
  });

  it("a helper that dies holding a task makes the job throw a clear error within the timeout, not hang", async () => {
    const before = setThreadTimeout(400);
    try {
      const t = createThreaded(build, 2, {});
      open.push(t);
      const pool = t.pool!;
      while (pool.ready < 1) await sleep(5);
      const n = setup(t, [784, 256, 10], 64, 1);
      pool.killAtNextTask(1);
      let error: unknown = null;
      const t0 = performance.now();
      // The helper takes a task as soon as it wakes for a job; the calling thread takes the rest.
      for (let i = 0; i < 200 && !error; i++) {
        try { split.forward(pool, n, 64); } catch (e) { error = e; }
      }
      expect(error).toBeInstanceOf(ThreadFailure);
      expect(String((error as Error).message)).toMatch(/no helper thread finished a task for 0\.4 s/);
      expect(performance.now() - t0).toBeLessThan(10_000);
      // Once its exit is known, every later job says so at once.
      await sleep(50);
      expect(() => split.forward(pool, n, 64)).toThrow(/helper thread 1 exited \(code 70\)/);
    } finally {
      setThreadTimeout(before);
    }
  });

  it("a helper ended from outside (terminate) is reported by the next job", async () => {
    const t = createThreaded(build, 3, {});
    open.push(t);
    const pool = t.pool!;
    while (pool.ready < 2) await sleep(5);
    pool.terminateHelper(2);
    await sleep(200);
    const n = setup(t, [20, 8, 3], 8, 2);
    expect(() => split.forward(pool, n, 8)).toThrow(ThreadFailure);
    expect(() => split.forward(pool, n, 8)).toThrow(/helper thread 2 exited/);
  });

  it("close() ends the helper threads (the process's thread count returns to where it was)", async () => {
    await sleep(100);
    const base = osThreads();
    const t = createThreaded(build, 4, {});
    const pool = t.pool!;
    while (pool.ready < 3) await sleep(5);
    expect(osThreads()).toBeGreaterThanOrEqual(base + 3);
    pool.close();
    for (let i = 0; i < 100 && osThreads() > base; i++) await sleep(20);
    expect(osThreads()).toBeLessThanOrEqual(base);
    expect(() => split.forward(pool, setup(t, [4, 3, 2], 4, 3), 4)).toThrow(/dispose/);
  });
});

describe("relaxed SIMD on Node 20 (issue 15, item 6)", () => {
  it("the nabla command and npm start turn on the relaxed build; importing the library changes no V8 flag", async () => {
    const { execFileSync } = await import("node:child_process");
    const { fileURLToPath } = await import("node:url");
    const root = fileURLToPath(new URL("..", import.meta.url));
    const backendOf = (code: string) => execFileSync(process.execPath, ["--input-type=module", "-e", code], { cwd: root, encoding: "utf8" }).trim();
    // What the engine gives without any flag, probed independently of src/.
    const plain = backendOf(`const p = new Uint8Array([0,97,115,109,1,0,0,0,1,5,1,0x60,0,1,0x7b,3,2,1,0,10,28,1,26,0,0x43,0,0,0,0,0xfd,0x13,0x43,0,0,0,0,0xfd,0x13,0x43,0,0,0,0,0xfd,0x13,0xfd,0x85,0x02,0x0b]); console.log(WebAssembly.validate(p))`);
    // The library alone: the best build the engine runs as it is.
    expect(backendOf(`const { Network } = await import("./dist/node.js"); console.log(new Network([2, 2]).backend)`))
      .toBe(plain === "true" ? "wasm-relaxed" : "wasm-simd");
    // With the command's first import: relaxed, in the calling thread and in helper threads.
    expect(backendOf(`await import("./dist/threads/relaxed-simd.js"); const { Network } = await import("./dist/node.js"); console.log(new Network([2, 2]).backend)`))
      .toBe("wasm-relaxed");
    expect(readFileSync(new URL("../src/cli/main.ts", import.meta.url), "utf8")).toMatch(/^import "\.\.\/threads\/relaxed-simd\.js";/m);
    expect(readFileSync(new URL("../src/main.ts", import.meta.url), "utf8")).toMatch(/^import "\.\/threads\/relaxed-simd\.js";/m);
  });
});
