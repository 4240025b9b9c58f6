// Speed as the caller sees it (issue 11): public calls timed end to end, as ratios in one run.
//   1. train(data, { epochs: 1 }) per call, on a Dataset, zero-copy tensors and raw
//      { input: Float32Array, output } samples, against the per-epoch rate of one 10-epoch call
//   2. evaluate over 8,000 digits against feedforwardBatch on the same rows
//   3. NetworkWorker epochs against in-thread epochs on the same Dataset (needs dist/: npm run build),
//      with the training thread's CPU time per call as a check that load does not skew
// [784,30,10], m = 10, η = 3, sigmoid, quadratic cost, the 8,000 digits of mnistSplit(8000, 2000, 0).
// Rounds alternate the cases, so a burst of load from elsewhere hits them alike; medians.
// Run: node --experimental-wasm-relaxed-simd --import tsx bench/calls.ts [backend]   (also part of npm run bench)
//      … bench/calls.ts worker [rounds] [backend]   the NetworkWorker row alone (needs npm run build)
import { fileURLToPath } from "node:url";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mnistSplit, type Split } from "../src/data/mnist.js";
import { Network } from "../src/network.js";
import { dataset, type Dataset } from "../src/dataset.js";
import { NetworkWorker } from "../src/worker/index.js";
import { median } from "./common.js";

export interface CallRow {
  what: string;
  /** Samples per second of the call (median over rounds). */
  rate: number;
  /** The rate it is compared with, and the ratio. */
  against: string;
  reference: number;
  ratio: number;
  target: string;
  /** NetworkWorker only: the process's CPU time per call (every thread), in-thread ÷ worker: steadier than wall time under load. */
  cpuRatio?: number;
  /** NetworkWorker only: ms per call the worker's thread was neither running nor waiting for a core (asleep; Linux). */
  workerIdleMs?: number;
}

const opts = { batchSize: 10, learningRate: 3 };
const make = (backend: string) => new Network([784, 30, 10], { seed: 1, backend: backend as "wasm", init: "nielsen" });

export async function callBench(split: Split, backend = "wasm", rounds = 7): Promise<CallRow[]> {
  const n = split.train.labels.length;
  const tensors = { inputs: split.train.inputs, labels: split.train.labels };
  const samples = Array.from({ length: n }, (_, i) => ({ input: tensors.inputs.subarray(i * 784, (i + 1) * 784), output: tensors.labels[i] }));
  const prepared = dataset(tensors, { inputs: 784, outputs: 10 });
  const wall = (f: () => void) => { const t0 = performance.now(); f(); return (performance.now() - t0) / 1000; };
  const r: Record<string, number[]> = { ten: [], tenDs: [], prep: [], zero: [], raw: [], evalT: [], evalD: [], ffb: [] };
  const net = make(backend);
  net.train(prepared, { epochs: 1, ...opts }); // warm-up (tier-up)
  const out = new Float32Array(n * 10);
  for (let round = 0; round < rounds; round++) {
    r.ten.push((10 * n) / wall(() => net.train(tensors, { epochs: 10, ...opts })));
    r.tenDs.push((10 * n) / wall(() => net.train(prepared, { epochs: 10, ...opts })));
    r.prep.push(n / wall(() => net.train(prepared, { epochs: 1, ...opts })));
    r.zero.push(n / wall(() => net.train(tensors, { epochs: 1, ...opts })));
    r.raw.push(n / wall(() => net.train(samples, { epochs: 1, ...opts })));
    for (let i = 0; i < 3; i++) {
      r.ffb.push(n / wall(() => net.feedforwardBatch(tensors.inputs, out)));
      r.evalT.push(n / wall(() => net.evaluate(tensors)));
      r.evalD.push(n / wall(() => net.evaluate(prepared)));
    }
  }
  net.dispose();
  const m = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, median(v)]));
  const rows: CallRow[] = [
    { what: "train(Dataset, { epochs: 1 })", rate: m.prep, against: "train(Dataset, { epochs: 10 }) per epoch", reference: m.tenDs, ratio: m.prep / m.tenDs, target: "≥ 90%" },
    { what: "train({ inputs, labels }, { epochs: 1 }) (zero-copy tensors)", rate: m.zero, against: "train(tensors, { epochs: 10 }) per epoch", reference: m.ten, ratio: m.zero / m.ten, target: "≥ 90%" },
    { what: "train([{ input: Float32Array, output }], { epochs: 1 }) (raw samples)", rate: m.raw, against: "train(tensors, { epochs: 10 }) per epoch", reference: m.ten, ratio: m.raw / m.ten, target: "≥ 75%" },
    { what: "evaluate({ inputs, labels })", rate: m.evalT, against: "feedforwardBatch(inputs, out)", reference: m.ffb, ratio: m.evalT / m.ffb, target: "≥ 85%" },
    { what: "evaluate(Dataset)", rate: m.evalD, against: "feedforwardBatch(inputs, out)", reference: m.ffb, ratio: m.evalD / m.ffb, target: "≥ 85%" },
  ];
  // NetworkWorker: the same Dataset, 5 epochs per call, against in-thread calls.
  const w = await workerRow(prepared, n, backend, 2 * rounds + 1);
  if (w) rows.push(w);
  return rows;
}

