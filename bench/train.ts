// End-to-end training (Network.train: shuffling, batch loading, forward, cost, BP1–BP4, update,
// the per-epoch divergence check) and inference (feedforwardBatch), timed per epoch / per call.
import { Network } from "../src/network.js";
import type { BackendName } from "../src/kernels.js";
import type { Split } from "../src/data/mnist.js";
import { JsPortNetwork } from "./jsport.js";
import { median, trainFlops, inferFlops } from "./common.js";

export interface TrainCase {
  name: string;
  sizes: number[];
  batchSize: number;
  eta: number;
  /** Training samples per epoch (the first n of the split). */
  samples: number;
  epochs: number;
}

export const SMALL: TrainCase = { name: "[784,30,10] m=10", sizes: [784, 30, 10], batchSize: 10, eta: 3, samples: 8000, epochs: 5 };
export const LARGE64: TrainCase = { name: "[784,512,512,10] m=64", sizes: [784, 512, 512, 10], batchSize: 64, eta: 0.5, samples: 2000, epochs: 3 };
export const LARGE128: TrainCase = { name: "[784,512,512,10] m=128", sizes: [784, 512, 512, 10], batchSize: 128, eta: 0.5, samples: 2000, epochs: 3 };

export interface TrainRow {
  case: string;
  engine: string;
  samples: number;
  /** Samples per second of each epoch, in order. */
  perEpoch: number[];
  median: number;
  best: number;
  /** GFLOP/s at the median and best epoch (trainFlops per sample). */
  gflopsMedian: number;
  gflopsBest: number;
  /** Test accuracy after the last epoch (a sanity check that it learns). */
  accuracy: number;
}

function sub(split: Split, n: number) {
  return { inputs: split.train.inputs.subarray(0, n * 784), labels: split.train.labels.subarray(0, n) };
}

function row(c: TrainCase, engine: string, perEpoch: number[], accuracy: number): TrainRow {
  const flops = trainFlops(c.sizes);
  const med = median(perEpoch), best = Math.max(...perEpoch);
  return { case: c.name, engine, samples: c.samples, perEpoch, median: med, best, gflopsMedian: (med * flops) / 1e9, gflopsBest: (best * flops) / 1e9, accuracy };
}

/**
 * One Network.train call for all epochs. Per-epoch rates are the library's own EpochStats
 * (each epoch's shuffle, batch loading, forward, cost, backward, update and divergence check);
 * `wall` is the whole call (data validation included) divided into samples per second.
 */
export function trainNabla(c: TrainCase, backend: BackendName | "wasm", split: Split, epochs = c.epochs, warmup = 0): TrainRow & { wall: number } {
  const net = new Network(c.sizes, { seed: 1, backend, cost: "quadratic", activation: "sigmoid", init: c.sizes.length === 3 ? "nielsen" : "scaled" });
  const data = sub(split, c.samples);
  const t0 = performance.now();
  const stats = net.train(data, { epochs: epochs + warmup, batchSize: c.batchSize, learningRate: c.eta });
  const wall = ((epochs + warmup) * c.samples) / ((performance.now() - t0) / 1000);
  const acc = net.evaluate({ inputs: split.test.inputs, labels: split.test.labels }).accuracy!;
  net.dispose();
  // The first `warmup` epochs (wasm tier-up, first touches of memory) are run but not reported.
  return { ...row(c, `nabla ${net.backend}`, stats.slice(warmup).map((s) => s.samplesPerSecond), acc), wall };
}

/** The network.py port in plain JS (bench/jsport.ts). */
export function trainJsPort(c: TrainCase, split: Split, epochs = c.epochs, warmup = 0): TrainRow {
  const net = new JsPortNetwork(c.sizes, 1);
  const data = sub(split, c.samples);
  const perEpoch: number[] = [];
  for (let e = 0; e < epochs + warmup; e++) {
    const rate = c.samples / net.epoch(data.inputs, data.labels, c.batchSize, c.eta);
    if (e >= warmup) perEpoch.push(rate);
  }
  return row(c, "JS port of network.py (Float64Array, per sample)", perEpoch, net.accuracy(split.test.inputs, split.test.labels));
}

export interface InferRow {
  net: string;
  engine: string;
  count: number;
  /** Samples per second: median and best of the repeats. */
  median: number;
  best: number;
  gflopsMedian: number;
  gflopsBest: number;
}

/** feedforwardBatch over `inputs` (all at once, as a user would call it), repeated. */
export function inferNabla(sizes: number[], backend: BackendName | "wasm", inputs: Float32Array, repeats = 7): InferRow {
  const net = new Network(sizes, { seed: 1, backend });
  const count = inputs.length / sizes[0];
  const out = new Float32Array(count * sizes.at(-1)!);
  net.feedforwardBatch(inputs.subarray(0, Math.min(inputs.length, 256 * sizes[0])), out.subarray(0, Math.min(count, 256) * sizes.at(-1)!)); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    net.feedforwardBatch(inputs, out);
    rates.push(count / ((performance.now() - t0) / 1000));
  }
  net.dispose();
  const flops = inferFlops(sizes), med = median(rates), best = Math.max(...rates);
  return { net: JSON.stringify(sizes), engine: `nabla ${net.backend}`, count, median: med, best, gflopsMedian: (med * flops) / 1e9, gflopsBest: (best * flops) / 1e9 };
}
