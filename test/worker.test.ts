// NetworkWorker in Node (worker_threads): the same computation as an in-thread Network,
// bit for bit; progress and epoch events arrive; cancel and onEpoch stop training; errors
// keep their classes; data can be transferred. Runs the built package (dist/), as a worker
// must load JavaScript.
import { describe, it, expect, beforeAll, afterEach } from "vitest";
import { assertDistFresh } from "./browser/dist.js";
import type * as Lib from "../src/index.js";
import type * as W from "../src/worker/index.js";

let lib: typeof Lib, NetworkWorker: typeof W.NetworkWorker;
const open: W.NetworkWorker[] = [];

beforeAll(async () => {
  assertDistFresh();
  // @ts-ignore: dist/ is JavaScript built from src/ (same types)
  lib = await import("../dist/node.js");
  // @ts-ignore
  ({ NetworkWorker } = await import("../dist/worker/index.js"));
});

afterEach(() => {
  while (open.length) open.pop()!.terminate();
});

async function worker(sizes: number[], options: W.NetworkWorkerOptions = {}) {
  const w = await NetworkWorker.create(sizes, options);
  open.push(w);
  return w;
}

/** count samples of a 3-class problem on 6 inputs, from a seeded LCG (independent of the library). */
function problem(count: number, seed = 7) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const inputs = new Float32Array(count * 6), labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % 3;
    labels[i] = c;
    for (let k = 0; k < 6; k++) inputs[i * 6 + k] = rnd() * 0.5 + (k % 3 === c ? 0.5 : 0);
  }
  return { inputs, labels };
}

const bits = (w: number[][][], b: number[][]) => Array.from(new Uint32Array(Float32Array.from([...w.flat(2), ...b.flat()]).buffer));

