#!/usr/bin/env node
// Long-running soak test for nabla (not run in CI; see docs/reliability.md).
//
//   npm run build:ts            # or npm run build — the script loads ../dist/node.js
//   node --expose-gc scripts/soak.mjs --hours 4 --every 50 --backend wasm
//
// Trains one network for the given duration, one epoch per train() call, and every
// `--every` epochs prints: elapsed time, epochs, mini-batches, cost, test accuracy, RSS,
// heapUsed, external/arrayBuffers and the network's linear-memory size. Every epoch it
// also exercises the other paths that allocate: toJSON → JSON text → fromJSON (then
// dispose), evaluate, feedforwardBatch, and creating + disposing a throw-away network.
//
// Exit code 1 if the linear memory grew after the first epoch, if RSS (after GC) grew by
// more than --max-rss-growth MiB between the second report and the last, or if training
// diverged or threw.
//
// Options: --hours H | --minutes M | --seconds S (default 60 minutes), --every N (default 20),
//          --backend wasm|wasm-relaxed|wasm-simd|wasm-scalar|js (default wasm),
//          --sizes 784,100,10 (default), --batch 10, --eta 0.1, --samples 5000,
//          --max-rss-growth 64, --json (one JSON object per report line).
import { fileURLToPath } from "node:url";
import path from "node:path";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = args[i + 1];
  if (v === undefined || v.startsWith("--")) return true;
  return v;
};
if (opt("help", false)) {
  console.log("usage: node --expose-gc scripts/soak.mjs [--hours H | --minutes M | --seconds S] [--every N] [--backend B]\n" +
    "       [--sizes 784,100,10] [--batch 10] [--eta 0.1] [--samples 5000] [--max-rss-growth 64] [--json]");
  process.exit(0);
}
const seconds = Number(opt("seconds", 0)) || Number(opt("minutes", 0)) * 60 || Number(opt("hours", 0)) * 3600 || 3600;
const every = Math.max(1, Number(opt("every", 20)));
const backend = String(opt("backend", "wasm"));
const sizes = String(opt("sizes", "784,100,10")).split(",").map(Number);
const batchSize = Number(opt("batch", 10));
const eta = Number(opt("eta", 0.1));
const samples = Number(opt("samples", 5000));
const maxRssGrowth = Number(opt("max-rss-growth", 64));
const asJson = Boolean(opt("json", false));

// Watch linear memory: the Network grows its memory only through WebAssembly.Memory#grow.
// Only the soak network's memory is remembered (captured while it is constructed); holding
// references (even WeakRefs, kept alive until the job ends) to the throw-away networks'
// memories would itself leak.
const originalGrow = WebAssembly.Memory.prototype.grow;
let phase = "setup", watched = null;
const lateGrowth = [];
WebAssembly.Memory.prototype.grow = function (delta) {
  const before = this.buffer.byteLength;
  const r = originalGrow.call(this, delta);
  if (phase === "construct") watched = this;
  else if (phase === "steady" && this === watched) lateGrowth.push({ before, after: this.buffer.byteLength });
  return r;
};

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { Network } = await import(path.join(root, "dist", "node.js")); // the Node entry: every build registered

const gc = globalThis.gc ?? (() => {});
if (!globalThis.gc) console.warn("soak: run with node --expose-gc for meaningful heap/RSS numbers");

// Seeded synthetic data: class k lights up inputs k, k + nOut, ... (learnable, not trivial).
let s = 12345;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
const nIn = sizes[0], nOut = sizes.at(-1);
const make = (n) => {
  const inputs = new Float32Array(n * nIn), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = Math.floor(rnd() * nOut);
    for (let k = 0; k < nIn; k++) inputs[i * nIn + k] = 0.5 * rnd() + (k % nOut === labels[i] ? 0.5 : 0);
  }
  return { inputs, labels };
};
const train = make(samples), test = make(Math.max(100, samples >> 3));

phase = "construct";
const net = new Network(sizes, { seed: 1, backend, cost: "log-likelihood", activation: "relu", init: "he" });
phase = "first epoch";
const memoryBytes = () => (watched ? watched.buffer.byteLength : 0);

const t0 = Date.now();
let epochs = 0, batches = 0, reports = 0, firstRss = null, lastRss = 0, failed = null;
const perEpoch = Math.ceil(samples / batchSize);
const report = (last) => {
  gc(); gc();
  const m = process.memoryUsage();
  const h = last ?? {};
  const row = {
    elapsed_s: Math.round((Date.now() - t0) / 1000), epochs, batches,
    cost: h.cost, accuracy: h.accuracy,
    rss_mib: +(m.rss / 2 ** 20).toFixed(1), heap_used_mib: +(m.heapUsed / 2 ** 20).toFixed(1),
    external_mib: +(m.external / 2 ** 20).toFixed(1), array_buffers_mib: +(m.arrayBuffers / 2 ** 20).toFixed(1),
    wasm_memory_mib: +(memoryBytes() / 2 ** 20).toFixed(2),
  };
  // Baseline: the second report (the first follows epoch 1, before the JIT and allocator settle).
  if (++reports === 2) firstRss = m.rss;
  lastRss = m.rss;
  console.log(asJson ? JSON.stringify(row) : Object.entries(row).map(([k, v]) => `${k}=${typeof v === "number" ? v : v ?? "-"}`).join("  "));
};

console.log(`soak: ${backend} ${JSON.stringify(sizes)}, m=${batchSize}, η=${eta}, ${samples} samples, ${seconds} s, report every ${every} epochs`);
try {
  while ((Date.now() - t0) / 1000 < seconds) {
    const [h] = net.train(train, { epochs: 1, batchSize, learningRate: eta, optimizer: "momentum", testData: test });
    if (epochs === 0) phase = "steady"; // the first epoch sized every buffer; no growth from here on
    epochs++;
    batches += perEpoch;
    // Other allocating paths.
    const copy = Network.fromJSON(JSON.stringify(net), { backend });
    copy.evaluate(test);
    copy.dispose();
    net.feedforwardBatch(test.inputs);
    const tmp = new Network([nIn, 8, nOut], { seed: epochs, backend });
    tmp.dispose();
    if (epochs === 1 || epochs % every === 0) report(h);
    await new Promise((r) => setImmediate(r)); // let the event loop (and finalizers) run, as in an app
  }
  report();
} catch (e) {
  failed = e;
  console.error("soak: training threw", e);
}
net.dispose();
const growth = (lastRss - (firstRss ?? lastRss)) / 2 ** 20;
const problems = [];
if (failed) problems.push(`threw ${failed.name}: ${failed.message}`);
if (lateGrowth.length) problems.push(`linear memory grew after the first epoch: ${JSON.stringify(lateGrowth)}`);
if (growth > maxRssGrowth) problems.push(`RSS grew by ${growth.toFixed(1)} MiB (> ${maxRssGrowth})`);
console.log(problems.length ? `soak: FAIL — ${problems.join("; ")}` : `soak: OK — ${epochs} epochs, ${batches} mini-batches, RSS growth ${growth.toFixed(1)} MiB since the second report, no linear-memory growth after epoch 1`);
process.exit(problems.length ? 1 : 0);
