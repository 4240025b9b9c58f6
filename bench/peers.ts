// npm run bench:peers: the same training task — Nielsen's [784,30,10], sigmoid, quadratic cost,
// η=3, mini-batches of 10, the same 8,000 MNIST digits — in TensorFlow.js 4.22 (cpu and wasm
// backends, model.fit), brain.js 1.6.1, the JS port of network.py (bench/jsport.ts) and nabla,
// one after another in one process, so the ratios come from one run on one machine state.
// The peers are installed on demand into bench/peers/ (its own package.json), never into the
// project's node_modules. Writes bench/results/peers-<time>.json and peers-latest.md.
//
// Where the peers differ (as far as each allows):
//   TF.js: loss "meanSquaredError" averages over the 10 outputs and Nielsen's quadratic cost is
//     ½Σ over them, so the gradient is 2/10 of Nielsen's: η = 3 × 10/2 = 15 gives the same step.
//     Weights and biases drawn N(0,1) as network.py. Single-threaded (wasm: setThreadsCount(1)).
//   brain.js 1.6.1: no mini-batches — it updates after every sample (m=1); momentum 0, η=3,
//     its own weight init (uniform ±0.2); one epoch = one pass of its trainPatterns loop.
//   nabla runs with init "nielsen" (N(0,1), as network.py), the JS port draws the same numbers.
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { mnistSplit } from "../src/data/mnist.js";
import { machine, median, trainFlops, mdTable, fmt, writeResults, RESULTS, peaks, peakFor, pct } from "./common.js";
import { SMALL, trainNabla, trainJsPort, type TrainRow } from "./train.js";

const log = (s: string) => console.error(s);
const PEERS = new URL("./peers/", import.meta.url);
const peersDir = fileURLToPath(PEERS);