/**
 * NetworkWorker.train(Dataset, { epochs: 5 }) against Network.train on the same Dataset, each
 * timed as the caller sees it (from the call to its result), alternating which goes first in
 * each round; medians. Also the process's CPU time per call (process.cpuUsage, every thread),
 * which load from elsewhere inflates less than wall-clock time, and (Linux) how long the
 * worker's thread slept during a call. Null without dist/ (npm run build).
 */
export async function workerRow(prepared: Dataset, n: number, backend: string, rounds: number): Promise<CallRow | null> {
  const entry = new URL("../dist/worker/entry.js", import.meta.url);
  if (!existsSync(fileURLToPath(entry))) return null;
  const w = await NetworkWorker.create([784, 30, 10], { seed: 1, backend: backend as "wasm", init: "nielsen", worker: entry });
  const local = make(backend);
  // The same build on both sides (V8 flags such as relaxed SIMD are per process; a Worker inherits execArgv).
  if (w.backend !== local.backend) throw new Error(`the worker computes with ${w.backend}, this thread with ${local.backend}`);
  await w.train(prepared, { epochs: 2, ...opts }); // sends the data set once, warms up
  local.train(prepared, { epochs: 2, ...opts });
  const rate: Record<"w" | "l", number[]> = { w: [], l: [] }, cpu: Record<"w" | "l", number[]> = { w: [], l: [] }, idle: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const k of round % 2 ? (["l", "w"] as const) : (["w", "l"] as const)) {
      const c0 = threadTimes(), u0 = process.cpuUsage(), t0 = performance.now();
      if (k === "w") await w.train(prepared, { epochs: 5, ...opts });
      else local.train(prepared, { epochs: 5, ...opts });
      const ms = performance.now() - t0, u = process.cpuUsage(u0);
      rate[k].push((5 * n) / (ms / 1000));
      cpu[k].push((u.user + u.system) / 1000);
      const c = k === "w" ? workerTimes(c0, threadTimes()) : null;
      if (c !== null) idle.push(ms - c.run - c.wait);
    }
  }
  w.terminate();
  local.dispose();
  const cpuRatio = median(cpu.l) / median(cpu.w);
  return { what: "NetworkWorker.train(Dataset, { epochs: 5 })", rate: median(rate.w), against: "Network.train(Dataset, { epochs: 5 }) in-thread",
    reference: median(rate.l), ratio: median(rate.w) / median(rate.l), target: "≥ 95%", cpuRatio,
    workerIdleMs: idle.length === rounds ? median(idle) : undefined };
}

/** Nanoseconds each thread of this process has run and waited for a core so far (Linux /proc/self/task/<tid>/schedstat), or null elsewhere. */
function threadTimes(): Map<string, [number, number]> | null {
  try {
    const m = new Map<string, [number, number]>();
    for (const t of readdirSync("/proc/self/task")) {
      const [run, wait] = readFileSync(`/proc/self/task/${t}/schedstat`, "utf8").split(" ").map(Number);
      m.set(t, [run, wait]);
    }
    return m;
  } catch {
    return null;
  }
}

/**
 * Run and wait ms between two readings of the busiest thread but the main one: the worker's,
 * which trains during the call. Exact here because that thread is asleep at both readings
 * (schedstat of a running thread lags by up to a scheduler tick).
 */
function workerTimes(a: ReturnType<typeof threadTimes>, b: ReturnType<typeof threadTimes>): { run: number; wait: number } | null {
  if (!a || !b) return null;
  let run = 0, wait = 0;
  for (const [t, [r, w]] of b) {
    const [r0, w0] = a.get(t) ?? [0, 0];
    if (t !== String(process.pid) && r - r0 > run) [run, wait] = [r - r0, w - w0];
  }
  return { run: run / 1e6, wait: wait / 1e6 };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await import("../src/node.js");
  // `worker [rounds]`: the NetworkWorker row alone (default 21 rounds).
  const only = process.argv[2] === "worker", backend = (only ? process.argv[4] : process.argv[2]) ?? "wasm";
  const split = mnistSplit(8000, 2000, 0);
  const rows = only
    ? [await workerRow(dataset({ inputs: split.train.inputs, labels: split.train.labels }, { inputs: 784, outputs: 10 }), 8000, backend, +(process.argv[3] ?? 21))]
        .filter((r): r is CallRow => r !== null)
    : await callBench(split, backend);
  for (const r of rows) console.log(`${r.what.padEnd(72)} ${Math.round(r.rate).toString().padStart(8)} samples/s  ${(100 * r.ratio).toFixed(1)}% of ${r.against} (${Math.round(r.reference)})  target ${r.target}` +
    (r.cpuRatio !== undefined ? `  (process CPU time per call, in-thread ÷ worker: ${(100 * r.cpuRatio).toFixed(1)}%; the worker asleep ${r.workerIdleMs?.toFixed(2)} ms a call)` : ""));
}
