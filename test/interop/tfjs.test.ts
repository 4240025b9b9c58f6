// nabla → TF.js layers, checked in tfjs-layers on the CPU backend; TF.js → nabla, round trips
// exact; models built and initialized in tfjs-layers read and checked against its predict();
// hostile artifacts refused with a ModelFormatError before allocating.
import { describe, it, expect } from "vitest";
import { Network, ModelFormatError, type Activation, type NetworkJSON } from "../../src/index.js";
import { toTfjs, fromTfjs, tfjsToJSON, type TfjsArtifacts } from "../../src/interop/index.js";
import { tfjs, runTfjs, uniform, maxRelError, rng } from "./runtimes.js";

const HIDDEN: Activation[] = ["sigmoid", "tanh", "relu", "leaky-relu", "linear"];
const OUTPUT: Activation[] = ["sigmoid", "tanh", "relu", "leaky-relu", "linear", "softmax"];
const COUNT = 1000;
const TOL = 1e-5;

function bits(net: Network): Uint32Array[] {
  const j = net.toJSON();
  return [...j.weights.map((w) => new Uint32Array(Float32Array.from(w.flat()).buffer)), ...j.biases.map((b) => new Uint32Array(Float32Array.from(b).buffer))];
}

async function load(a: TfjsArtifacts) {
  const { tf, tfl } = await tfjs();
  return tfl.loadLayersModel(tf.io.fromMemory(a));
}

describe("toTfjs in tfjs-layers", () => {
  const x = uniform(COUNT, 6, 31);
  const cases: [number[], Activation, Activation][] = [];
  for (const o of OUTPUT) cases.push([[6, 4], "sigmoid", o]);
  for (const h of HIDDEN) for (const o of OUTPUT) cases.push([[6, 9, 7, 4], h, o]);
  for (const [i, [sizes, activation, output]] of cases.entries()) {
    it(`[${sizes.join(", ")}] ${sizes.length > 2 ? activation + "/" : ""}${output}: predict() equals feedforwardBatch; fromTfjs gives the same network back`, async () => {
      const net = new Network(sizes, { activation, output, cost: output === "softmax" ? "log-likelihood" : "quadratic", init: "glorot", seed: 200 + i });
      const artifacts = toTfjs(net);
      const model = await load(artifacts);
      expect(model.inputs[0].shape).toEqual([null, 6]);
      expect(maxRelError(await runTfjs(model, x, 6), net.feedforwardBatch(x))).toBeLessThanOrEqual(TOL);
      model.dispose();

      const back = fromTfjs(artifacts);
      expect(back.sizes).toEqual(net.sizes);
      expect(back.activations).toEqual(net.activations);
      expect(back.cost).toBe(net.cost);
      expect(bits(back)).toEqual(bits(net));
    });
  }

  it("a standardized model: a leading BatchNormalization (epsilon 0) computes (x − mean) / std in tfjs; read back exactly", async () => {
    const nIn = 6, net = new Network([nIn, 8, 3], { activation: "relu", output: "softmax", cost: "log-likelihood", seed: 4 });
    const r = rng(13);
    const mean = Array.from({ length: nIn }, () => Math.fround(100 * (r() - 0.5)));
    const std = Array.from({ length: nIn }, () => Math.fround(0.01 + 50 * r()));
    const json = { ...net.toJSON(), preprocessing: { mean, std } } as NetworkJSON;
    const artifacts = toTfjs(json);
    const u = uniform(COUNT, nIn, 14), raw = new Float32Array(u.length), z = new Float32Array(u.length);
    for (let i = 0; i < u.length; i++) {
      const k = i % nIn;
      raw[i] = mean[k] + std[k] * u[i];
      z[i] = (raw[i] - mean[k]) / std[k];
    }
    const model = await load(artifacts);
    const y = await runTfjs(model, raw, nIn);
    expect(maxRelError(y, net.feedforwardBatch(z))).toBeLessThanOrEqual(TOL);
    const back = tfjsToJSON(artifacts);
    expect(back.preprocessing).toEqual({ mean, std }); // std = √(std²) is exact in float32
    expect(back.weights).toEqual(json.weights);
    // The imported network applies the preprocessing: it agrees with the runtime on raw inputs.
    const imported = fromTfjs(artifacts);
    expect(imported.preprocessing).not.toBeNull();
    expect(maxRelError(imported.feedforwardBatch(raw), y)).toBeLessThanOrEqual(TOL);
  });
});

