// Threads (src/threads/): the pool runs a network's passes split by samples and by rows, and
// the results are bit-identical to one thread's; bad `threads` values are OptionErrors; a helper
// that dies makes the running call throw (never hang); closing the pool ends its threads.
import { describe, it, expect, afterEach, beforeAll, afterAll } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { Random } from "../src/random.js";
import { plan } from "../src/arena.js";
import { OptionError } from "../src/errors.js";
import { createThreaded, setThreadTimeout, ThreadFailure, type PoolThreaded as Threaded } from "../src/threads/index.js";
import { checkThreads } from "../src/threads/option.js";
import * as split from "../src/threads/plan.js";
import { MAX_CALLS } from "../src/threads/pool.js";
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
  for (const t of open.splice(0)) t.raw?.close();
});

/** A threaded instance of 3 threads whose helpers serve jobs: its pool, the heap's first byte, and a view of its memory. */
async function threeThreads(build: "simd" | "relaxed") {
  const t = createThreaded(build, 3, {});
  open.push(t);
  while (t.raw!.ready < 2) await sleep(5);
  return { t, pool: t.raw!, base: (t.exports.heapBase as () => number)(), F: () => new Float32Array(t.memory.buffer) };
}

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
    [[784, 30, 10], 10], [[784, 100, 10], 32], [[50, 37, 23, 5], 33], [[17, 130, 64, 3], 64], [[9, 5, 2], 1], [[20, 40, 36, 28, 6], 24],
  ] as [number[], number][])("a training step of %j, m=%i, split over 2 and 3 threads (by samples, and by rows pinned, BP2 in its own jobs or in the step's), equals one thread's bit for bit", async (sizes, m) => {
    const results: Uint32Array[] = [];
    // [threads, whether the calling thread takes tasks too, split]: without the calling thread, the
    // helpers compute everything (pinned tasks too: a thread takes what is left of the others').
    for (const [threads, callerWorks, by] of [[1, true, ""], [2, true, "samples"], [2, false, "samples"], [3, true, "samples"], [3, false, "samples"],
      [2, true, "rows"], [2, false, "rows"], [3, true, "rows"], [3, false, "rows"], [2, true, "rows, BP2 in the step"], [3, true, "rows, BP2 in the step"]] as const) {
      const t = createThreaded(build, threads, {});
      open.push(t);
      if (t.raw) t.raw.callerWorks = callerWorks;
      const n = setup(t, sizes, m, sizes.length + m);
      // By rows: the layers with 4 neurons per thread (src/threads/passes.ts rowLayers), the others here.
      const rows = sizes.slice(1).map((nOut) => nOut >= 4 * threads);
      for (let step = 0; step < 3; step++) {
        if (!t.raw) stepAlone(t, n, m, 0.1);
        else if (by === "samples") {
          split.forward(t.raw, n, m);
          split.deltas(t.raw, n, m);
          split.stepSgd(t.raw, n, m, 0.1, 1, 0);
        } else {
          const e = t.exports as Record<string, Fn>, { plan: p, acts } = n;
          for (let l = 0; l < rows.length; l++) {
            if (rows[l]) split.forwardRows(t.raw, n, l, m);
            else e.forward(p.a[l + 1], p.w[l], p.b[l], p.a[l], sizes[l], sizes[l + 1], m, acts[l]);
          }
          // BP2 through a split layer by its rows, in the pipeline over sample blocks (deltasRows),
          // or through the bottom split layers in the step's job (bp2InStep); the rest here.
          const L = sizes.length - 1, through = by === "rows" ? 0 : split.bp2InStep(rows, m, threads);
          // Two bottom layers split or more: BP2 through them runs in the step's job ([20,40,36,28,6]: through layers 2 and 1, two pipelines).
          if (by !== "rows" && rows[0] && rows[1] && split.pipelineBlocks(m, threads) > 0) expect(through).toBe(sizes.length === 5 ? 3 : 2);
          e.bp1(p.delta[L - 1], p.a[L], p.y, sizes[L], m, acts[L - 1], 0);
          for (let l = L - 1; l >= Math.max(1, through); l--) {
            if (rows[l]) split.deltasRows(t.raw, n, l, m);
            else e.bp2(p.delta[l - 1], p.delta[l], p.w[l], p.a[l], sizes[l], sizes[l + 1], m, acts[l - 1]);
          }
          split.stepSgdPinned(t.raw, n, m, 0.1, 1, 0, rows, through);
        }
      }
      if (t.raw && by !== "samples") expect(t.raw.counts.pinned).toBeGreaterThan(0);
      if (t.raw && !callerWorks) expect(t.raw.counts.here).toBe(0);
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

  it("every task runs exactly once, over 100,000 claimed and pinned jobs of alternating sizes (no task claimed twice or lost between jobs)", async () => {
    const { t, base, F } = await threeThreads(build);
    // Each task adds 1 to its own 4 floats (sgd with g = 1, scale = −1): a task run twice, or not at all, shows.
    const slots = 12, ones = base + 4 * 4 * slots;
    F().fill(0, base >>> 2, (base >>> 2) + 4 * slots);
    F().fill(1, ones >>> 2, (ones >>> 2) + 4);
    const expected = new Float32Array(4 * slots);
    // Claimed jobs and pinned jobs (runPinned: each thread its own tasks first, then what is left) mixed.
    const job = (pinned: boolean, tasks: number) => {
      t.raw!.begin();
      for (let i = 0; i < tasks; i++) {
        t.raw!.call("sgd", base + 16 * i, ones, 4, -1, 1, 0);
        t.raw!.endTask();
        for (let j = 0; j < 4; j++) expected[4 * i + j]++;
      }
      if (pinned) t.raw!.runPinned();
      else t.raw!.run();
    };
    // 100,000 jobs: a helper that reads a job's layout while the next job is being published (the
    // calling thread ends a 1-task job fast) showed up as a lost count, within the first 100,000 jobs.
    const before = setThreadTimeout(3000);
    try {
      for (let i = 0; i < 100_000; i++) job(i % 3 !== 0, [1, 2, 5, 3, 12, 1, 1][i % 7]);
      expect(Array.from(F().subarray(base >>> 2, (base >>> 2) + 4 * slots))).toEqual(Array.from(expected));
      expect(t.raw!.counts.here).toBeLessThan(t.raw!.counts.tasks); // the helpers took part
      expect(t.raw!.counts.pinned).toBeGreaterThan(60_000);
      // Pinned job numbers wrap at 2^31: with task slots last used 2^30 jobs ago, and across the wrap, every task still runs once.
      for (const from of [0x40000000 + 0x100000, 0x7fffffff - 50]) {
        t.raw!.setJobNumber(from);
        for (let i = 0; i < 100; i++) job(true, [1, 12, 3][i % 3]);
      }
      expect(Array.from(F().subarray(base >>> 2, (base >>> 2) + 4 * slots))).toEqual(Array.from(expected));
    } finally {
      setThreadTimeout(before);
    }
  });

  it("a pinned job whose helpers cannot take their tasks (not started yet) is finished by the calling thread", () => {
    const t = createThreaded(build, 3, {});
    open.push(t);
    const pool = t.raw!, e = t.exports as Record<string, Fn>, base = e.heapBase();
    const F = new Float32Array(t.memory.buffer);
    F.fill(0, base >>> 2, (base >>> 2) + 24);
    F.fill(1, (base >>> 2) + 24, (base >>> 2) + 28);
    expect(pool.ready).toBe(0); // the helpers are still starting (they instantiate the module in the background)
    pool.begin();
    for (let i = 0; i < 6; i++) { pool.call("sgd", base + 16 * i, base + 96, 4, -1, 1, 0); pool.endTask(); }
    pool.runPinned();
    expect(Array.from(new Float32Array(t.memory.buffer, base, 24))).toEqual(new Array(24).fill(1));
    expect(pool.counts.here).toBe(6);
  });

  it("the splits cover every sample and every row exactly once, at pairs and multiples of 4, samples largest first", () => {
    for (const m of [1, 2, 3, 10, 31, 64, 257]) {
      for (const threads of [2, 3, 8, 16]) {
        const r = split.sampleRanges(m, threads);
        expect(r[0][0]).toBe(0);
        expect(r.at(-1)![1]).toBe(m);
        for (let i = 1; i < r.length; i++) { expect(r[i][0]).toBe(r[i - 1][1]); expect(r[i][0] % 2).toBe(0); }
        // Guided at 16 samples per thread or more: the largest ranges first, so the threads end on
        // small ones (the last takes an odd m's odd sample too).
        if (m >= 16 * threads) {
          for (let i = 1; i < r.length; i++) expect(r[i][1] - r[i][0]).toBeLessThanOrEqual(r[i - 1][1] - r[i - 1][0] + (i === r.length - 1 ? 1 : 0));
        }
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
    // BP2's pipeline (deltasRows): blocks of a pair of samples or more, a job's calls at most, a
    // fill of at most 15% — else 0 (by samples).
    for (const m of [1, 2, 3, 10, 32, 64, 65, 128, 1024, 4096]) {
      for (let threads = 2; threads <= 256; threads++) {
        const B = split.pipelineBlocks(m, threads);
        if (B === 0) continue;
        expect(B * threads).toBeLessThanOrEqual(MAX_CALLS);
        expect(B <= Math.max(1, m >> 1) && B <= 16 * threads).toBe(true);
        expect((threads - 1) / (B + threads - 1)).toBeLessThanOrEqual(0.15);
      }
    }
    expect([2, 4, 6, 7, 16].map((t) => split.pipelineBlocks(64, t))).toEqual([32, 32, 32, 0, 0]);
    expect(split.pipelineBlocks(1024, 16)).toBe(128); // 16 threads × 128 blocks = MAX_CALLS
  });

  it("calls that wait on another task's calls (callAfter) run after them, over 5,000 pipelined jobs of 3 threads, with and without the calling thread", async () => {
    const { pool, base, F } = await threeThreads(build);
    // Block b is a cell of 4 floats; task t's call on it is w = 2w + (t + 1) (sgd with g = 1,
    // decay 2, scale −(t + 1)), which gives a different value for every order of the tasks. Task t
    // waits for task t + 1 on each block (as deltasRows's ranges do), so the order is 2, 1, 0.
    const B = 12, ones = base + 16 * B;
    F().fill(1, ones >>> 2, (ones >>> 2) + 4);
    let expected = 0;
    for (const tk of [2, 1, 0]) expected = 2 * expected + tk + 1;
    for (const callerWorks of [true, false]) {
      pool.callerWorks = callerWorks;
      for (let job = 0; job < 2500; job++) {
        F().fill(0, base >>> 2, (base >>> 2) + 4 * B);
        pool.begin();
        for (let tk = 0; tk < 3; tk++) {
          for (let b = 0; b < B; b++) pool.callAfter(tk < 2 ? tk + 1 : -1, b + 1, "sgd", base + 16 * b, ones, 4, -(tk + 1), 2, 0);
          pool.endTask();
        }
        pool.runPinned();
        const cells = F().subarray(base >>> 2, (base >>> 2) + 4 * B);
        if (!cells.every((v) => v === expected)) expect(Array.from(cells), `job ${job}`).toEqual(new Array(4 * B).fill(expected));
      }
    }
    pool.callerWorks = true;
  });

  it("a helper that dies holding a task another waits on (callAfter) makes the job throw within the timeout, not hang", async () => {
    const before = setThreadTimeout(400);
    try {
      const t = createThreaded(build, 2, {});
      open.push(t);
      const pool = t.raw!, e = t.exports as Record<string, Fn>, base = e.heapBase();
      while (pool.ready < 1) await sleep(5);
      pool.killAtNextTask(1);
      // Task 0 (the calling thread's) waits on task 1 (the helper's), which the helper takes and dies holding.
      pool.begin();
      pool.callAfter(1, 1, "allFinite", base, 0);
      pool.endTask();
      pool.callAfter(-1, 0, "allFinite", base, 0);
      pool.endTask();
      const t0 = performance.now();
      expect(() => pool.runPinned()).toThrow(/no helper thread finished a call for 0\.4 s/);
      expect(performance.now() - t0).toBeLessThan(10_000);
    } finally {
      setThreadTimeout(before);
    }
  });

  it("a helper that dies holding a task makes the job throw a clear error within the timeout, not hang", async () => {
    const before = setThreadTimeout(400);
    try {
      const t = createThreaded(build, 2, {});
      open.push(t);
      const pool = t.raw!;
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
    const pool = t.raw!;
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
    const pool = t.raw!;
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
    // Helper threads run the relaxed build too (V8's flags are per process): the helpers take
    // tasks (the calling thread leaves them all) and the weights equal one thread's.
    expect(backendOf(`await import("./dist/threads/relaxed-simd.js"); const { Network } = await import("./dist/node.js");
      const { poolOf } = await import("./dist/threads/index.js");
      (await import("./dist/threads/option.js")).THREAD_WORK.min = 150000; // split this small network's jobs
      const data = { inputs: new Float32Array(64 * 200).map((_, i) => (i % 7) / 7), labels: new Uint8Array(64).map((_, i) => i % 3) };
      const a = new Network([200, 300, 3], { seed: 1, threads: 1 }), b = new Network([200, 300, 3], { seed: 1, threads: 2 });
      poolOf(b).callerWorks = false;
      for (const n of [a, b]) n.train(data, { epochs: 2, batchSize: 32 });
      const same = JSON.stringify(a.weights) === JSON.stringify(b.weights);
      console.log(b.backend, b.threads, same, poolOf(b).counts.here === 0 && poolOf(b).counts.tasks > 0)`))
      .toBe("wasm-relaxed 2 true true");
    expect(readFileSync(new URL("../src/cli/main.ts", import.meta.url), "utf8")).toMatch(/^import "\.\.\/threads\/relaxed-simd\.js";/m);
    expect(readFileSync(new URL("../src/main.ts", import.meta.url), "utf8")).toMatch(/^import "\.\/threads\/relaxed-simd\.js";/m);
  });
});

describe("a Network with threads", async () => {
  const { Network } = await import("../src/network.js");
  // Small networks, split as if their jobs paid for a barrier, so the pool really runs here
  // (THREAD_WORK.min changes which jobs are split, never the values).
  const { THREAD_WORK } = await import("../src/threads/option.js");
  const defaultMin = THREAD_WORK.min;
  beforeAll(() => { THREAD_WORK.min = 150_000; });
  afterAll(() => { THREAD_WORK.min = defaultMin; });
  const { BackendError } = await import("../src/errors.js");
  const { poolOf } = await import("../src/threads/index.js");
  const { availableParallelism } = await import("node:os");
  const { mnistSplit } = await import("../src/data/mnist.js");
  const digits = mnistSplit(1500, 500, 0);
  const data = { inputs: digits.train.inputs, labels: digits.train.labels };
  const test = { inputs: digits.test.inputs, labels: digits.test.labels };
  const bits = (net: InstanceType<typeof Network>) => new Uint32Array(new Float32Array([...net.weights.flat(2), ...net.biases.flat()]).buffer);
  const same = (a: Uint32Array, b: Uint32Array) => a.length === b.length && a.every((v, i) => v === b[i]);
  /** Waits until a network's helpers serve jobs (they start in the background). */
  const ready = async (net: InstanceType<typeof Network>) => {
    const pool = poolOf(net);
    while (pool && pool.ready < pool.size - 1) await sleep(5);
  };

  it("bad threads values are OptionErrors, in the constructor and in fromJSON", () => {
    for (const bad of [0, -2, 2.5, 257, "many"]) {
      expect(() => new Network([3, 2], { threads: bad as number })).toThrow(OptionError);
      expect(() => new Network([3, 2], { threads: bad as number })).toThrow(/options\.threads must be a whole number from 1 to 256, or "auto"/);
      expect(() => Network.fromJSON(new Network([3, 2], { seed: 1 }).toJSON(), { threads: bad as number })).toThrow(OptionError);
    }
  });

  it("net.threads says what it got: the count asked, the cores for \"auto\" (at most 16) where the network's passes pay for threads, 1 on the scalar and js backends", () => {
    const nets = [new Network([4, 3], { threads: 3 }), new Network([784, 512, 512, 10], { threads: "auto" }),
      new Network([4, 3], { threads: 4, backend: "wasm-scalar" }), new Network([4, 3], { threads: 4, backend: "js" }), new Network([4, 3]),
      new Network([784, 30, 10], { threads: "auto" })];
    // "auto" on [784,30,10]: its passes at a batch of 64 are below THREAD_WORK.auto — it computes alone.
    expect(nets.map((n) => n.threads)).toEqual([3, Math.min(16, availableParallelism()), 1, 1, 1, 1]);
    expect(nets[0].backend).toBe(nets[4].backend); // the threaded build of the same build
    for (const n of nets) n.dispose();
    expect(nets[0].threads).toBe(1);
  });

  it.each([["sgd", 32, [784, 100, 10]], ["sgd", 10, [784, 30, 10]], ["momentum", 64, [784, 64, 32, 10]], ["adam", 17, [784, 40, 10]]] as const)(
    "%s, m=%i, %j: same seed → bit-identical weights, outputs, evaluation and gradients with 1, 2 and 3 threads, run after run",
    async (optimizer, m, sizes) => {
      const runs: { w: Uint32Array; out: Uint32Array; e: unknown; g: unknown }[] = [];
      for (const threads of [1, 2, 3, 2, 1]) {
        const net = new Network(sizes, { seed: 7, threads, activation: "relu", cost: "cross-entropy" });
        await ready(net);
        net.train(data, { epochs: 2, batchSize: m, learningRate: optimizer === "adam" ? 0.002 : 0.1, optimizer, lambda: 0.5 });
        const out = new Uint32Array(net.feedforwardBatch(test.inputs).buffer);
        runs.push({ w: bits(net), out, e: net.evaluate(test), g: net.backprop(test.inputs.subarray(0, 784), 3) });
        net.dispose();
      }
      for (const r of runs.slice(1)) {
        expect(same(r.w, runs[0].w), "weights").toBe(true);
        expect(same(r.out, runs[0].out), "feedforwardBatch").toBe(true);
        expect(r.e).toEqual(runs[0].e);
        expect(r.g).toEqual(runs[0].g);
      }
    });

  it("training: two jobs per mini-batch on the pool — forward with BP1 and BP2 in the same sample tasks, then the step by rows", async () => {
    const net = new Network([784, 64, 32, 10], { seed: 6, threads: 2 });
    await ready(net);
    const pool = poolOf(net)!, jobs = pool.counts.jobs;
    net.train(data, { epochs: 1, batchSize: 64, learningRate: 0.1 }); // 1,500 samples: 24 mini-batches (the last of 28)
    expect(pool.counts.jobs - jobs).toBe(2 * Math.ceil(1500 / 64));
    // By rows only the last mini-batch, of 28 samples: fewer than layer 1's 64 neurons (rowLayers).
    expect(pool.counts.pinned).toBe(2);
    net.dispose();
  });

  it("training a layer with more neurons than the batch has samples: split by rows, pinned — its forward pass, then the step, each thread on the same rows", async () => {
    const net = new Network([784, 100, 10], { seed: 6, threads: 2 });
    await ready(net);
    const pool = poolOf(net)!, jobs = pool.counts.jobs;
    net.train(data, { epochs: 1, batchSize: 32, learningRate: 0.1 }); // 1,500 samples: 47 mini-batches
    // Per batch: layer 1 by rows, then the step; layer 2 (10 neurons), BP1 and BP2 (32·1,000 multiply-adds) here.
    expect(pool.counts.jobs - jobs).toBe(2 * Math.ceil(1500 / 32));
    expect(pool.counts.pinned).toBe(2 * Math.ceil(1500 / 32));
    net.dispose();
  });

  it("[784,30,10] at m=10 for 8,000 samples × 2 epochs (3,200 jobs): bit-identical with 2 threads and with 1 (a race would show)", async () => {
    const more = mnistSplit(8000, 100, 1);
    const d = { inputs: more.train.inputs, labels: more.train.labels };
    const [a, b] = [new Network([784, 30, 10], { seed: 5, threads: 1 }), new Network([784, 30, 10], { seed: 5, threads: 2 })];
    await ready(b);
    for (const net of [a, b]) net.train(d, { epochs: 2, batchSize: 10, learningRate: 3 });
    expect(same(bits(a), bits(b))).toBe(true);
    expect(poolOf(b)!.counts.here).toBeLessThan(poolOf(b)!.counts.tasks);
    a.dispose();
    b.dispose();
  });

  it("a helper thread that dies during train: a clear error, the network exactly as before the call, then it goes on alone", async () => {
    const before = setThreadTimeout(500);
    try {
      const net = new Network([784, 128, 10], { seed: 3, threads: 2 });
      await ready(net);
      net.train(data, { epochs: 1, batchSize: 32, learningRate: 0.5 });
      const json = JSON.stringify(net.toJSON());
      poolOf(net)!.killAtNextTask(1);
      const t0 = performance.now();
      let error: unknown;
      try { net.train(data, { epochs: 2, batchSize: 32, learningRate: 0.5 }); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(BackendError);
      expect(String(error)).toMatch(/helper thread/);
      expect(performance.now() - t0).toBeLessThan(20_000);
      expect(JSON.stringify(net.toJSON())).toBe(json); // restored: weights, biases, generator
      expect(net.threads).toBe(1);
      // It trains on, alone, exactly as a network that never had threads.
      const alone = Network.fromJSON(json);
      net.train(data, { epochs: 1, batchSize: 32, learningRate: 0.5 });
      alone.train(data, { epochs: 1, batchSize: 32, learningRate: 0.5 });
      expect(same(bits(net), bits(alone))).toBe(true);
      net.dispose();
      alone.dispose();
    } finally {
      setThreadTimeout(before);
    }
  });

  it("train by rows with threads (each batch loaded in parts while the helpers start on the first): a bad value in a later part is a DataError naming it, the network exactly as before the call", async () => {
    const net = new Network([784, 128, 10], { seed: 5, threads: 2 }), alone = new Network([784, 128, 10], { seed: 5 });
    await ready(net);
    const x = Float32Array.from(test.inputs), labels = test.labels, pool = poolOf(net)!;
    const options = { epochs: 1, batchSize: 32, learningRate: 0.5, shuffle: false };
    net.train({ inputs: x, labels }, options);
    alone.train({ inputs: x, labels }, options);
    expect(same(bits(net), bits(alone))).toBe(true);
    const json = JSON.stringify(net.toJSON()), pinned = pool.counts.pinned;
    // Row 116: batch 3, sample 20 — the second part of the batch, loaded while the helper runs the first.
    x[116 * 784 + 7] = NaN;
    expect(() => net.train({ inputs: x, labels }, options)).toThrow(/inputs\[116\]\[7\] must be a finite number, received NaN/);
    expect(pool.counts.pinned - pinned).toBeGreaterThan(3); // the batches before it ran on the helpers, by rows
    expect(JSON.stringify(net.toJSON())).toBe(json);
    x[116 * 784 + 7] = 0.5;
    net.train({ inputs: x, labels }, options);
    alone.train({ inputs: x, labels }, options);
    expect(same(bits(net), bits(alone))).toBe(true);
    expect(net.threads).toBe(2);
    net.dispose();
    alone.dispose();
  });

  it("feedforwardBatch with threads: a bad value in the first chunk or a later one (loaded while the helpers run the one before) is a DataError naming it, and the network works on", async () => {
    const net = new Network([784, 64, 10], { seed: 2, threads: 2 }), alone = new Network([784, 64, 10], { seed: 2 });
    await ready(net);
    const x = Float32Array.from(test.inputs), last = x.length / 784 - 1, pool = poolOf(net)!;
    // The forward tasks check their own rows: a bad value in the first chunk, and in the last (chunks before it ran).
    for (const [row, bad] of [[0, Infinity], [last, NaN]]) {
      const jobs = pool.counts.jobs, was = x[row * 784 + 5];
      x[row * 784 + 5] = bad;
      expect(() => net.feedforwardBatch(x)).toThrow(new RegExp(`inputs\\[${row}\\]\\[5\\] must be a finite number, received ${bad}`));
      if (row === 0) expect(pool.counts.jobs - jobs).toBe(1); // it stops at the first chunk
      else expect(pool.counts.jobs - jobs).toBeGreaterThan(1);
      x[row * 784 + 5] = was;
    }
    for (let i = 0; i < 3; i++) {
      const a = new Uint32Array(net.feedforwardBatch(x).buffer), b = new Uint32Array(alone.feedforwardBatch(x).buffer);
      expect(same(a, b)).toBe(true);
    }
    expect(net.threads).toBe(2);
    net.dispose();
    alone.dispose();
  });

  it("feedforwardBatch of [784,30,10] at the default thresholds: the helpers compute part of it (it ran on the calling thread alone below 8 M multiply-adds per job), outputs bit-identical to one thread's", async () => {
    const lowered = THREAD_WORK.min;
    THREAD_WORK.min = defaultMin;
    try {
      const net = new Network([784, 30, 10], { seed: 4, threads: 2 }), alone = new Network([784, 30, 10], { seed: 4 });
      await ready(net);
      const pool = poolOf(net)!, x = digits.train.inputs.subarray(0, 1500 * 784);
      const a = new Uint32Array(net.feedforwardBatch(x).buffer), b = new Uint32Array(alone.feedforwardBatch(x).buffer);
      expect(same(a, b)).toBe(true);
      expect(pool.counts.tasks).toBeGreaterThan(0);
      net.dispose();
      alone.dispose();
    } finally {
      THREAD_WORK.min = lowered;
    }
  });

  it("helper threads spin only briefly after a call: a network with threads that is not computing uses no CPU", async () => {
    const net = new Network([784, 100, 10], { seed: 1, threads: 2 });
    await ready(net);
    net.train(data, { epochs: 1, batchSize: 32 });
    expect(poolOf(net)!.counts.tasks).toBeGreaterThan(0);
    await sleep(50);
    const c0 = process.cpuUsage(), t0 = performance.now();
    await sleep(400);
    const c = process.cpuUsage(c0), wall = performance.now() - t0;
    // A helper that kept spinning would add a whole core (≈ wall) to the process's CPU time.
    expect((c.user + c.system) / 1000).toBeLessThan(wall / 4);
    net.dispose();
  });

  it("dispose() ends the helper threads", async () => {
    await sleep(200);
    const base = osThreads();
    const net = new Network([20, 10, 2], { threads: 4 });
    await ready(net);
    expect(osThreads()).toBeGreaterThanOrEqual(base + 3);
    net.dispose();
    for (let i = 0; i < 100 && osThreads() > base; i++) await sleep(20);
    expect(osThreads()).toBeLessThanOrEqual(base);
  });

  it("a network garbage-collected without dispose() releases its helper threads, and helpers never keep the process alive", async () => {
    const { execFileSync } = await import("node:child_process");
    const { fileURLToPath } = await import("node:url");
    const root = fileURLToPath(new URL("..", import.meta.url));
    // The process exits on its own at the end of the script (helpers are unref'd), printing the thread counts.
    const out = execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", `
      import { readdirSync } from "node:fs";
      const { Network } = await import("./dist/node.js");
      const count = () => readdirSync("/proc/self/task").length;
      const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
      await sleep(200);
      const base = count();
      let net = new Network([20, 10, 2], { threads: 4 });
      net.train({ inputs: new Float32Array(2000), labels: new Uint8Array(100) }, { epochs: 1, batchSize: 50 });
      await sleep(500);
      const running = count();
      net = null;
      for (let i = 0; i < 50 && count() > base; i++) { globalThis.gc(); await sleep(50); }
      console.log(JSON.stringify({ base, running, after: count() }));
      new Network([20, 10, 2], { threads: 3 }); // left running: the process must still exit
    `], { cwd: root, encoding: "utf8", timeout: 30_000 });
    const r = JSON.parse(out.trim());
    expect(r.running).toBeGreaterThanOrEqual(r.base + 3);
    expect(r.after).toBeLessThanOrEqual(r.base);
  });
});
