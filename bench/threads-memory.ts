// What each helper thread costs in resident memory, beyond the network's shared memory.
//   1. one process per thread count (so nothing else differs), the same network trained one epoch;
//   2. in one process, RSS before and after starting 4 helper threads (the pool ready: each has
//      instantiated the threaded module over the shared memory) — the helper's own cost;
//   3. the floor Node imposes: RSS before and after starting 4 worker_threads Workers that run
//      nothing (no resourceLimits) and 4 that run nothing under the helpers' resourceLimits.
// Run: node --import tsx bench/threads-memory.ts  → one JSON line per measurement, then the per-thread figures.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const mib = (b: number) => +(b / 2 ** 20).toFixed(2);
const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const N = 4;

/** RSS (MiB) before and after start() has started N threads and they have settled. */
async function delta(start: () => Promise<void>): Promise<{ beforeMiB: number; afterMiB: number; perThreadMiB: number }> {
  pause(300);
  const before = process.memoryUsage().rss;
  await start();
  await new Promise((r) => setTimeout(r, 500));
  const after = process.memoryUsage().rss;
  return { beforeMiB: mib(before), afterMiB: mib(after), perThreadMiB: mib((after - before) / N) };
}

const mode = process.argv[2];
if (mode === "train") {
  await import("../src/node.js");
  const { Network } = await import("../src/network.js");
  const { Random } = await import("../src/random.js");
  const threads = +process.argv[3];
  const count = 2000, rng = new Random(3);
  const inputs = new Float32Array(count * 784).map(() => rng.next()), labels = new Uint8Array(count).map(() => rng.int(10));
  const net = new Network([784, 512, 512, 10], { seed: 1, threads });
  pause(500); // the helpers start
  net.train({ inputs, labels }, { epochs: 1, batchSize: 64, learningRate: 0.1 });
  console.log(JSON.stringify({ threads: net.threads, rssMiB: mib(process.memoryUsage().rss), peakRssMiB: mib(process.resourceUsage().maxRSS * 1024) }));
} else if (mode === "helpers") {
  await import("../src/node.js");
  const { createThreaded } = await import("../src/threads/index.js");
  const { supports } = await import("../src/wasm.js");
  const build = supports("relaxed") ? "relaxed" : "simd";
  createThreaded(build, 1, {}); // the module compiled, a network's memory of its own: not counted
  const r = await delta(async () => {
    const pool = createThreaded(build, N + 1, {}).raw!;
    while (pool.ready < N) pause(5);
  });
  console.log(JSON.stringify({ case: `${N} helper threads (pool ready)`, ...r }));
} else if (mode === "empty" || mode === "limited") {
  const { Worker } = await import("node:worker_threads");
  // The same limits as src/threads/node.ts gives a helper.
  const resourceLimits = mode === "limited" ? { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8, stackSizeMb: 1 } : undefined;
  const r = await delta(async () => {
    for (let i = 0; i < N; i++) {
      const w = new Worker(`require("node:worker_threads").parentPort.postMessage(0); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);`,
        { eval: true, execArgv: [], resourceLimits, stdout: false, stderr: false });
      await new Promise((ok) => w.once("message", ok));
      w.unref();
    }
  });
  console.log(JSON.stringify({ case: `${N} Workers running nothing${resourceLimits ? ", with the helpers' resourceLimits" : ""}`, ...r }));
  process.exit(0);
} else {
  const script = fileURLToPath(import.meta.url);
  const run = (...args: string[]) => JSON.parse(execFileSync(process.execPath, [...process.execArgv, script, ...args], { encoding: "utf8" }).trim().split("\n").at(-1)!);
  const runs = [1, 2, 4].map((t) => run("train", String(t)));
  for (const r of runs) console.log(JSON.stringify(r));
  const one = runs[0];
  for (const r of runs.slice(1)) console.log(`threads ${r.threads}: +${((r.rssMiB - one.rssMiB) / (r.threads - 1)).toFixed(1)} MiB RSS per helper thread (after one epoch)`);
  for (const m of ["helpers", "limited", "empty"]) {
    const r = run(m);
    console.log(JSON.stringify(r));
    console.log(`${r.case}: +${r.perThreadMiB} MiB RSS per thread`);
  }
}
