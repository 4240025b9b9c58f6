// Threads (src/threads/): what a barrier costs, what a shared memory costs, and — once the
// Network takes `threads` — 2 threads vs 1 end to end (bench/index.ts section 6).
// Run alone: node --experimental-wasm-relaxed-simd --import tsx bench/threads.ts
import { createThreaded, poolOf, type ThreadedBuild } from "../src/threads/index.js";
import { SPIN_MS } from "../src/threads/pool.js";
import { createKernels, supports } from "../src/wasm.js";
import { Random } from "../src/random.js";
import type { Memory } from "../src/kernels.js";
import { timeCall, median, fmt } from "./common.js";

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

export interface BarrierRow {
  case: string;
  /** Median µs per job. */
  us: number;
}

/**
 * The cost of a barrier: a job of one empty task (allFinite over 0 values) that the calling
 * thread leaves to the helper, so the job's time is the round trip publish → helper wakes and
 * claims it → calling thread sees it done. Back to back (the helper is still spinning after
 * the last job, as during training) and spaced 50 µs, 200 µs and 2 ms apart (beyond SPIN_MS the helper sleeps in Atomics.wait).
 */
export function barrierBench(build: ThreadedBuild = supports("relaxed") ? "relaxed" : "simd"): BarrierRow[] {
  const t = createThreaded(build, 2, {});
  const pool = t.raw!;
  while (pool.ready < 1) pause(5);
  const job = () => { pool.begin(); pool.call("allFinite", 1024, 0); pool.run(); };
  const rows: BarrierRow[] = [];
  pool.callerWorks = false;
  // The first jobs of a pool whose helper sleeps: if the calling thread slept too while it waited
  // (it did after 2,000 checks before WAIT_SPIN_MS), every job paid two wake-ups and the pool
  // stayed in that state (≈ 0.5 ms per empty job on this machine, 18:43).
  const fresh: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    job();
    fresh.push((performance.now() - t0) * 1000);
  }
  rows.push({ case: "empty job, run by the helper, the first 200 of a new pool, back to back", us: median(fresh) });
  rows.push({ case: "empty job, run by the helper, back to back (helper spinning)", us: timeCall("barrier hot", job, 300).seconds * 1e6 });
  // Spaced jobs: the calling thread busy (as with its serial work between the jobs of a call)
  // for `gap` ms, then a job. Up to SPIN_MS (src/threads/pool.ts) the helper is still spinning.
  for (const gap of [0.05, 0.2, 2]) {
    const spaced: number[] = [];
    for (let i = 0; i < (gap < 1 ? 1000 : 200); i++) {
      for (const until = performance.now() + gap; performance.now() < until;);
      const t0 = performance.now();
      job();
      spaced.push((performance.now() - t0) * 1000);
    }
    rows.push({ case: `empty job, run by the helper, ${gap * 1000} µs after the last (helper ${gap > SPIN_MS ? "asleep" : "spinning"})`, us: median(spaced) });
  }
  pool.callerWorks = true;
  rows.push({ case: "empty job of 2 tasks, the calling thread working too, back to back", us: timeCall("barrier 2", () => {
    pool.begin(); pool.call("allFinite", 1024, 0); pool.endTask(); pool.call("allFinite", 1024, 0); pool.run();
  }, 300).seconds * 1e6 });
  pool.close();
  return rows;
}

/**
 * Bump allocation in a memory from `base`, each block at a multiple of `align` bytes with `align`
 * bytes after it, the memory grown as needed: alloc(n, lo, hi) fills n floats uniform in [lo, hi)
 * from rng and returns their byte offset.
 */
function bump(memory: Memory, base: number, rng: Random, align: number) {
  let top = base;
  return (n: number, lo = -1, hi = 1): number => {
    const p = top;
    top += Math.ceil((n * 4) / align) * align + align;
    const need = top - memory.buffer.byteLength;
    if (need > 0) memory.grow(Math.ceil(need / 65536));
    const F = new Float32Array(memory.buffer, p, n);
    for (let i = 0; i < n; i++) F[i] = lo + (hi - lo) * rng.next();
    return p;
  };
}

export interface SharedRow {
  kernel: string;
  shape: string;
  plainUs: number;
  sharedUs: number;
}

