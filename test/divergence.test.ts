// The divergence guard: when the cost or a weight becomes NaN/±Infinity, train() throws a
// DivergenceError naming the epoch, the mini-batch and η, returns the history so far with it,
// and leaves the network bit-for-bit at its state at the START OF THE FAILING EPOCH
// (weights, biases, optimizer state, Adam's t and the shuffling generator) — see docs/reliability.md.
import { describe, it, expect } from "vitest";
import {
  Network, NablaError, DivergenceError, DisposedError, DataError,
  type Activation, type Cost, type EpochStats, type NetworkJSON, type OptimizerOption,
} from "../src/index.js";
import { Random } from "../src/random.js";
import { BACKENDS } from "./helpers.js";

/** 40 samples of a smooth 4 → 3 regression, seeded. */
function regression(seed = 3, count = 40): [number[], number[]][] {
  const rng = new Random(seed);
  return Array.from({ length: count }, () => {
    const x = [rng.next(), rng.next(), rng.next(), rng.next()];
    return [x, [x[0], 1 - x[1], 0.5 * (x[2] + x[3])]];
  });
}

/** Every bit of the saved state: JSON text plus the raw f32 bits of weights and biases. */
function state(net: Network) {
  const f32 = Float32Array.from([...net.weights.flat(2), ...net.biases.flat()]);
  return { json: JSON.stringify(net.toJSON()), bits: Array.from(new Uint32Array(f32.buffer)) };
}

/** Runs f and returns the DivergenceError it must throw. */
function divergence(f: () => unknown): DivergenceError {
  let err: unknown;
  try { f(); } catch (e) { err = e; }
  expect(err, "train() did not throw").toBeInstanceOf(DivergenceError);
  expect(err).toBeInstanceOf(NablaError);
  return err as DivergenceError;
}

