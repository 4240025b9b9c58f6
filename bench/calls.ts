// Speed as the caller sees it (issue 11): public calls timed end to end, as ratios in one run.
//   1. train(data, { epochs: 1 }) per call, on a Dataset, zero-copy tensors and raw
//      { input: Float32Array, output } samples, against the per-epoch rate of one 10-epoch call
//   2. evaluate over 8,000 digits against feedforwardBatch on the same rows
//   3. NetworkWorker epochs against in-thread epochs on the same Dataset (needs dist/: npm run build)
// [784,30,10], m = 10, η = 3, sigmoid, quadratic cost, the 8,000 digits of mnistSplit(8000, 2000, 0).
// Rounds alternate the cases, so a burst of load from elsewhere hits them alike; medians.
// Run: node --import tsx bench/calls.ts [backend]   (also part of npm run bench)
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { mnistSplit, type Split } from "../src/data/mnist.js";
import { Network } from "../src/network.js";
import { dataset } from "../src/dataset.js";
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
  // NetworkWorker: the same Dataset, 5 epochs per call, alternating with in-thread calls.
  const entry = new URL("../dist/worker/entry.js", import.meta.url);
  if (existsSync(fileURLToPath(entry))) {
    const w = await NetworkWorker.create([784, 30, 10], { seed: 1, backend: backend as "wasm", init: "nielsen", worker: entry });
    const local = make(backend);
    await w.train(prepared, { epochs: 1, ...opts }); // sends the data set once, warms up
    const wr: number[] = [], lr: number[] = [];
    for (let round = 0; round < rounds; round++) {
      let t0 = performance.now();
      await w.train(prepared, { epochs: 5, ...opts });
      wr.push((5 * n) / ((performance.now() - t0) / 1000));
      t0 = performance.now();
      local.train(prepared, { epochs: 5, ...opts });
      lr.push((5 * n) / ((performance.now() - t0) / 1000));
    }
    w.terminate();
    local.dispose();
    rows.push({ what: "NetworkWorker.train(Dataset, { epochs: 5 })", rate: median(wr), against: "Network.train(Dataset, { epochs: 5 }) in-thread", reference: median(lr), ratio: median(wr) / median(lr), target: "≥ 95%" });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await import("../src/node.js");
  const rows = await callBench(mnistSplit(8000, 2000, 0), process.argv[2] ?? "wasm");
  for (const r of rows) console.log(`${r.what.padEnd(72)} ${Math.round(r.rate).toString().padStart(8)} samples/s  ${(100 * r.ratio).toFixed(1)}% of ${r.against} (${Math.round(r.reference)})  target ${r.target}`);
}
