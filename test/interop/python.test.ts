// PyTorch and the onnx package's checker, where this machine has them (`import onnx, torch` in
// python3; Debian: apt-get install python3-onnx python3-torch). Skipped, and said so, elsewhere:
// ONNX Runtime and tfjs-layers (onnx.test.ts, tfjs.test.ts) are the checks that always run.
import { describe, it, expect, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Network, type Activation, type NetworkJSON } from "../../src/index.js";
import { toONNX, fromONNX } from "../../src/interop/index.js";
import { tempDir } from "../cli/helpers.js";
import { uniform, maxRelError } from "./runtimes.js";

// The first python3 that has both (a pyenv shim may come before Debian's /usr/bin/python3).
const PYTHON = ["python3", "/usr/bin/python3"].find((p) => spawnSync(p, ["-c", "import onnx, torch"]).status === 0);
const available = PYTHON !== undefined;
const SCRIPT = fileURLToPath(new URL("./pytorch_check.py", import.meta.url));
const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe.skipIf(!available)("PyTorch and onnx.checker (python3 with onnx and torch)", () => {
  it("exported models pass onnx.checker; the initializers recipe in torch equals nabla; torch.onnx.export imports and agrees", () => {
    const cases: Record<string, unknown>[] = [];
    const add = (name: string, model: Network | NetworkJSON, net: Network, x: Float32Array) => {
      const i = cases.length;
      writeFileSync(tmp.path(`${i}.onnx`), toONNX(model));
      writeFileSync(tmp.path(`${i}.x.bin`), x);
      writeFileSync(tmp.path(`${i}.y.bin`), net.feedforwardBatch(x));
      cases.push({ name, onnx: `${i}.onnx`, inputs: `${i}.x.bin`, outputs: `${i}.y.bin`, nIn: net.sizes[0], nOut: net.sizes.at(-1) });
    };
    const acts: [Activation, Activation][] = [["sigmoid", "sigmoid"], ["tanh", "softmax"], ["relu", "linear"], ["leaky-relu", "tanh"], ["linear", "leaky-relu"]];
    for (const [h, o] of acts) {
      const net = new Network([6, 9, 7, 4], { activation: h, output: o, cost: o === "softmax" ? "log-likelihood" : "quadratic", init: "glorot", seed: 3 });
      add(`${h}/${o}`, net, net, uniform(1000, 6, 5));
    }
    // A standardized model: torch computes (x − mean) / std, nabla gets the standardized inputs.
    const net = new Network([4, 5, 3], { activation: "relu", output: "softmax", cost: "log-likelihood", seed: 2 });
    const mean = [10, -3, 0.5, 200].map(Math.fround), std = [2, 0.1, 1, 50].map(Math.fround);
    const u = uniform(1000, 4, 6), raw = u.map((v, i) => mean[i % 4] + std[i % 4] * v), z = raw.map((v, i) => (v - mean[i % 4]) / std[i % 4]);
    const json = { ...net.toJSON(), preprocessing: { mean, std } } as NetworkJSON;
    const i = cases.length;
    writeFileSync(tmp.path(`${i}.onnx`), toONNX(json));
    writeFileSync(tmp.path(`${i}.x.bin`), raw);
    writeFileSync(tmp.path(`${i}.y.bin`), net.feedforwardBatch(z));
    cases.push({ name: "standardized", onnx: `${i}.onnx`, inputs: `${i}.x.bin`, outputs: `${i}.y.bin`, nIn: 4, nOut: 3 });
    writeFileSync(tmp.path("cases.json"), JSON.stringify(cases));

    const run = spawnSync(PYTHON!, [SCRIPT, tmp.dir], { encoding: "utf8", timeout: 300_000 });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
    console.log(`PyTorch ${out.torch.version}, onnx ${out.torch.onnx}; torch.onnx.export wrote ${out.torch.ops.join(", ")}`);
    expect(out.cases).toHaveLength(cases.length);
    for (const c of out.cases) {
      expect(c.checker, c.name).toBe(true);
      expect(c.maxRelError, c.name).toBeLessThanOrEqual(1e-5);
    }
    // The reverse: torch's own ONNX export read by fromONNX, outputs equal torch's.
    const tn = fromONNX(readFileSync(tmp.path("torch.onnx")));
    expect(tn.sizes).toEqual([5, 8, 6, 4]);
    expect(tn.activations).toEqual(["tanh", "leaky-relu", "softmax"]);
    const tx = new Float32Array(new Uint8Array(readFileSync(tmp.path("torch.x.bin"))).buffer);
    const ty = new Float32Array(new Uint8Array(readFileSync(tmp.path("torch.y.bin"))).buffer);
    expect(maxRelError(tn.feedforwardBatch(tx), ty)).toBeLessThanOrEqual(1e-5);
  });
});

