// This checkout against another (e.g. the main branch before a change), in ONE process, rounds
// alternating, so machine load hits both alike: the training rows of npm run bench (whole epochs
// of Network.train, per-epoch rates as EpochStats report them) for the small and the large net.
// Besides the wall-clock rates, the training thread's CPU time per epoch (Linux schedstat, read
// at each onEpoch; V8's background threads not included): load from elsewhere makes a thread
// wait for a core, which wall time counts and CPU time does not, so the CPU ratio is the
// steadier one on a shared machine.
// Run: node --experimental-wasm-relaxed-simd --import tsx bench/compare.ts /path/to/other/checkout [backend]
// Env: COMPARE_ROUNDS (default 4), COMPARE_M100=1 adds [784,30,10] m=100, COMPARE_ONLY=small runs the small net only.
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import "../src/node.js";
import { Network } from "../src/network.js";
import { mnistSplit } from "../src/data/mnist.js";
import { median } from "./common.js";

const other = process.argv[2];
const backend = (process.argv[3] ?? "wasm") as "wasm";
if (!other) throw new Error("usage: bench/compare.ts /path/to/other/checkout [backend]");
const lib = (p: string) => pathToFileURL(join(other, "src", p)).href;
await import(lib("node.ts"));
const Other = (await import(lib("network.ts"))).Network as typeof Network;
const split = mnistSplit(8000, 2000, 0);
const rounds = Number(process.env.COMPARE_ROUNDS ?? 4);
const cases = [
  { name: "[784,30,10] m=10", sizes: [784, 30, 10], m: 10, eta: 3, n: 8000, epochs: 5 },
  ...(process.env.COMPARE_ONLY === "small" ? [] : [{ name: "[784,512,512,10] m=64", sizes: [784, 512, 512, 10], m: 64, eta: 0.5, n: 2000, epochs: 2 }]),
  ...(process.env.COMPARE_M100 ? [{ name: "[784,30,10] m=100", sizes: [784, 30, 10], m: 100, eta: 3, n: 8000, epochs: 5 }] : []),
];
/**
 * CPU seconds this thread has run so far: Linux schedstat, read just after a 20 µs sleep (the
 * kernel brings a running thread's figure up to date only at a tick or a switch, so without the
 * sleep it lags by up to a tick, 4 ms here); elsewhere the process's CPU time (every thread).
 */
const pause = new Int32Array(new SharedArrayBuffer(4));
const cpuNow = (): number => {
  try {
    Atomics.wait(pause, 0, 0, 0.02);
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e9;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
};
for (const c of cases) {
  const data = { inputs: split.train.inputs.subarray(0, c.n * 784), labels: split.train.labels.subarray(0, c.n) };
  const rates: Record<string, number[]> = { here: [], other: [] }, cpu: Record<string, number[]> = { here: [], other: [] };
  for (let round = 0; round < rounds; round++) {
    const order = [["here", Network], ["other", Other]] as const;
    for (const [k, N] of round % 2 ? [...order].reverse() : order) {
      const net = new N(c.sizes, { seed: 1, backend, init: c.sizes.length === 3 ? "nielsen" : "scaled" });
      let last = cpuNow();
      const onEpoch = (s: { epoch: number }) => {
        const t = cpuNow();
        if (s.epoch > 0) cpu[k].push(c.n / (t - last)); // the first epoch warms up, as for the wall-clock rates
        last = t;
      };
      const h = net.train(data, { epochs: c.epochs + 1, batchSize: c.m, learningRate: c.eta, onEpoch });
      rates[k].push(...h.slice(1).map((s) => s.samplesPerSecond));
      net.dispose();
    }
  }
  const a = median(rates.here), b = median(rates.other), ca = median(cpu.here), cb = median(cpu.other);
  console.log(`${c.name.padEnd(24)} here ${Math.round(a)} samples/s, other ${Math.round(b)} samples/s: ${(100 * a / b).toFixed(1)}%` +
    (Number.isFinite(ca) ? `   per CPU second: here ${Math.round(ca)}, other ${Math.round(cb)}: ${(100 * ca / cb).toFixed(1)}%` : ""));
}