// ---- install on demand ---------------------------------------------------------------------
const need = ["@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm", "brain.js"];
if (!need.every((p) => existsSync(new URL(`node_modules/${p}/package.json`, PEERS)))) {
  log(`installing peers into ${peersDir} …`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  execFileSync(npm, ["install", "--prefix", peersDir, "--no-audit", "--no-fund"], { stdio: "inherit" });
}
const req = createRequire(new URL("package.json", PEERS));

const split = mnistSplit(8000, 2000, 0);
const n = SMALL.samples, epochs = 3;
/** Extra timed epochs for nabla's default backend (see below). */
const NABLA_EXTRA = 15;
/** Untimed first epochs (JIT / wasm tier-up, TF.js kernel setup), the same for every engine. */
const WARMUP = 1;
const flops = trainFlops(SMALL.sizes);
const rows: (TrainRow & { note: string })[] = [];
const failures: { engine: string; error: string }[] = [];

function record(engine: string, perEpoch: number[], accuracy: number, note: string) {
  const med = median(perEpoch), best = Math.max(...perEpoch);
  const r = { case: SMALL.name, engine, samples: n, perEpoch, median: med, best, gflopsMedian: (med * flops) / 1e9, gflopsBest: (best * flops) / 1e9, accuracy, note };
  rows.push(r);
  log(`  ${engine.padEnd(28)} ${perEpoch.map((x) => fmt(x)).join(" ")} samples/s, test accuracy ${(100 * accuracy).toFixed(1)}%`);
}

const m0 = machine();
log(`bench:peers — ${m0.cpu}, ${m0.cores} cores, Node ${m0.node}, load ${m0.load.join(" ")}`);
const pk0 = peaks();

// ---- nabla and the JS port -----------------------------------------------------------------
{
  const c = { ...SMALL, epochs: epochs + WARMUP };
  const r = trainNabla(c, "wasm", split);
  // One nabla epoch lasts ~30 ms, so three of them can all fall inside one burst of load from
  // elsewhere: a second run adds NABLA_EXTRA timed epochs to the median (the accuracy column
  // stays the first run's, after the same 4 epochs as the JS port).
  const more = trainNabla({ ...SMALL, epochs: NABLA_EXTRA + WARMUP }, "wasm", split);
  record(r.engine + " (default)", [...r.perEpoch.slice(WARMUP), ...more.perEpoch.slice(WARMUP)], r.accuracy,
    `Network.train, backend "wasm" (best build this engine validates), init "nielsen"; ${epochs} + ${NABLA_EXTRA} timed epochs (two runs)`);
  const j = trainJsPort(c, split);
  record("JS port of network.py", j.perEpoch.slice(WARMUP), j.accuracy, "bench/jsport.ts: Float64Array, per-sample backprop as network.py");
  const js = trainNabla(c, "js", split);
  record("nabla js (pure-JS backend)", js.perEpoch.slice(WARMUP), js.accuracy, "Network.train, backend \"js\"");
}

// ---- TensorFlow.js -------------------------------------------------------------------------
// TF.js lives in bench/peers/node_modules, outside the project's type roots: typed loosely here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tf = any;
async function tfRun(backend: "cpu" | "wasm") {
  const tf = req("@tensorflow/tfjs") as Tf;
  if (backend === "wasm") {
    const wasm = req("@tensorflow/tfjs-backend-wasm") as { setThreadsCount?: (n: number) => void };
    wasm.setThreadsCount?.(1);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend("${backend}") failed`);
  await tf.ready();
  tf.setSeed?.(1);
  const init = () => tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: 1 });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 30, activation: "sigmoid", kernelInitializer: init(), biasInitializer: init() }),
      tf.layers.dense({ units: 10, activation: "sigmoid", kernelInitializer: init(), biasInitializer: init() }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(15), loss: "meanSquaredError" });
  const xs = tf.tensor2d(split.train.inputs, [n, 784]);
  const ys = tf.oneHot(tf.tensor1d(split.train.labels, "int32"), 10).toFloat();
  const perEpoch: number[] = [];
  for (let e = 0; e < epochs + WARMUP; e++) {
    const t0 = performance.now();
    await model.fit(xs, ys, { batchSize: 10, epochs: 1, shuffle: true, verbose: 0 });
    perEpoch.push(n / ((performance.now() - t0) / 1000));
  }
  const pred = model.predict(tf.tensor2d(split.test.inputs, [2000, 784]));
  const guess = await pred.argMax(1).data();
  let correct = 0;
  for (let i = 0; i < 2000; i++) if (guess[i] === split.test.labels[i]) correct++;
  tf.dispose([xs, ys, pred]);
  model.dispose();
  return { perEpoch: perEpoch.slice(WARMUP), accuracy: correct / 2000, version: tf.version.tfjs };
}

for (const backend of ["wasm", "cpu"] as const) {
  try {
    const r = await tfRun(backend);
    record(`TensorFlow.js ${r.version} ${backend}`, r.perEpoch, r.accuracy, "model.fit, batchSize 10, MSE loss with η=15 (= Nielsen's step at η=3), 1 thread");
  } catch (e) {
    failures.push({ engine: `TensorFlow.js ${backend}`, error: String((e as Error).message ?? e) });
    log(`  TensorFlow.js ${backend} failed: ${(e as Error).message}`);
  }
}

// ---- brain.js ------------------------------------------------------------------------------
try {
  type BrainNet = {
    train(d: object[], o: object): unknown; run(x: number[]): ArrayLike<number>;
    formatData(d: object[]): object[]; trainPatterns(d: object[]): void; trainOpts: Record<string, unknown>;
  };
  const brain = req("brain.js") as { NeuralNetwork: new (o: object) => BrainNet };
  const net = new brain.NeuralNetwork({ hiddenLayers: [30], activation: "sigmoid" });
  const data = Array.from({ length: n }, (_, i) => {
    const output = new Array(10).fill(0);
    output[split.train.labels[i]] = 1;
    return { input: Array.from(split.train.inputs.subarray(i * 784, (i + 1) * 784)), output };
  });
  // train() validates learningRate < 1 and momentum > 0, so: one short train() call to size and
  // initialize the net, then η=3 and momentum 0 set on trainOpts (read at every update) and
  // brain's own epoch loop, trainPatterns (what train() runs per iteration), timed directly.
  net.train(data.slice(0, 10), { iterations: 1 });
  const formatted = net.formatData(data);
  net.trainOpts.learningRate = 3;
  net.trainOpts.momentum = 0;
  const perEpoch: number[] = [];
  for (let e = 0; e < epochs + WARMUP; e++) {
    const t0 = performance.now();
    net.trainPatterns(formatted);
    perEpoch.push(n / ((performance.now() - t0) / 1000));
  }
  let correct = 0;
  for (let i = 0; i < 2000; i++) {
    const o = net.run(Array.from(split.test.inputs.subarray(i * 784, (i + 1) * 784)));
    let best = 0;
    for (let j = 1; j < 10; j++) if (o[j] > o[best]) best = j;
    if (best === split.test.labels[i]) correct++;
  }
  record("brain.js 1.6.1", perEpoch.slice(WARMUP), correct / 2000, "trainPatterns (1 epoch), m=1 (no mini-batches), momentum 0, η=3, brain's own init");
} catch (e) {
  failures.push({ engine: "brain.js 1.6.1", error: String((e as Error).message ?? e) });
  log(`  brain.js failed: ${(e as Error).message}`);
}

// ---- report --------------------------------------------------------------------------------
const pk1 = peaks();
// The higher reading: load elsewhere only lowers it, and a higher peak only lowers "% of peak".
const pk = { simd: pk1.simd.gflops > pk0.simd.gflops ? pk1.simd : pk0.simd, relaxed: pk1.relaxed && (!pk0.relaxed || pk1.relaxed.gflops > pk0.relaxed.gflops) ? pk1.relaxed : pk0.relaxed };
const m1 = machine();
const nabla = rows[0], port = rows.find((r) => r.engine.startsWith("JS port"))!;
const peak = peakFor(pk, nabla.engine.split(" ")[1]);
const out: string[] = [];
const say = (s = "") => { console.log(s); out.push(s); };
say(`## bench:peers, ${m1.date}`);
say();
say(`${m0.cpu}, ${m0.cores} cores, Node ${m0.node}; load average at start ${m0.load.join(" / ")}, at end ${m1.load.join(" / ")}. ` +
  `Task: ${SMALL.name}, sigmoid, quadratic cost, η=3, ${n} MNIST digits per epoch; each engine runs ${WARMUP} untimed warm-up epoch then ${epochs} timed epochs (median, best). ` +
  `Peak of ${nabla.engine.split(" ")[1]} measured in this run: ${fmt(peak)} GFLOP/s.`);
say();
const t: (string | number)[][] = [["engine", "samples/s (median)", "samples/s (best)", "GFLOP/s (median)", "nabla ÷ this (median)", "test acc.", "how"]];
for (const r of rows) t.push([r.engine, r.median, r.best, r.gflopsMedian, `${fmt(nabla.median / r.median)}×`, `${(100 * r.accuracy).toFixed(1)}%`, r.note]);
say(mdTable(t));
say();
say(`nabla (default backend) = ${fmt(nabla.median / port.median)}× the JS port, ${pct(nabla.gflopsMedian / peak)} of peak at the median epoch (${pct(nabla.gflopsBest / peak)} best).`);
for (const f of failures) say(`Could not measure ${f.engine}: ${f.error}`);
say();
const file = writeResults("peers", { machine: { start: m0, end: m1 }, peak: pk, peakReadings: [pk0, pk1], rows, failures });
mkdirSync(RESULTS, { recursive: true });
writeFileSync(new URL("peers-latest.md", RESULTS), out.join("\n") + "\n");
log(`wrote ${file}`);