describe("fromTfjs on models built in tfjs-layers", () => {
  it("Dense layers initialized by tfjs (with Activation, LeakyReLU(0.01), ReLU and Dropout layers) agree with model.predict()", async () => {
    const { tf, tfl } = await tfjs();
    const m = tfl.sequential();
    m.add(tfl.layers.dense({ inputShape: [5], units: 8, activation: "tanh", biasInitializer: "randomNormal" }));
    m.add(tfl.layers.dropout({ rate: 0.3 }));
    m.add(tfl.layers.dense({ units: 7, biasInitializer: "randomNormal" }));
    m.add(tfl.layers.leakyReLU({ alpha: 0.01 }));
    m.add(tfl.layers.dense({ units: 6 }));
    m.add(tfl.layers.activation({ activation: "sigmoid" }));
    m.add(tfl.layers.dense({ units: 5 }));
    m.add(tfl.layers.reLU());
    m.add(tfl.layers.dense({ units: 3, activation: "softmax", useBias: false }));
    let saved: unknown;
    await m.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } }; }));
    const x = uniform(COUNT, 5, 41);
    const y = await runTfjs(m, x, 5);
    const net = fromTfjs(saved);
    expect(net.sizes).toEqual([5, 8, 7, 6, 5, 3]);
    expect(net.activations).toEqual(["tanh", "leaky-relu", "sigmoid", "relu", "softmax"]);
    expect(maxRelError(net.feedforwardBatch(x), y)).toBeLessThanOrEqual(TOL);
    // And back out to tfjs: the same function again.
    const again = await load(toTfjs(net));
    expect(maxRelError(await runTfjs(again, x, 5), y)).toBeLessThanOrEqual(TOL);
  });

  it("the model.json form (weightsManifest) with weightData as one buffer", async () => {
    const net = new Network([3, 4, 2], { seed: 8 });
    const a = toTfjs(net);
    const json = { modelTopology: a.modelTopology, weightsManifest: [{ paths: ["weights.bin"], weights: a.weightSpecs }], weightData: new Uint8Array(a.weightData) };
    expect(bits(fromTfjs(json))).toEqual(bits(net));
  });
});