/** One thread, the same kernels: the plain build (own memory) vs the threaded build (shared, imported memory). */
export function sharedVsPlain(build: ThreadedBuild = supports("relaxed") ? "relaxed" : "simd"): SharedRow[] {
  const rows: SharedRow[] = [];
  for (const [nIn, nOut, m] of [[784, 30, 10], [784, 512, 64], [512, 512, 64], [784, 30, 256]]) {
    const plain = createKernels(`wasm-${build}`, "bench");
    const shared = createThreaded(build, 1, {});
    const sets = [
      { e: plain as unknown as Record<string, (...a: number[]) => number>, memory: plain.memory, base: plain.heapBase() },
      { e: shared.exports as Record<string, (...a: number[]) => number>, memory: shared.memory, base: (shared.exports.heapBase as () => number)() },
    ].map(({ e, memory, base }) => {
      const alloc = bump(memory, base, new Random(nIn + nOut + m), 64);
      const w = alloc(nOut * nIn, -0.1, 0.1), b = alloc(nOut), x = alloc(m * nIn, 0, 1), a = alloc(m * nOut, 0.01, 0.99);
      const d = alloc(m * nOut, -0.1, 0.1), dPrev = alloc(m * nIn);
      return { e, w, b, x, a, d, dPrev };
    });
    for (const kernel of ["forward", "bp2", "bp4sgd"]) {
      const us = sets.map(({ e, w, b, x, a, d, dPrev }) => {
        const fn = kernel === "forward" ? () => e.forward(a, w, b, x, nIn, nOut, m, 0)
          : kernel === "bp2" ? () => e.bp2(dPrev, d, w, x, nIn, nOut, m, 0)
          : () => e.bp4sgd(w, b, d, x, nIn, nOut, m, 1e-9, 1, 0);
        return timeCall(kernel, fn, 150).seconds * 1e6;
      });
      rows.push({ kernel, shape: `${nIn}×${nOut}, m=${m}`, plainUs: us[0], sharedUs: us[1] });
    }
  }
  return rows;
}


export interface StoreCosts {
  /** Rows copied per measurement (feedforwardBatch's chunk for [784,30,10] on 2 threads) and floats per row. */
  rows: number;
  nIn: number;
  /** Median µs to copy them from a plain Float32Array into the shared memory: lines this thread had written last, the helper idle. */
  ownUs: number;
  /** The same while the helper computes on other memory (what the memory's bandwidth costs). */
  besideUs: number;
  /** Into lines the helper had read last (its job before): what coherence costs. */
  remoteUs: number;
}

/**
 * What a store costs on lines another core has read. Only the calling thread can copy the
 * caller's arrays into the network's memory (they are not shared), and every row a helper
 * computes on is a row whose lines the next copy into that place must take back from the
 * helper's caches. Three copies of 1,008 rows × 784 floats into shared memory, as
 * feedforwardBatch loads a chunk: into lines this thread wrote last; the same while the helper
 * streams other memory; into lines the helper read in its last job.
 */
export function crossCoreStores(build: ThreadedBuild = supports("relaxed") ? "relaxed" : "simd"): StoreCosts {
  const t = createThreaded(build, 2, {});
  const pool = t.raw!;
  while (pool.ready < 1) pause(5);
  const e = t.exports as Record<string, (...a: number[]) => number>, rows = 1008, nIn = 784;
  const alloc = bump(t.memory, (e.heapBase as unknown as () => number)(), new Random(11), 4096);
  const w = alloc(30 * nIn, -0.1, 0.1), b = alloc(30), out = alloc(30 * rows), X = alloc(rows * nIn), Y = alloc(rows * nIn), Z = alloc(rows * nIn);
  const rng = new Random(12), src = new Float32Array(9 * rows * nIn).map(() => rng.next());
  let k = 0;
  const copy = (to: number) => {
    const from = (k++ % 9) * rows * nIn, t0 = performance.now();
    new Float32Array(t.memory.buffer).set(src.subarray(from, from + rows * nIn), to >>> 2);
    return (performance.now() - t0) * 1000;
  };
  // The helper alone runs forward over `at` (the calling thread takes no task); `wait`: until it is done.
  const helperReads = (at: number, wait: boolean) => {
    pool.callerWorks = false;
    pool.begin().call("forward", out, w, b, at, nIn, 30, rows, 0);
    if (wait) pool.run();
    else pool.start();
    pool.callerWorks = true;
  };
  const own: number[] = [], beside: number[] = [], remote: number[] = [];
  for (let r = 0; r < 30; r++) {
    own.push(copy(X));
    helperReads(Y, false);
    beside.push(copy(X));
    pool.callerWorks = false;
    pool.finish();
    pool.callerWorks = true;
    helperReads(Z, true);
    remote.push(copy(Z));
  }
  pool.close();
  return { rows, nIn, ownUs: median(own), besideUs: median(beside), remoteUs: median(remote) };
}