describe.each(BACKENDS)("divergence guard on %s", (backend) => {
  it("η = 1e6 (linear output, quadratic cost): DivergenceError in epoch 0, network exactly as before the call", () => {
    const data = regression();
    const net = new Network([4, 8, 3], { seed: 1, backend, output: "linear" });
    net.train(data, { epochs: 2, learningRate: 0.01 }); // some honest training first
    const before = state(net);
    const err = divergence(() => net.train(data, { epochs: 5, learningRate: 1e6 }));
    expect(err.epoch).toBe(0);
    expect(err.eta).toBe(1e6);
    expect(err.batch).toBeGreaterThanOrEqual(-1);
    expect(err.batch).toBeLessThan(4); // 40 samples / m = 10
    expect(err.history).toEqual([]);
    expect(err.message).toContain("η = 1000000");
    expect(err.message).toContain("epoch 0");
    expect(err.message).toMatch(/smaller/);
    expect(err.message).toMatch(/restored to its state at the start of epoch 0/);
    expect(state(net)).toEqual(before);
    // Still usable afterwards, from the restored state: a sane η trains without error.
    const h = net.train(data, { epochs: 1, learningRate: 0.01 });
    expect(Number.isFinite(h[0].cost)).toBe(true);
  });

  it.each<[OptimizerOption, number]>([["sgd", 0.2], ["momentum", 0.05]])(
    "divergence in a later epoch (%s, η = %s): restored to the start of that epoch, history of the epochs before it",
    (optimizer, eta) => {
      // Linear output, inputs scaled ×8 so an η that looks sane at first blows up after a few epochs.
      const data = regression(5).map(([x, y]) => [x.map((v) => 8 * v), y] as [number[], number[]]);
      const net = new Network([4, 8, 3], { seed: 2, backend, activation: "relu", output: "linear" });
      const atEpochEnd: ReturnType<typeof state>[] = [];
      const seen: EpochStats[] = [];
      // Find an η that diverges after ≥ 1 good epoch, growing it from the given start.
      let err: DivergenceError | null = null;
      for (let e = eta; e < 1e4 && !err; e *= 2) {
        const probe = Network.fromJSON(net.toJSON(), { backend });
        try { probe.train(data, { epochs: 40, learningRate: e, optimizer }); } catch (x) {
          if (x instanceof DivergenceError && x.epoch >= 1) {
            err = divergence(() => net.train(data, {
              epochs: 40, learningRate: e, optimizer,
              onEpoch: (s) => { atEpochEnd.push(state(net)); seen.push(s); },
            }));
          }
        }
      }
      expect(err, "no η in range diverged after a good epoch").not.toBeNull();
      const d = err!;
      expect(d.epoch).toBeGreaterThanOrEqual(1);
      expect(d.history).toHaveLength(d.epoch);
      expect(d.history).toEqual(seen);
      (d.history as EpochStats[]).forEach((h, i) => {
        expect(h.epoch).toBe(i);
        expect(Number.isFinite(h.cost)).toBe(true);
      });
      // State at the start of epoch d.epoch = state at the end of epoch d.epoch − 1.
      expect(state(net)).toEqual(atEpochEnd[d.epoch - 1]);
      const json = net.toJSON() as NetworkJSON;
      if (optimizer !== "sgd") expect(json.optimizer?.name).toBe(optimizer);
      expect([...json.weights.flat(2), ...json.biases.flat()].every(Number.isFinite)).toBe(true);
    });

  it.each<OptimizerOption>(["sgd", "momentum", "adam"])(
    "divergence forced in epoch 2 (%s): optimizer state, Adam's t and the generator restored to the start of epoch 2", (optimizer) => {
      // After epoch 1, onEpoch sets the output weights to 3e38: the first forward pass of
      // epoch 2 overflows (cost = Infinity) in mini-batch 0.
      const data = regression(11);
      const net = new Network([4, 8, 3], { seed: 6, backend, output: "linear" });
      let atStartOf2: ReturnType<typeof state> | null = null;
      const err = divergence(() => net.train(data, {
        epochs: 10, learningRate: 0.05, optimizer,
        onEpoch: (s) => {
          if (s.epoch === 1) {
            net.weights = net.weights.map((w, l) => (l === 1 ? w.map((r) => r.map(() => 3e38)) : w));
            atStartOf2 = state(net);
          }
        },
      }));
      expect(err.epoch).toBe(2);
      // Found by the per-batch cost check (a mini-batch index) or, since forward clamps z to
      // ±3.4e38 so outputs stay finite, by the weight check at the end of the epoch (−1).
      expect(err.batch === -1 || (err.batch >= 0 && err.batch < 4), `batch ${err.batch}`).toBe(true);
      expect(err.history).toHaveLength(2);
      expect(state(net)).toEqual(atStartOf2);
      const json = net.toJSON() as NetworkJSON;
      if (optimizer === "adam") expect(json.optimizer?.t).toBe(8); // 2 epochs × 4 mini-batches
    });

  it("a NaN the cost cannot see (ReLU masks NaN, the log guard masks NaN outputs) is caught at the end of the epoch", () => {
    // [1, 1, 1], ReLU hidden, sigmoid output, cross-entropy: w0 = 3e38 makes the hidden
    // activation huge; the first update pushes w1 to −Infinity, the next makes δ^1 = −∞·0 = NaN
    // and w0 = NaN; from then on relu(NaN) = 0 and the cost's log guard hide it from the
    // per-batch check. The end-of-epoch weight check must still refuse the epoch.
    const net = new Network([1, 1, 1], { seed: 1, backend, activation: "relu", cost: "cross-entropy" });
    net.weights = [[[3e38]], [[1]]];
    net.biases = [[0], [0]];
    const before = state(net);
    const data: [number[], number[]][] = [[[1], [0]], [[1], [0]], [[1], [0]], [[1], [0]]];
    const err = divergence(() => net.train(data, { epochs: 3, batchSize: 1, learningRate: 10, shuffle: false }));
    expect(err.epoch).toBe(0);
    expect(state(net)).toEqual(before);
    expect(net.weights).toEqual([[[Math.fround(3e38)]], [[1]]]);
  });

  it.each<[Activation, Activation, Cost]>([
    ["sigmoid", "linear", "quadratic"], ["relu", "linear", "quadratic"], ["leaky-relu", "linear", "quadratic"],
    ["tanh", "linear", "quadratic"],
  ])("η = 1e6 with %s hidden / %s output: error and exact restore, for sgd and momentum", (activation, output, cost) => {
    for (const optimizer of ["sgd", "momentum"] as const) {
      const data = regression(7);
      const net = new Network([4, 6, 5, 3], { seed: 4, backend, activation, output, cost });
      net.train(data, { epochs: 1, learningRate: 0.01, optimizer });
      const before = state(net);
      const err = divergence(() => net.train(data, { epochs: 3, learningRate: 1e6, optimizer }));
      expect(err.epoch, `${optimizer}`).toBe(0);
      expect(state(net), `${optimizer}: restored`).toEqual(before);
    }
  });

  it.each<[OptimizerOption, OptimizerOption]>([["momentum", "sgd"], ["adam", "sgd"], ["adam", "momentum"], ["momentum", "adam"]])(
    "switching optimizer (%s, then %s), then diverging in the first epoch, leaves the previous optimizer state intact", (first, then) => {
      // A failed call leaves the network unchanged: the velocities (and Adam's second moments)
      // from the first call must survive a second call with another optimizer that diverges at
      // once — the epoch's snapshot holds the state blocks of both (the guard copies only the
      // blocks an optimizer keeps).
      const data = regression();
      const net = new Network([4, 8, 3], { seed: 1, backend, output: "linear" });
      net.train(data, { epochs: 2, learningRate: 0.01, optimizer: first });
      const before = state(net);
      expect(net.toJSON().optimizer?.name).toBe(first);
      // (Adam's steps are about η each, whatever the gradient: η = 1e37 makes it overflow at once.)
      const err = divergence(() => net.train(data, { epochs: 3, learningRate: then === "adam" ? 1e37 : 1e10, optimizer: then }));
      expect(err.epoch, "diverged in epoch 0").toBe(0);
      expect(state(net)).toEqual(before);
    });
});