describe("NetworkWorker (worker_threads)", () => {
  it("threads: the worker computes on helper threads of its own (trainer.threads), bit for bit as one thread in-thread", async () => {
    // [784, 256, 10] at m = 64: jobs of ≈ 13 M multiply-adds, above THREAD_WORK.min, so they split.
    let s = 5;
    const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const data = { inputs: new Float32Array(256 * 784).map(rnd), labels: new Uint8Array(256).map((_, i) => i % 10) };
    const train = { epochs: 2, batchSize: 64, learningRate: 0.5 };
    const w = await worker([784, 256, 10], { seed: 2, threads: 2 });
    expect(w.threads).toBe(2);
    await w.train(data, train);
    const net = new lib.Network([784, 256, 10], { seed: 2, backend: w.backend });
    net.train(data, train);
    expect(JSON.stringify(await w.toJSON())).toBe(JSON.stringify(net.toJSON()));
    expect((await worker([4, 3], { threads: 1 })).threads).toBe(1);
  });

  it("trains like an in-thread Network, bit for bit (shuffle: false), with progress and epoch events", async () => {
    const data = problem(300), test = problem(90, 99);
    const opts = { seed: 11, cost: "cross-entropy" as const };
    const train = { epochs: 4, batchSize: 10, learningRate: 0.5, shuffle: false, testData: test, monitorTraining: true };
    const w = await worker([6, 8, 3], opts);
    expect(w.sizes).toEqual([6, 8, 3]);
    expect(w.seed).toBe(11);
    const progress: [number, number, number][] = [], epochs: Lib.EpochStats[] = [];
    const history = await w.train(data, { ...train, onProgress: (d, t, e) => progress.push([d, t, e]), onEpoch: (s) => void epochs.push(s) });

    const net = new lib.Network([6, 8, 3], { ...opts, backend: w.backend });
    const local = net.train(data, train);
    const strip = (h: Lib.EpochStats[]) => h.map(({ seconds, samplesPerSecond, ...s }) => s);
    expect(strip(history)).toEqual(strip(local));
    expect(strip(epochs)).toEqual(strip(local));
    const json = await w.toJSON();
    expect(bits(json.weights, json.biases)).toEqual(bits(net.weights, net.biases));
    expect(json.rng).toEqual(net.toJSON().rng);

    // ~100 progress events per epoch at most; within each epoch done rises to total.
    expect(progress.length).toBeGreaterThanOrEqual(4);
    for (let e = 0; e < 4; e++) {
      const ev = progress.filter((p) => p[2] === e);
      expect(ev.length).toBeGreaterThan(0);
      ev.forEach((p, i) => { expect(p[1]).toBe(300); if (i) expect(p[0]).toBeGreaterThan(ev[i - 1][0]); });
    }

    const x = test.inputs.subarray(0, 6);
    expect(Array.from(await w.feedforward(x))).toEqual(Array.from(net.feedforward(x)));
    expect(Array.from(await w.feedforwardBatch(test.inputs))).toEqual(Array.from(net.feedforwardBatch(test.inputs)));
    expect(await w.evaluate(test)).toEqual(net.evaluate(test));
  });

  it("with shuffle: true too, equals an in-thread Network (one call, or one call per epoch)", async () => {
    // Each epoch's order depends only on the generator state, so epoch-by-epoch in the worker
    // is the same computation as one train call.
    const data = problem(200);
    const w = await worker([6, 5, 3], { seed: 5, backend: "js" });
    const h = await w.train(data, { epochs: 3, learningRate: 1 });
    const one = new lib.Network([6, 5, 3], { seed: 5, backend: "js" });
    const h1 = one.train(data, { epochs: 3, learningRate: 1 });
    const each = new lib.Network([6, 5, 3], { seed: 5, backend: "js" });
    for (let e = 0; e < 3; e++) each.train(data, { epochs: 1, learningRate: 1 });
    const json = await w.toJSON();
    expect(bits(json.weights, json.biases)).toEqual(bits(one.weights, one.biases));
    expect(bits(json.weights, json.biases)).toEqual(bits(each.weights, each.biases));
    expect(h.map((s) => s.cost)).toEqual(h1.map((s) => s.cost));
    expect(json.rng).toEqual(one.toJSON().rng);
  });

  it("cancel() stops after the current epoch; the network is the in-thread one after those epochs", async () => {
    const data = problem(3000);
    const w = await worker([6, 32, 3], { seed: 2 });
    let asked: Promise<boolean> | null = null;
    const history = await w.train(data, {
      epochs: 200, shuffle: false, learningRate: 0.3,
      onProgress: (_d, _t, epoch) => { if (epoch === 1 && !asked) asked = w.cancel(); },
    });
    expect(asked).not.toBeNull();
    expect(await asked).toBe(true);
    expect(history.length).toBeGreaterThanOrEqual(2);
    expect(history.length).toBeLessThan(200);
    expect(history.map((s) => s.epoch)).toEqual(history.map((_, i) => i));
    const net = new lib.Network([6, 32, 3], { seed: 2, backend: w.backend });
    net.train(data, { epochs: history.length, shuffle: false, learningRate: 0.3 });
    const json = await w.toJSON();
    expect(bits(json.weights, json.biases)).toEqual(bits(net.weights, net.biases));
    expect(await w.cancel()).toBe(false); // nothing running now
  });

  it("goes back to the event loop between epochs without sleeping on a timer, and a cancel still lands", async () => {
    const w = await worker([6, 8, 3], { seed: 4, worker: new URL("./worker-no-timers.mjs", import.meta.url) });
    const data = problem(60);
    expect(await w.train(data, { epochs: 30 })).toHaveLength(30);
    let asked: Promise<boolean> | null = null;
    const history = await w.train(problem(3000), { epochs: 200, onProgress: (_d, _t, epoch) => { if (epoch === 1 && !asked) asked = w.cancel(); } });
    expect(await asked).toBe(true);
    expect(history.length).toBeGreaterThanOrEqual(2);
    expect(history.length).toBeLessThan(200);
  });

  it("onEpoch returning false stops right after that epoch, as in-thread", async () => {
    const data = problem(120);
    const w = await worker([6, 4, 3], { seed: 9 });
    const h = await w.train(data, { epochs: 10, shuffle: false, onEpoch: (s) => s.epoch < 2 });
    expect(h.length).toBe(3);
    const net = new lib.Network([6, 4, 3], { seed: 9, backend: w.backend });
    expect(net.train(data, { epochs: 10, shuffle: false, onEpoch: (s) => s.epoch < 2 }).length).toBe(3);
    const json = await w.toJSON();
    expect(bits(json.weights, json.biases)).toEqual(bits(net.weights, net.biases));
  });

  it("a throwing onEpoch stops training and rejects with that error", async () => {
    const w = await worker([6, 4, 3], { seed: 9 });
    const boom = new Error("boom");
    await expect(w.train(problem(60), { epochs: 5, onEpoch: () => { throw boom; } })).rejects.toBe(boom);
    expect((await w.train(problem(60), { epochs: 1 })).length).toBe(1); // usable afterwards
  });

  it("early stopping and the schedule behave as in-thread (shuffle: false)", async () => {
    const data = problem(150), test = problem(60, 3);
    const o = { epochs: 30, shuffle: false, learningRate: 4, testData: test, schedule: { patience: 2 }, earlyStopping: 6 };
    const w = await worker([6, 5, 3], { seed: 4 });
    const net = new lib.Network([6, 5, 3], { seed: 4, backend: w.backend });
    const a = await w.train(data, o), b = net.train(data, o);
    expect(a.map((s) => [s.epoch, s.eta, s.cost, s.accuracy])).toEqual(b.map((s) => [s.epoch, s.eta, s.cost, s.accuracy]));
  });

  it("errors cross the thread with their classes, and the network is unchanged by a failed call", async () => {
    const w = await worker([6, 4, 3], { seed: 1 });
    const before = await w.toJSON();
    const err = await w.train({ inputs: new Float32Array(12), labels: [0, 7] }).catch((e) => e);
    expect(err).toBeInstanceOf(lib.DataError);
    expect(err).toBeInstanceOf(lib.NablaError);
    expect(err.argument).toBe("data.labels[1]");
    expect(err.message).toContain("train(data, options)");
    await expect(w.train(problem(30), { epochs: 1, learningRate: -1 })).rejects.toBeInstanceOf(lib.OptionError);
    await expect(w.train(problem(30), { earlyStopping: 2 })).rejects.toBeInstanceOf(lib.OptionError);
    await expect(w.feedforward([1, 2])).rejects.toBeInstanceOf(lib.ShapeError);
    await expect(w.train(problem(30), { epochs: 1, bogus: () => 1 } as never)).rejects.toBeInstanceOf(lib.NablaError);
    expect(await w.toJSON()).toEqual(before);
    await expect(NetworkWorker.create([6, 0, 3])).rejects.toBeInstanceOf(lib.ShapeError);
    await expect(NetworkWorker.fromJSON({ sizes: "x" })).rejects.toBeInstanceOf(lib.ModelFormatError);
  });

  it("divergence: DivergenceError with the epoch and the history so far; network restored to that epoch's start", async () => {
    const data = problem(60);
    const w = await worker([6, 8, 3], { seed: 1, output: "linear" });
    await w.train(data, { epochs: 1, learningRate: 0.01 });
    const before = await w.toJSON();
    const err = await w.train(data, { epochs: 5, learningRate: 1e6 }).catch((e) => e);
    expect(err).toBeInstanceOf(lib.DivergenceError);
    expect(err.epoch).toBe(0);
    expect(err.eta).toBe(1e6);
    expect(err.history).toEqual([]);
    expect(await w.toJSON()).toEqual(before);
  });

  it("fromJSON: a model saved from a worker predicts the same in a new worker and in-thread", async () => {
    const data = problem(90);
    const w = await worker([6, 7, 3], { seed: 8 });
    await w.train(data, { epochs: 2, optimizer: "adam", learningRate: 0.01 });
    const json = await w.toJSON();
    const w2 = await NetworkWorker.fromJSON(JSON.stringify(json));
    open.push(w2);
    const net = lib.Network.fromJSON(json);
    const x = data.inputs.subarray(6, 12);
    const a = await w.feedforward(x), b = await w2.feedforward(x);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(net.feedforward(x))).toEqual(Array.from(a));
    // Training resumes identically (optimizer state and generator travel with the model).
    await w.train(data, { epochs: 1, optimizer: "adam", learningRate: 0.01 });
    await w2.train(data, { epochs: 1, optimizer: "adam", learningRate: 0.01 });
    expect((await w2.toJSON()).weights).toEqual((await w.toJSON()).weights);
  });

  it("transfer: true moves the data's buffers (no copy) and trains the same", async () => {
    const a = problem(90), b = problem(90);
    const w = await worker([6, 4, 3], { seed: 6 });
    const h = await w.train(a, { epochs: 2, shuffle: false, transfer: true });
    expect(a.inputs.length).toBe(0); // detached: moved to the worker
    expect(a.labels.length).toBe(0);
    const net = new lib.Network([6, 4, 3], { seed: 6, backend: w.backend });
    expect(h.map((s) => s.cost)).toEqual(net.train(b, { epochs: 2, shuffle: false }).map((s) => s.cost));
    expect(b.inputs.length).toBe(540); // the in-thread run left its data alone
  });

  it("one train call at a time; terminate() rejects pending calls and later ones", async () => {
    const w = await worker([6, 32, 3], { seed: 3 });
    const long = w.train(problem(3000), { epochs: 50 });
    await expect(w.train(problem(30))).rejects.toThrow(/one train call at a time/);
    w.terminate();
    expect(w.terminated).toBe(true);
    await expect(long).rejects.toBeInstanceOf(lib.NablaError);
    await expect(w.feedforward(new Float32Array(6))).rejects.toThrow(/terminate\(\) was called/);
  });
});