/**
 * The most 2 threads can give feedforwardBatch when the calling thread copies every row (at
 * ownUs per chunk of rows it computes on, remoteUs per chunk the helper computes on) and the
 * threads share the rest, from one thread's time t1 (ms) for `count` rows: with K = t1 − the
 * copy at ownUs, the helper's share f balances f·K = (1 − f)·K + copy(f).
 */
export function copyBound(t1: number, count: number, c: StoreCosts): number {
  const n = count / c.rows, co = c.ownUs / 1000, cr = c.remoteUs / 1000, K = t1 - n * co;
  const f = (K + n * co) / (2 * K + n * co - n * cr);
  return t1 / (f * K);
}

export interface ScalingRow {
  kernel: string;
  /** Median µs of one call alone, and of a job in which every thread makes the same call on memory of its own. */
  aloneUs: number;
  bothUs: number;
  /** threads × alone ÷ both: what the machine gives independent threads right now (2.0 on 2 free cores). */
  scaling: number;
}

/**
 * The machine's own scaling at this moment: each thread runs the same kernel on its own copy of
 * the data (nothing shared, nothing to synchronize but one barrier per job), against one call
 * alone. No split can beat this; on this VM it moves with the host's load (BENCHMARKS.md), so
 * the report shows it next to the end-to-end ratios, measured in the same run.
 */
export function machineScaling(build: ThreadedBuild = supports("relaxed") ? "relaxed" : "simd", threads = 2): ScalingRow[] {
  const t = createThreaded(build, threads, {});
  const pool = t.raw!;
  while (pool.ready < threads - 1) pause(5);
  const e = t.exports as Record<string, (...a: number[]) => number>, memory = t.memory;
  const alloc = bump(memory, (e.heapBase as unknown as () => number)(), new Random(7), 4096);
  const nIn = 784, nOut = 512, m = 64;
  const sets = Array.from({ length: threads }, () => ({
    w: alloc(nOut * nIn, -0.1, 0.1), b: alloc(nOut, -0.1, 0.1), x: alloc(m * nIn, 0, 1), a: alloc(m * nOut, -0.1, 0.1), d: alloc(m * nOut, -0.1, 0.1),
  }));
  // Per kernel: the call alone on set 0 (this thread's instance), and the same call as a pool task on set i.
  const s0 = sets[0];
  const kernels: [string, () => void, (i: number) => void][] = [
    ["forward 784×512, m=64", () => e.forward(s0.a, s0.w, s0.b, s0.x, nIn, nOut, m, 0),
      (i) => pool.call("forward", sets[i].a, sets[i].w, sets[i].b, sets[i].x, nIn, nOut, m, 0)],
    ["bp4sgd 784×512, m=64", () => e.bp4sgd(s0.w, s0.b, s0.d, s0.x, nIn, nOut, m, 1e-9, 1, 0),
      (i) => pool.call("bp4sgdRows", sets[i].w, sets[i].b, sets[i].d, sets[i].x, nIn, nOut, m, 1e-9, 1, 0, 0, nOut, 0)],
  ];
  const rows: ScalingRow[] = [];
  for (const [kernel, call, task] of kernels) {
    const alone: number[] = [], both: number[] = [];
    for (let r = 0; r < 5; r++) {
      for (let k = 0; k < 40; k++) {
        const t0 = performance.now();
        call();
        alone.push((performance.now() - t0) * 1000);
      }
      for (let k = 0; k < 40; k++) {
        const t0 = performance.now();
        pool.begin();
        for (let i = 0; i < threads; i++) {
          task(i);
          pool.endTask();
        }
        pool.runPinned();
        both.push((performance.now() - t0) * 1000);
      }
    }
    const a = median(alone), b = median(both);
    rows.push({ kernel, aloneUs: a, bothUs: b, scaling: (threads * a) / b });
  }
  pool.close();
  return rows;
}

// ---- end to end: 2 threads vs 1 in one process ------------------------------------------------