describe("callbacks that dispose the network", () => {
  // Either a DisposedError or training stops and returns the history so far — never a TypeError
  // from the released memory.
  const outcome = (f: () => EpochStats[]) => {
    try { return { history: f() }; } catch (e) { return { error: e }; }
  };

  it("dispose() inside onProgress: train() stops (or throws a DisposedError), not a TypeError", () => {
    const net = new Network([4, 8, 3], { seed: 1 });
    const r = outcome(() => net.train(regression(), { epochs: 2, onProgress: () => net.dispose() }));
    if ("error" in r) expect(r.error).toBeInstanceOf(DisposedError);
    else expect(r.history!.length).toBeLessThanOrEqual(1);
    expect(net.disposed).toBe(true);
  });

  it("dispose() inside onEpoch: train() stops after that epoch (or throws a DisposedError), not a TypeError", () => {
    const net = new Network([4, 8, 3], { seed: 1 });
    const r = outcome(() => net.train(regression(), { epochs: 3, onEpoch: () => net.dispose(), testData: regression(9, 5) }));
    if ("error" in r) expect(r.error).toBeInstanceOf(DisposedError);
    else expect(r.history).toHaveLength(1);
    expect(net.disposed).toBe(true);
  });
});

describe.each(BACKENDS)("a failing callback or data buffer leaves the network at the epoch's start (%s)", (backend) => {
  const tensors = () => {
    const rows = regression(3, 40);
    return { inputs: Float32Array.from(rows.flatMap((r) => r[0])), outputs: Float32Array.from(rows.flatMap((r) => r[1])) };
  };

  it("a throw from onProgress mid-epoch: rethrown as is, network and generator exactly as at the epoch's start", () => {
    const net = new Network([4, 8, 3], { seed: 1, backend });
    net.train(regression(), { epochs: 1, learningRate: 0.5 });
    const before = state(net);
    const boom = new Error("boom");
    let calls = 0;
    expect(() => net.train(regression(), { epochs: 2, learningRate: 0.5, batchSize: 5, onProgress: () => { if (++calls === 3) throw boom; } }))
      .toThrow(boom);
    expect(state(net)).toEqual(before);
  });

  it("a throw from onEpoch: the network goes back to the start of that epoch (the epochs before it stay)", () => {
    const a = new Network([4, 8, 3], { seed: 1, backend }), b = new Network([4, 8, 3], { seed: 1, backend });
    const opts = { learningRate: 0.5, optimizer: "adam" as const };
    a.train(regression(), { epochs: 1, ...opts }); // the reference: exactly epoch 0
    expect(() => b.train(regression(), { epochs: 3, ...opts, onEpoch: (s) => { if (s.epoch === 1) throw new RangeError("stop"); } }))
      .toThrow(RangeError);
    expect(state(b)).toEqual(state(a));
  });

  it("a data buffer detached mid-training (in onProgress): a DataError, network as at the epoch's start", () => {
    const net = new Network([4, 8, 3], { seed: 1, backend });
    const data = tensors(), before = state(net);
    let err: unknown;
    try {
      net.train(data, { epochs: 2, batchSize: 5, onProgress: (done) => { if (done >= 10) structuredClone(data.inputs.buffer, { transfer: [data.inputs.buffer] }); } });
    } catch (e) { err = e; }
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).argument).toBe("data");
    expect((err as Error).message).toMatch(/detached/);
    expect(state(net)).toEqual(before);
  });

  it("train() re-entered from onEpoch or onProgress is refused with a clear error; the outer call goes on unharmed", () => {
    const a = new Network([4, 8, 3], { seed: 1, backend }), b = new Network([4, 8, 3], { seed: 1, backend });
    a.train(regression(), { epochs: 2, learningRate: 0.5 });
    const inner: unknown[] = [];
    const reenter = () => { try { b.train(regression(), { epochs: 1, optimizer: "adam" }); } catch (e) { inner.push(e); } };
    b.train(regression(), { epochs: 2, learningRate: 0.5, onEpoch: reenter, onProgress: reenter });
    expect(inner.length).toBeGreaterThan(2);
    for (const e of inner) {
      expect(e).toBeInstanceOf(NablaError);
      expect((e as Error).message).toMatch(/train\(data, options\): the network must be idle \(one training run at a time\)/);
    }
    expect(state(b)).toEqual(state(a)); // the refused calls changed nothing (no Adam under an SGD label)
    expect(b.toJSON().optimizer).toBeUndefined();
    // After the run, training works again.
    expect(b.train(regression(), { epochs: 1 })).toHaveLength(1);
  });

  it("epochs(): return() mid-epoch undoes that epoch, at an epoch event keeps it; the same records as train()", () => {
    const a = new Network([4, 8, 3], { seed: 1, backend }), b = new Network([4, 8, 3], { seed: 1, backend });
    const h = a.train(regression(), { epochs: 2, learningRate: 0.5, batchSize: 5 });
    const run = b.epochs(regression(), { epochs: 5, learningRate: 0.5, batchSize: 5 });
    const seen: EpochStats[] = [];
    for (const e of run) {
      if (e.type === "epoch") seen.push(e.stats);
      if (e.type === "epoch" && e.stats.epoch === 1) break; // return() at an epoch event
    }
    expect(seen.map((s) => s.cost)).toEqual(h.map((s) => s.cost));
    expect(state(b)).toEqual(state(a));
    const mid = b.epochs(regression(), { epochs: 1, batchSize: 5 });
    mid.next(); mid.next(); // two progress events into the epoch
    mid.return([]);
    expect(state(b)).toEqual(state(a));
  });
});

describe("fromJSON: the model is private to the call", () => {
  it("a getter in the options that builds another Network cannot take the model's weights", () => {
    const src = new Network([3, 4, 2], { seed: 5 });
    src.train([[[0, 1, 0], [1, 0]], [[1, 0, 1], [0, 1]]], { epochs: 2 });
    const json = src.toJSON();
    let inner: Network | null = null;
    const options = { get seed() { inner = new Network([3, 4, 2], { seed: 9 }); return undefined; } };
    const outer = Network.fromJSON(json, options);
    expect(outer.weights).toEqual(json.weights);
    expect(outer.biases).toEqual(json.biases);
    expect(inner).not.toBeNull();
    expect(inner!.weights).toEqual(new Network([3, 4, 2], { seed: 9 }).weights);
  });
});
