// Monitoring like network2.py: per-epoch training/evaluation cost and accuracy, early stopping,
// the halve-η learning-rate schedule, and their option errors.
import { describe, it, expect } from "vitest";
import { Network, OptionError } from "../src/index.js";
import type { EpochStats } from "../src/index.js";
import { BACKENDS } from "./helpers.js";
import { Random } from "../src/random.js";

/** A learnable 3-class problem: class = which of the first three inputs is largest. */
function problem(count: number, seed: number): [number[], number][] {
  const rng = new Random(seed);
  return Array.from({ length: count }, () => {
    const x = Array.from({ length: 4 }, () => rng.next());
    return [x, x.slice(0, 3).indexOf(Math.max(...x.slice(0, 3)))];
  });
}
const train = problem(120, 1), test = problem(60, 2);
const make = (backend: string) => new Network([4, 8, 3], { backend: backend as never, seed: 9, cost: "log-likelihood", activation: "tanh" });

describe.each(BACKENDS)("monitoring on %s", (backend) => {
  it("monitorTraining: trainingCost/trainingAccuracy equal evaluate(trainingData) after each epoch; test stats equal evaluate(testData)", () => {
    const net = make(backend);
    const seen: { stats: EpochStats; train: ReturnType<Network["evaluate"]>; test: ReturnType<Network["evaluate"]> }[] = [];
    const history = net.train(train, {
      epochs: 4, batchSize: 10, learningRate: 0.5, lambda: 0.1, monitorTraining: true, testData: test,
      onEpoch: (stats) => { seen.push({ stats, train: net.evaluate(train), test: net.evaluate(test) }); },
    });
    expect(history.length).toBe(4);
    for (const { stats, train: tr, test: te } of seen) {
      expect(stats.trainingCost).toBe(tr.cost);
      expect(stats.trainingAccuracy).toBe(tr.accuracy);
      expect(stats.testCost).toBe(te.cost);
      expect(stats.accuracy).toBe(te.accuracy);
      expect(stats.correct).toBe(te.correct);
      expect(stats.total).toBe(test.length);
      expect(stats.eta).toBe(0.5);
    }
    // It learned something, so these numbers are not constants.
    expect(history[3].trainingCost!).toBeLessThan(history[0].trainingCost!);
    expect(history.map((h, e) => h.epoch)).toEqual([0, 1, 2, 3]);
  });

  it("without the options, the extra fields are absent", () => {
    const [s] = make(backend).train(train, { epochs: 1 });
    expect(s.trainingCost).toBeUndefined();
    expect(s.trainingAccuracy).toBeUndefined();
    expect(s.accuracy).toBeUndefined();
    expect(s.testCost).toBeUndefined();
    expect(Number.isFinite(s.cost)).toBe(true);
  });

  it("stats.cost is the mean cost of the epoch's mini-batches before their updates (= evaluate when η ≈ 0)", () => {
    const net = make(backend);
    const before = net.evaluate(train).cost;
    const [s] = net.train(train, { epochs: 1, learningRate: 1e-12, monitorTraining: true });
    expect(s.cost).toBeCloseTo(before, 6);
    expect(s.trainingCost!).toBeCloseTo(before, 6);
  });

  it("onEpoch may call evaluate on a larger data set without disturbing training", () => {
    // A callback that evaluates 600 samples grows the batch buffers in the middle of train().
    const big = problem(600, 3);
    const a = make(backend), b = make(backend);
    const ha = a.train(train, { epochs: 3, batchSize: 10, learningRate: 0.5 });
    const hb = b.train(train, { epochs: 3, batchSize: 10, learningRate: 0.5, onEpoch: () => { b.evaluate(big); } });
    expect(b.weights).toEqual(a.weights);
    expect(hb.map((h) => h.cost)).toEqual(ha.map((h) => h.cost));
  });

  it("onEpoch returning false stops training", () => {
    const h = make(backend).train(train, { epochs: 10, onEpoch: (s) => s.epoch < 2 });
    expect(h.length).toBe(3);
  });

  it("earlyStopping: stops after n epochs without a better test accuracy (η so small accuracy cannot change)", () => {
    const net = make(backend);
    const h = net.train(train, { epochs: 50, learningRate: 1e-12, testData: test, earlyStopping: 3 });
    expect(new Set(h.map((s) => s.accuracy)).size).toBe(1);
    expect(h.length).toBe(4); // epoch 0 sets the best; epochs 1, 2, 3 do not beat it → stop
  });

  it("earlyStopping on a run that learns: stops exactly at the first run of n epochs without improvement", () => {
    const n = 3;
    const h = make(backend).train(train, { epochs: 60, learningRate: 0.5, batchSize: 10, testData: test, earlyStopping: n });
    let best = -1, since = 0, stopAt = h.length;
    for (let e = 0; e < h.length; e++) {
      if (h[e].accuracy! > best) { best = h[e].accuracy!; since = 0; } else since++;
      if (since >= n) { stopAt = e + 1; break; }
    }
    expect(h.length).toBe(stopAt);
    expect(h.length).toBeGreaterThan(n + 1); // it did improve for a while
  });

  it("schedule: halves η after `patience` epochs without improvement and stops when η reaches η₀/128", () => {
    const eta0 = 1e-12, patience = 2;
    const h = make(backend).train(train, { epochs: 100, learningRate: eta0, testData: test, schedule: { patience } });
    // accuracy never improves after epoch 0: η₀ for epochs 0..2, then each halving after `patience` more
    const want = [eta0, eta0, eta0];
    for (let k = 1; k < 7; k++) want.push(eta0 / 2 ** k, eta0 / 2 ** k);
    // … the next halving would reach η₀/128: training stops there (network2's exercise)
    expect(h.map((s) => s.eta)).toEqual(want);
  });

  it("schedule on a run that learns: η only halves after `patience` stalled epochs", () => {
    const patience = 1, eta0 = 0.5;
    const h = make(backend).train(train, { epochs: 30, learningRate: eta0, batchSize: 10, testData: test, schedule: { patience } });
    expect(new Set(h.map((s) => s.eta)).size).toBeGreaterThan(2); // it did halve, more than once
    let eta = eta0, best = -1, since = 0;
    for (const s of h) {
      expect(s.eta).toBe(eta);
      if (s.accuracy! > best) { best = s.accuracy!; since = 0; } else since++;
      if (since >= patience) { eta /= 2; since = 0; }
    }
  });
});

describe("monitoring option errors", () => {
  const check = (options: object, argument: string) => {
    const net = new Network([4, 3], { seed: 1 });
    const w = net.weights;
    let e: unknown;
    try { net.train(train, options as never); } catch (x) { e = x; }
    expect(e, JSON.stringify(options)).toBeInstanceOf(OptionError);
    expect((e as OptionError).argument).toBe(argument);
    expect(net.weights, "a failed call leaves the network unchanged").toEqual(w);
  };
  it("bad values name the option", () => {
    check({ earlyStopping: 3 }, "options.testData");
    check({ schedule: { patience: 3 } }, "options.testData");
    check({ earlyStopping: -1, testData: test }, "options.earlyStopping");
    check({ earlyStopping: 1.5, testData: test }, "options.earlyStopping");
    check({ schedule: { patience: 0 }, testData: test }, "options.schedule.patience");
    check({ schedule: { patiense: 2 }, testData: test }, "options.schedule.patiense");
    check({ schedule: 10, testData: test }, "options.schedule");
    check({ monitorTraining: "yes" }, "options.monitorTraining");
    check({ onEpoch: "log" }, "options.onEpoch");
    check({ monitorTrainingCost: true }, "options.monitorTrainingCost");
  });
});