export interface ThreadRow {
  case: string;
  /** Samples per second, median of the rounds, for each setting. */
  one: number;
  two: number;
  /** Median over the rounds of (threads ÷ 1 thread) in each round: a round's two figures are taken back to back, so drift in the machine's speed between rounds cancels. */
  ratio: number;
  /** What the second setting resolved to (net.threads). */
  threads: number;
  /**
   * Process CPU time per sample with more threads ÷ with 1 (medians): 1.0 = no extra work; what a
   * split adds (spinning, idle waits, the threads' shares of a job) shows here even when the
   * wall clock is noisy. Speed-up ÷ threads is the parallel efficiency.
   */
  cpuRatio: number;
  /** Same seed, same data: bit-identical weights (training) or outputs (inference) with 1 thread and with more. */
  identical: boolean;
  load: number[];
}

type Net = import("../src/network.js").Network;

/** Waits (up to 10 s) until a network's helper threads serve jobs: they start in the background. */
function ready(net: Net): void {
  const pool = poolOf(net);
  for (let i = 0; pool && pool.ready < pool.size - 1 && i < 2000; i++) pause(5);
}

/**
 * Training rates (samples/s per epoch, as Network.train reports them) and feedforwardBatch rates,
 * one network per setting, alternating rounds so that load from elsewhere hits both alike; the ratio
 * is the median of the rounds' ratios (each of two figures taken back to back).
 */
export async function threadRows(split: import("../src/data/mnist.js").Split, quick = false): Promise<ThreadRow[]> {
  const { Network } = await import("../src/network.js");
  const { loadavg } = await import("node:os");
  const rows: ThreadRow[] = [];
  const rounds = quick ? 2 : 9;
  const paired = (r: number[][]) => median(r[1].map((two, i) => two / r[0][i]));
  const bits = (net: Net) => new Uint32Array(new Float32Array(net.weights.flat(2)).buffer);
  const train: [string, number[], number, number, number, number | "auto"][] = [
    ["train [784,512,512,10] m=64", [784, 512, 512, 10], 64, 2000, 0.5, 2],
    ["train [784,100,10] m=32", [784, 100, 10], 32, 8000, 3, 2],
    ["train [784,30,10] m=10", [784, 30, 10], 10, 8000, 3, "auto"],
  ];
  for (const [name, sizes, m, samples, eta, threads] of train) {
    const data = { inputs: split.train.inputs.subarray(0, samples * 784), labels: split.train.labels.subarray(0, samples) };
    const nets = [new Network(sizes, { seed: 1, threads: 1 }), new Network(sizes, { seed: 1, threads })];
    ready(nets[1]);
    const rates: number[][] = [[], []], cpu: number[][] = [[], []];
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < 2; i++) {
        const c0 = process.cpuUsage();
        const h = nets[i].train(data, { epochs: 2, batchSize: m, learningRate: eta });
        const c = process.cpuUsage(c0);
        rates[i].push(h[1].samplesPerSecond); // the second epoch: the first warms up
        cpu[i].push((c.user + c.system) / (2 * samples));
      }
    }
    const a = bits(nets[0]), b = bits(nets[1]);
    const one = median(rates[0]), two = median(rates[1]);
    rows.push({ case: `${name}, threads: ${JSON.stringify(threads)} vs 1`, one, two, ratio: paired(rates), threads: nets[1].threads,
      cpuRatio: median(cpu[1]) / median(cpu[0]), identical: a.length === b.length && a.every((v, i) => v === b[i]), load: loadavg() });
    for (const n of nets) n.dispose();
  }
  const all = new Float32Array(10_000 * 784);
  all.set(split.train.inputs.subarray(0, 8000 * 784), 0);
  all.set(split.test.inputs.subarray(0, 2000 * 784), 8000 * 784);
  for (const sizes of [[784, 30, 10], [784, 512, 512, 10]]) {
    const nets = [new Network(sizes, { seed: 1, threads: 1 }), new Network(sizes, { seed: 1, threads: 2 })];
    ready(nets[1]);
    const outs = nets.map((n) => n.feedforwardBatch(all));
    const rates: number[][] = [[], []], cpu: number[][] = [[], []];
    for (let r = 0; r < rounds * 2; r++) {
      for (let i = 0; i < 2; i++) {
        const c0 = process.cpuUsage(), t0 = performance.now();
        nets[i].feedforwardBatch(all, outs[i]);
        rates[i].push(10_000 / ((performance.now() - t0) / 1000));
        const c = process.cpuUsage(c0);
        cpu[i].push(c.user + c.system);
      }
    }
    const a = new Uint32Array(outs[0].buffer), b = new Uint32Array(outs[1].buffer);
    const one = median(rates[0]), two = median(rates[1]);
    rows.push({ case: `feedforwardBatch ${JSON.stringify(sizes)}, 10,000 digits, threads: 2 vs 1`, one, two, ratio: paired(rates),
      threads: nets[1].threads, cpuRatio: median(cpu[1]) / median(cpu[0]), identical: a.every((v, i) => v === b[i]), load: loadavg() });
    for (const n of nets) n.dispose();
  }
  return rows;
}