describe("NetworkWorker: prepared data sets, failing callbacks, malformed messages", () => {
  it("a Dataset is sent once and reused: the same records as in-thread, over several calls", async () => {
    const raw = problem(120), test = problem(30, 5);
    const d = lib.dataset(raw, { inputs: 6, outputs: 3 }), t = lib.dataset(test, { inputs: 6, outputs: 3 });
    const w = await worker([6, 5, 3], { seed: 8 });
    const net = new lib.Network([6, 5, 3], { seed: 8, backend: w.backend });
    const strip = (h: Lib.EpochStats[]) => h.map(({ seconds, samplesPerSecond, ...s }) => s);
    for (let call = 0; call < 3; call++) {
      expect(strip(await w.train(d, { epochs: 1, learningRate: 0.5, testData: t }))).toEqual(strip(net.train(d, { epochs: 1, learningRate: 0.5, testData: t })));
    }
    expect(await w.evaluate(t)).toEqual(net.evaluate(t));
    expect(await w.feedforwardBatch(t)).toEqual(net.feedforwardBatch(t));
    expect(d.count).toBe(120); // still usable here: the worker got a copy
  });

  it("a throwing onEpoch leaves the worker's network at that epoch's start, as in-thread", async () => {
    const w = await worker([6, 4, 3], { seed: 9 });
    const net = new lib.Network([6, 4, 3], { seed: 9, backend: w.backend });
    net.train(problem(60), { epochs: 1 });
    const boom = new Error("boom");
    await expect(w.train(problem(60), { epochs: 5, onEpoch: (s) => { if (s.epoch === 1) throw boom; } })).rejects.toBe(boom);
    const a = await w.toJSON();
    expect(bits(a.weights, a.biases)).toEqual(bits(net.weights, net.biases));
  });

  it("a call cut off by terminate() names that call", async () => {
    const w = await worker([6, 32, 3], { seed: 3 });
    const long = w.train(problem(3000), { epochs: 50 });
    await new Promise((r) => setTimeout(r, 50));
    w.terminate();
    const err = await long.catch((e) => e);
    expect(err).toBeInstanceOf(lib.NablaError);
    expect(err.message).toMatch(/^train\(data, options\): this NetworkWorker must be a live worker, received one on which terminate\(\) was called while this call was running/);
  });

  it("a null or malformed message gets an error reply; the worker lives on", async () => {
    const { Worker } = await import("node:worker_threads");
    const entry = new URL("../dist/worker/entry.js", import.meta.url);
    const raw = new Worker(entry);
    try {
      const replies: { id: number; ok: boolean; error?: { name: string; message: string } }[] = [];
      let wake = () => {};
      raw.on("message", (m) => { replies.push(m); wake(); });
      const next = async () => { while (replies.length === 0) await new Promise<void>((r) => { wake = r; }); return replies.shift()!; };
      expect((await next()).ok).toBe(true); // ready
      for (const bad of [null, 42, "train", { id: 5 }, { id: 6, op: "train" }, { id: 7, op: "nonsense", args: [] }]) {
        raw.postMessage(bad);
        const r = await next();
        expect(r.ok, JSON.stringify(bad)).toBe(false);
        expect(r.error!.name).toBe("NablaError");
        expect(r.id).toBe(bad !== null && typeof bad === "object" && "id" in bad ? bad.id : -1);
      }
      raw.postMessage({ id: 8, op: "create", args: [[2, 3, 1], { seed: 1 }] });
      const ok = await next();
      expect(ok).toMatchObject({ id: 8, ok: true });
    } finally {
      await raw.terminate();
    }
  });
});
