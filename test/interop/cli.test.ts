// `nabla export` and `nabla train --init-from`, run as a user runs them (dist/cli/main.js in its
// own process), with the exported files loaded in ONNX Runtime and tfjs-layers.
import { describe, it, expect, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Network } from "../../src/index.js";
import { tempDir } from "../cli/helpers.js";
import { runOnnx, tfjs, runTfjs, rng, maxRelError } from "./runtimes.js";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const tmp = tempDir();
afterAll(() => tmp.cleanup());

function nabla(...args: string[]) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build)`);
  return spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
}

// Three classes, four features on very different scales (so the standardization matters).
const r = rng(3);
const rows: number[][] = [];
for (let i = 0; i < 120; i++) {
  const k = i % 3;
  rows.push([1000 + 100 * k + 30 * (r() - 0.5), 0.01 * k + 0.01 * (r() - 0.5), 5 * r(), -50 + 20 * k + 10 * r(), k]);
}
const csv = tmp.path("three.csv");
writeFileSync(csv, "a,b,c,d,label\n" + rows.map((x) => x.map((v, i) => (i === 4 ? `k${v}` : v.toFixed(5))).join(",")).join("\n") + "\n");
const raw = Float32Array.from(rows.flatMap((x) => x.slice(0, 4)));

describe("nabla export", () => {
  const model = tmp.path("three.json");
  const train = nabla("train", "--data", csv, "--hidden", "6", "--activation", "tanh", "--cost", "log-likelihood", "--eta", "0.5", "--epochs", "3", "--quiet", "--save", model);

  /** The CLI's model as the library computes it on the raw features: its standardization is the network's preprocessing. */
  function reference(): Float32Array {
    const json = JSON.parse(readFileSync(model, "utf8"));
    expect(json.preprocessing, "the CLI saves its standardization as the network's preprocessing").toBeDefined();
    return Network.fromJSON(json).feedforwardBatch(raw);
  }

  it("--format onnx: ONNX Runtime on the raw CSV features equals the CLI's model (standardization included)", async () => {
    expect(train.status, train.stderr).toBe(0);
    const out = tmp.path("three.onnx");
    const e = nabla("export", model, "--format", "onnx", "--out", out);
    expect(e.status, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/wrote .*three\.onnx: ONNX \(IR 8, opset 13\), \[4, 6, 3\] tanh\/softmax.*standardization included/);
    const ort = await runOnnx(new Uint8Array(readFileSync(out)), raw, 4);
    expect(maxRelError(ort.data, reference())).toBeLessThanOrEqual(1e-5);
  });

  it("--format tfjs: model.json + weights.bin that tfjs-layers loads, equal on the raw features", async () => {
    const dir = tmp.path("three-tfjs");
    const e = nabla("export", model, "--format", "tfjs", "--out", dir);
    expect(e.status, e.stderr).toBe(0);
    const mj = JSON.parse(readFileSync(`${dir}/model.json`, "utf8"));
    expect(mj.format).toBe("layers-model");
    expect(mj.weightsManifest[0].paths).toEqual(["weights.bin"]);
    const bin = readFileSync(`${dir}/weights.bin`);
    const { tf, tfl } = await tfjs();
    const m = await tfl.loadLayersModel(tf.io.fromMemory({
      modelTopology: mj.modelTopology, weightSpecs: mj.weightsManifest[0].weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    }));
    expect(maxRelError(await runTfjs(m, raw, 4), reference())).toBeLessThanOrEqual(1e-5);
  });

  it("usage errors: no --format, a directory for ONNX, two models", () => {
    const a = nabla("export", model);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/--format must be onnx or tfjs/);
    const b = nabla("export", model, "--format", "onnx", "--out", tmp.dir);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/that is a directory/);
    expect(nabla("export", model, model, "--format", "onnx").status).toBe(2);
    expect(nabla("help", "export").stdout).toMatch(/nabla export <model.json> --format onnx\|tfjs/);
  });
});

describe("nabla train --init-from", () => {
  const start = tmp.path("start.json");
  const common = ["--data", csv, "--no-standardize", "--no-shuffle", "--eta", "0.001", "--epochs", "2", "--quiet"];

  it("from model.json, model.onnx and a TF.js directory: the same starting network, so the same trained weights", () => {
    const t = nabla("train", ...common, "--hidden", "5", "--activation", "sigmoid", "--cost", "log-likelihood", "--save", start);
    expect(t.status, t.stderr).toBe(0);
    expect(nabla("export", start, "--format", "onnx", "--out", tmp.path("start.onnx")).status).toBe(0);
    expect(nabla("export", start, "--format", "tfjs", "--out", tmp.path("start-tfjs")).status).toBe(0);
    const trained = [start, tmp.path("start.onnx"), tmp.path("start-tfjs"), tmp.path("start-tfjs/model.json")].map((from, i) => {
      const save = tmp.path(`from-${i}.json`);
      const run = nabla("train", ...common, "--init-from", from, "--save", save);
      expect(run.status, run.stderr).toBe(0);
      return JSON.parse(readFileSync(save, "utf8"));
    });
    const original = JSON.parse(readFileSync(start, "utf8"));
    expect([trained[0].weights, trained[0].biases]).not.toEqual([original.weights, original.biases]); // it trained
    for (const t of trained) {
      expect(t.sizes).toEqual([4, 5, 3]);
      expect(t.cost).toBe("log-likelihood");
      expect(t.weights).toEqual(trained[0].weights);
      expect(t.biases).toEqual(trained[0].biases);
    }
  });

  it("refuses a network that does not fit the data, architecture flags beside it, and a missing file", () => {
    const other = tmp.path("other.json");
    writeFileSync(other, JSON.stringify(new Network([7, 3], { seed: 1 }).toJSON()));
    const a = nabla("train", ...common, "--init-from", other);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/the network is \[7, 3\] but the data has 4 inputs and 3 classes/);
    const b = nabla("train", ...common, "--init-from", start, "--hidden", "9");
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/--hidden cannot be combined with --init-from/);
    const c = nabla("train", ...common, "--init-from", tmp.path("none.onnx"));
    expect(c.status).toBe(1);
    expect(c.stderr).toMatch(/none\.onnx.*no such file/);
    const d = nabla("train", ...common, "--init-from", csv);
    expect(d.status).toBe(1);
    expect(d.stderr).toMatch(/ModelFormatError|must be/);
  });
});