/** The threads section of the report (markdown lines). */
export function threadsReport(barrier: BarrierRow[], shared: SharedRow[], rows: ThreadRow[], scaling: ScalingRow[] = [], stores: StoreCosts | null = null): string[] {
  const out: string[] = [];
  out.push("### Threads (2 threads vs 1 in one process; bench/threads.ts)", "");
  out.push("| case | 1 thread (samples/s) | threads (samples/s) | ratio | CPU time ratio | net.threads | bit-identical | load (1/5/15 min) |", "|---|---:|---:|---:|---:|---:|---|---|");
  for (const r of rows) {
    out.push(`| ${r.case} | ${fmt(r.one)} | ${fmt(r.two)} | ${r.ratio.toFixed(2)}× | ${r.cpuRatio.toFixed(2)} | ${r.threads} | ${r.identical ? "yes" : "NO"} | ${r.load.map((x) => x.toFixed(2)).join(" / ")} |`);
  }
  if (scaling.length) {
    out.push("", "The machine's own scaling in this run (each thread the same call on memory of its own; machineScaling):", "");
    for (const r of scaling) out.push(`- ${r.kernel}: ${r.aloneUs.toFixed(0)} µs alone, ${r.bothUs.toFixed(0)} µs on each of 2 threads at once: ${r.scaling.toFixed(2)}×`);
  }
  if (stores) {
    out.push("", `Stores on lines another core has read (crossCoreStores: ${fmt(stores.rows)} rows × ${stores.nIn} floats copied into the shared memory, median µs):`, "");
    out.push(`- into lines this thread wrote last: ${stores.ownUs.toFixed(0)} µs; the same while the helper streams other memory: ${stores.besideUs.toFixed(0)} µs; into lines the helper read last: ${stores.remoteUs.toFixed(0)} µs (${(stores.remoteUs / stores.ownUs).toFixed(1)}×)`);
    const ffb = rows.find((r) => r.case.startsWith("feedforwardBatch [784,30,10]"));
    if (ffb) {
      out.push(`- so feedforwardBatch [784,30,10] on 2 threads reaches at most ${copyBound(10_000 / ffb.one * 1000, 10_000, stores).toFixed(2)}× here (copyBound: the calling thread copies every row, each row the helper computes on at the cost above, the rest shared perfectly); measured ${ffb.ratio.toFixed(2)}×`);
    }
  }
  out.push("", "Barrier (median µs per job):", "");
  for (const b of barrier) out.push(`- ${b.case}: ${b.us.toFixed(2)} µs`);
  out.push("", "Shared (threaded build, imported shared memory) vs plain memory, one thread, µs per call:", "");
  out.push("| kernel | shape | plain | shared | shared/plain |", "|---|---|---:|---:|---:|");
  for (const r of shared) out.push(`| ${r.kernel} | ${r.shape} | ${r.plainUs.toFixed(1)} | ${r.sharedUs.toFixed(1)} | ${(r.sharedUs / r.plainUs).toFixed(3)} |`);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await import("../src/node.js");
  const { loadavg } = await import("node:os");
  const { mnistSplit } = await import("../src/data/mnist.js");
  const start = loadavg();
  const barrier = barrierBench(), shared = sharedVsPlain(), before = machineScaling(), stores = crossCoreStores();
  const rows = await threadRows(mnistSplit(8000, 2000, 0), !!process.env.BENCH_QUICK);
  const after = machineScaling(), tag = (r: ScalingRow, when: string) => ({ ...r, kernel: `${r.kernel}, ${when} the rows` });
  const scaling = [...before.map((r) => tag(r, "before")), ...after.map((r) => tag(r, "after"))];
  console.log(`Threads run of ${new Date().toISOString()}; load at start ${start.map((x) => x.toFixed(2)).join(" / ")}, at end ${loadavg().map((x) => x.toFixed(2)).join(" / ")}`);
  console.log("");
  console.log(threadsReport(barrier, shared, rows, scaling, stores).join("\n"));
}
