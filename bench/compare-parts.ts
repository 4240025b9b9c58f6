// Where a training-rate difference between this checkout and another comes from, in ONE process,
// rounds alternating, CPU time per round (process.cpuUsage), medians — two parts measured apart:
//   kernels   the wasm kernel calls of one [784,30,10] m=10 SGD mini-batch (forward ×2, cost, BP1,
//             BP2, fused BP3/BP4/step ×2), 800 batches a round, each tree's own build, one buffer
//             layout: what the kernels cost without any JS around them;
//   JS side   Network.train on the 8,000 digits with every math kernel stubbed out (memory,
//             heapBase and allFinite stay real; cost returns 0): what the epoch loop, the loading
//             of rows and the per-batch bookkeeping cost per epoch without the math.
// The two add up to an epoch (bench/compare.ts measures the whole). The stubs replace
// WebAssembly.Instance's exports for this process only, after the kernels part has run.
// Run: node --experimental-wasm-relaxed-simd --import tsx bench/compare-parts.ts /path/to/other/checkout [build]
// Env: PARTS_ROUNDS (default 60 kernel rounds; a third of that for the JS side).
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { median } from "./common.js";

const other = process.argv[2];
if (!other) throw new Error("usage: bench/compare-parts.ts /path/to/other/checkout [relaxed|simd|scalar]");
const build = process.argv[3] ?? "relaxed";
const here = join(new URL(".", import.meta.url).pathname, "..");
const rounds = Number(process.env.PARTS_ROUNDS ?? 60);
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const src = (root: string, p: string) => pathToFileURL(join(root, "src", p)).href;
/** A build's bytes: hex (this tree) or base64 (trees before the hex change). */
const bytes = (s: string): Uint8Array<ArrayBuffer> => {
  if (!s.startsWith("0061736d")) return new Uint8Array(Buffer.from(s, "base64"));
  const b = new Uint8Array(s.length >> 1);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return b;
};

/** One mini-batch of kernel calls on a fresh instance of a tree's build: [784,30,10], m = 10, sigmoid, quadratic cost. */
async function batchOf(root: string): Promise<() => void> {
  const hex = (await import(src(root, `generated/wasm-${build}.ts`))).default as string;
  const e = new WebAssembly.Instance(new WebAssembly.Module(bytes(hex)), {}).exports as Record<string, (...a: number[]) => number> & { memory: WebAssembly.Memory };
  const m = 10;
  let p = (e.heapBase() + 4095) & ~4095;
  const alloc = (floats: number) => { const a = p; p += (floats * 4 + 63) & ~63; return a; };
  const w = [alloc(784 * 30), alloc(30 * 10)], b = [alloc(30), alloc(10)];
  const a = [alloc(m * 784), alloc(m * 30), alloc(m * 10)], y = alloc(m * 10), d = [alloc(m * 30), alloc(m * 10)];
  if (p > e.memory.buffer.byteLength) e.memory.grow(Math.ceil((p - e.memory.buffer.byteLength) / 65536));
  const F = new Float32Array(e.memory.buffer);
  let s = 1;
  const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < 784 * 30; i++) F[(w[0] >> 2) + i] = (rnd() - 0.5) * 0.1;
  for (let i = 0; i < 300; i++) F[(w[1] >> 2) + i] = (rnd() - 0.5) * 0.3;
  for (let i = 0; i < m * 784; i++) F[(a[0] >> 2) + i] = rnd();
  for (let r = 0; r < m; r++) F[(y >> 2) + r * 10 + r] = 1;
  return () => {
    e.forward(a[1], w[0], b[0], a[0], 784, 30, m, 0);
    e.forward(a[2], w[1], b[1], a[1], 30, 10, m, 0);
    e.cost(a[2], y, 10, m, 0);
    e.bp1(d[1], a[2], y, 10, m, 0, 0);
    e.bp2(d[0], d[1], w[1], a[1], 30, 10, m, 0);
    e.bp4sgd(w[1], b[1], d[1], a[1], 30, 10, m, 0.3, 1, 0);
    e.bp4sgd(w[0], b[0], d[0], a[0], 784, 30, m, 0.3, 1, 0);
  };
}

/** Alternating rounds of f(which), CPU ms each; medians. */
function alternate(n: number, f: (which: "here" | "other") => number[]): Record<"here" | "other", number> {
  const r = { here: [] as number[], other: [] as number[] };
  for (let round = 0; round < n; round++) {
    for (const k of round % 2 ? (["other", "here"] as const) : (["here", "other"] as const)) r[k].push(...f(k));
  }
  return { here: median(r.here), other: median(r.other) };
}

const report = (what: string, unit: string, t: Record<"here" | "other", number>) =>
  console.log(`${what.padEnd(40)} here ${t.here.toFixed(3)} ${unit}, other ${t.other.toFixed(3)} ${unit}: here's rate ${(100 * t.other / t.here).toFixed(1)}% of other's`);

const batches = { here: await batchOf(here), other: await batchOf(other) };
for (let i = 0; i < 2000; i++) { batches.here(); batches.other(); } // tier-up
report(`kernels (wasm-${build}), 800 batches`, "CPU ms", alternate(rounds, (k) => {
  const t0 = cpuMs();
  for (let i = 0; i < 800; i++) batches[k]();
  return [cpuMs() - t0];
}));

// JS side: from here on every new instance's math kernels are stubs.
const STUBS = new Set(["forward", "bp1", "bp2", "bp3", "bp4", "bp4sgd", "sgd", "momentum", "adam", "cost", "loadBytes", "dropout"]);
const Instance = WebAssembly.Instance;
(WebAssembly as { Instance: unknown }).Instance = function (mod: WebAssembly.Module, imports?: WebAssembly.Imports) {
  const exports: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(new Instance(mod, imports).exports)) exports[k] = STUBS.has(k) ? (k === "cost" ? () => 0 : () => {}) : v;
  return { exports };
};
await import(src(here, "node.ts"));
await import(src(other, "node.ts"));
type Net = { train(d: unknown, o: unknown): unknown; dispose(): void };
type NetClass = new (sizes: number[], o: unknown) => Net;
const nets = { here: (await import(src(here, "network.ts"))).Network as NetClass, other: (await import(src(other, "network.ts"))).Network as NetClass };
const { mnistSplit } = await import(src(here, "data/mnist.ts"));
const split = mnistSplit(8000, 2000, 0);
const data = { inputs: split.train.inputs, labels: split.train.labels };
report("JS side of an epoch (kernels stubbed)", "CPU ms", alternate(Math.max(2, Math.round(rounds / 3)), (k) => {
  const net = new nets[k]([784, 30, 10], { seed: 1, init: "nielsen", backend: "wasm" }), per: number[] = [];
  let last = cpuMs();
  net.train(data, { epochs: 6, batchSize: 10, learningRate: 3, onEpoch: (s: { epoch: number }) => {
    const t = cpuMs();
    if (s.epoch > 0) per.push(t - last);
    last = t;
  } });
  net.dispose();
  return per;
}));