describe("fromTfjs refuses what it cannot read", () => {
  const net = new Network([4, 3, 2], { activation: "relu", seed: 2 });
  const good = toTfjs(net);
  const withLayers = (f: (layers: Record<string, unknown>[]) => void): TfjsArtifacts => {
    const t = structuredClone(good.modelTopology) as { config: { layers: Record<string, unknown>[] } };
    f(t.config.layers);
    return { ...good, modelTopology: t };
  };
  const refused = (a: unknown): { message: string; grew: number } => {
    const before = process.memoryUsage().arrayBuffers;
    let err: unknown = null;
    try { fromTfjs(a); } catch (e) { err = e; }
    const grew = process.memoryUsage().arrayBuffers - before;
    expect(err).toBeInstanceOf(ModelFormatError);
    return { message: (err as Error).message, grew };
  };

  it("unknown layers, activations, functional models, wrong alphas, wrong dtypes, quantized weights", () => {
    expect(refused(withLayers((l) => { l.splice(1, 0, { class_name: "Conv2D", config: { name: "conv" } }); })).message)
      .toMatch(/layers\[1\] "conv" must be one of the supported layers: InputLayer, Dense.*received "Conv2D"/);
    expect(refused(withLayers((l) => { (l[0].config as Record<string, unknown>).activation = "elu"; })).message).toMatch(/layers\[0\] "dense_1".config.activation must be linear, sigmoid, tanh, relu or softmax, received "elu"/);
    expect(refused({ ...good, modelTopology: { class_name: "Model", config: {} } }).message).toMatch(/"Sequential"/);
    expect(refused(withLayers((l) => { (l[0].config as Record<string, unknown>).activation = "linear"; l.splice(1, 0, { class_name: "LeakyReLU", config: { name: "lk", alpha: 0.3 } }); })).message).toMatch(/alpha must be 0\.01.*received 0\.3/);
    expect(refused(withLayers((l) => { l.push({ class_name: "Activation", config: { name: "a", activation: "relu" } }); })).message).toMatch(/Activation right after a linear Dense layer/);
    expect(refused({ ...good, weightSpecs: good.weightSpecs.map((s, i) => (i === 0 ? { ...s, dtype: "int32" } : s)) }).message).toMatch(/weightSpecs\[0\]\.dtype must be "float32", received "int32"/);
    expect(refused({ ...good, weightSpecs: good.weightSpecs.map((s, i) => (i === 0 ? { ...s, quantization: { dtype: "uint8", scale: 1, min: 0 } } : s)) }).message).toMatch(/quantization/);
    expect(refused({ ...good, weightSpecs: good.weightSpecs.slice(1) }).message).toMatch(/"dense_1\/kernel"/);
    expect(refused({ ...good, weightData: good.weightData.slice(0, 20) }).message).toMatch(/within weightData \(20 bytes\)/);
    expect(refused(withLayers((l) => { (l[0].config as Record<string, unknown>).units = 5; })).message).toMatch(/shape must be \[4, 5\], received \[4, 3\]/);
    expect(refused(null).message).toMatch(/modelTopology, weightSpecs, weightData/);
  });

  it("a 10^9-element weight declared with a few bytes is refused from its shape, before allocating", () => {
    const a = withLayers((l) => { (l[0].config as Record<string, unknown>).units = 1e9; (l[0].config as Record<string, unknown>).batch_input_shape = [null, 1]; });
    const r = refused({ ...a, weightSpecs: [{ name: "dense_1/kernel", shape: [1, 1e9], dtype: "float32" }] });
    expect(r.message).toMatch(/shape \[1, 1000000000\] \(1000000000 float32 values\)/);
    expect(r.grew).toBeLessThan(1 << 20);
    // With matching (small) specs, the sizes check refuses a 10^9-unit layer before reading weights.
    const r2 = refused({ ...a, weightSpecs: [] });
    expect(r2.message).toMatch(/fits in 4 GiB/);
    expect(r2.grew).toBeLessThan(1 << 20);
  });

  it("deeply nested or hostile JSON: only known keys are read, no recursion", () => {
    let deep: unknown = {};
    for (let d = 0; d < 100_000; d++) deep = { config: deep };
    expect(refused({ ...good, modelTopology: { class_name: "Sequential", config: deep } }).message).toMatch(/layers must be an array/);
    const polluted = JSON.parse(`{"class_name":"Sequential","config":{"layers":[{"class_name":"Dense","config":{"__proto__":{"units":3},"name":"dense_1","batch_input_shape":[null,4]}}]}}`);
    expect(refused({ ...good, modelTopology: polluted }).message).toMatch(/units must be a positive integer/);
    const trap = new Proxy({}, { get() { throw new Error("trap"); }, has() { throw new Error("trap"); }, getOwnPropertyDescriptor() { throw new Error("trap"); } });
    expect(refused({ ...good, modelTopology: { class_name: "Sequential", config: { layers: [trap] } } }).message).toMatch(/failed while reading \(Error: trap\)/);
  });
});
