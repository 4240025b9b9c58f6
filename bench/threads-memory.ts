// What each helper thread costs in resident memory, beyond the network's shared memory: one
// process per thread count (so nothing else differs), the same network trained one epoch.
// Run: node --import tsx bench/threads-memory.ts  → prints one JSON line per thread count, then the per-thread figure.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const mib = (b: number) => +(b / 2 ** 20).toFixed(1);

if (process.argv[2]) {
  await import("../src/node.js");
  const { Network } = await import("../src/network.js");
  const { Random } = await import("../src/random.js");
  const threads = +process.argv[2];
  const count = 2000, rng = new Random(3);
  const inputs = new Float32Array(count * 784).map(() => rng.next()), labels = new Uint8Array(count).map(() => rng.int(10));
  const net = new Network([784, 512, 512, 10], { seed: 1, threads });
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500); // the helpers start
  net.train({ inputs, labels }, { epochs: 1, batchSize: 64, learningRate: 0.1 });
  console.log(JSON.stringify({ threads: net.threads, rssMiB: mib(process.memoryUsage().rss), peakRssMiB: mib(process.resourceUsage().maxRSS * 1024) }));
} else {
  const script = fileURLToPath(import.meta.url);
  const runs = [1, 2, 4].map((t) => JSON.parse(execFileSync(process.execPath, [...process.execArgv, script, String(t)], { encoding: "utf8" }).trim().split("\n").at(-1)!));
  for (const r of runs) console.log(JSON.stringify(r));
  const one = runs[0];
  for (const r of runs.slice(1)) console.log(`threads ${r.threads}: +${((r.rssMiB - one.rssMiB) / (r.threads - 1)).toFixed(1)} MiB RSS per helper thread`);
}
