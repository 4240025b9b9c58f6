// TensorFlow.js layers-model export and import: `{ modelTopology, weightSpecs, weightData }`,
// the ModelArtifacts that `tf.loadLayersModel(tf.io.fromMemory(...))` reads (and that the
// CLI writes as model.json + weights.bin).
//
// Export: a Sequential of Dense layers (kernel [n_in, n_out], the transpose of nabla's
// (n_out, n_in) weights), the activation in the Dense layer, except leaky ReLU, which is a
// linear Dense followed by a LeakyReLU layer with alpha 0.01 (tfjs has no leaky-ReLU
// activation string). Preprocessing (x − mean) / std is a leading BatchNormalization layer
// with center = scale = false and epsilon = 0: moving_mean = mean, moving_variance = std².
//
// Import reads Sequential models of those layers (plus InputLayer, Activation, ReLU and
// Dropout, the identity at inference); anything else is a ModelFormatError naming the layer.
import { ModelFormatError, describe } from "../errors.js";
import type { Network } from "../network.js";
import type { NetworkJSON } from "../serialize.js";
import type { Activation } from "../kernels.js";
import {
  LEAKY_ALPHA, readModel, checkSizes, costFor, guarded, toJSON, toNetwork,
  type ImportOptions, type ImportedJSON, type Layer,
} from "./common.js";
import { MAX_LAYERS } from "../serialize.js";

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: "float32";
}

/** The model as tfjs-layers' ModelArtifacts (the parts loadLayersModel reads). */
export interface TfjsArtifacts {
  modelTopology: Record<string, unknown>;
  weightSpecs: WeightSpec[];
  weightData: ArrayBuffer;
  /** Kept by tfjs with the model; nabla records the cost the network trains with. */
  userDefinedMetadata?: { "nabla.cost": string };
}

const TF_ACT: Partial<Record<Activation, string>> = { sigmoid: "sigmoid", tanh: "tanh", relu: "relu", linear: "linear", softmax: "softmax" };

/**
 * The network as a TF.js layers model. Accepts a Network or model JSON. Load it with
 * `tf.loadLayersModel(tf.io.fromMemory(artifacts))`; the CLI writes it as model.json + weights.bin.
 */
export function toTfjs(net: Network | NetworkJSON | string): TfjsArtifacts {
  const m = readModel("toTfjs(net)", net);
  const nIn = m.layers[0].nIn;
  const layers: Record<string, unknown>[] = [];
  const specs: WeightSpec[] = [];
  const chunks: Float32Array[] = [];
  const first = () => (layers.length === 0 ? { batch_input_shape: [null, nIn], dtype: "float32" } : {});
  if (m.preprocessing) {
    layers.push({
      class_name: "BatchNormalization",
      config: {
        ...first(), name: "standardize", trainable: false, axis: -1, momentum: 0.99, epsilon: 0, center: false, scale: false,
        beta_initializer: { class_name: "Zeros", config: {} }, gamma_initializer: { class_name: "Ones", config: {} },
        moving_mean_initializer: { class_name: "Zeros", config: {} }, moving_variance_initializer: { class_name: "Ones", config: {} },
        beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null,
      },
    });
    const variance = m.preprocessing.std.map((s) => s * s);
    specs.push({ name: "standardize/moving_mean", shape: [nIn], dtype: "float32" }, { name: "standardize/moving_variance", shape: [nIn], dtype: "float32" });
    chunks.push(m.preprocessing.mean, variance);
  }
  m.layers.forEach((layer, l) => {
    const name = `dense_${l + 1}`;
    const leaky = layer.activation === "leaky-relu";
    layers.push({
      class_name: "Dense",
      config: {
        ...first(), name, trainable: true, units: layer.nOut, activation: leaky ? "linear" : TF_ACT[layer.activation], use_bias: true,
        kernel_initializer: { class_name: "Zeros", config: {} }, bias_initializer: { class_name: "Zeros", config: {} },
        kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
      },
    });
    if (leaky) layers.push({ class_name: "LeakyReLU", config: { name: `leaky_re_lu_${l + 1}`, trainable: true, alpha: LEAKY_ALPHA } });
    const kernel = new Float32Array(layer.nIn * layer.nOut);
    for (let j = 0; j < layer.nOut; j++) for (let k = 0; k < layer.nIn; k++) kernel[k * layer.nOut + j] = layer.w[j * layer.nIn + k];
    specs.push({ name: `${name}/kernel`, shape: [layer.nIn, layer.nOut], dtype: "float32" }, { name: `${name}/bias`, shape: [layer.nOut], dtype: "float32" });
    chunks.push(kernel, layer.b);
  });
  const total = chunks.reduce((s, c) => s + c.length, 0);
  const data = new Float32Array(total);
  let at = 0;
  for (const c of chunks) { data.set(c, at); at += c.length; }
  const modelTopology = {
    class_name: "Sequential",
    config: { name: "nabla", layers },
    keras_version: "tfjs-layers 4.22.0",
    backend: "tensor_flow.js",
  };
  // weightData is little-endian float32 (the typed array's order: every engine nabla runs on is little-endian).
  return { modelTopology, weightSpecs: specs, weightData: data.buffer, userDefinedMetadata: { "nabla.cost": m.cost } };
}

// ---- import ----------------------------------------------------------------------------------

const SUPPORTED = "InputLayer, Dense (linear, sigmoid, tanh, relu or softmax), Activation, LeakyReLU (alpha 0.01), ReLU, Dropout, and a leading BatchNormalization (center = scale = false, epsilon = 0) as standardization";
const WHERE = "fromTfjs(artifacts)";
const own = (o: object, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? (o as Record<string, unknown>)[k] : undefined);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Reads TF.js layers-model artifacts (`{ modelTopology, weightSpecs, weightData }`, or the
 * parsed model.json `{ modelTopology, weightsManifest }` with `weightData` added) as nabla
 * model JSON, with its `preprocessing` when the model starts with the standardization layer.
 */
export function tfjsToJSON(artifacts: unknown, where = "tfjsToJSON(artifacts)"): ImportedJSON {
  return guarded(where, "artifacts", () => readTfjs(artifacts, where));
}

function readTfjs(artifacts: unknown, where: string): ImportedJSON {
  const fail = (path: string, expected: string, v: unknown): never => { throw new ModelFormatError(where, path, expected, typeof v === "string" && v.startsWith("«") ? v.slice(1) : describe(v)); };
  const said = (s: string) => `«${s}`;
  if (!isObject(artifacts)) fail("artifacts", "{ modelTopology, weightSpecs, weightData }", artifacts);
  const a = artifacts as Record<string, unknown>;
  let topo = own(a, "modelTopology");
  if (isObject(topo) && isObject(own(topo, "model_config"))) topo = own(topo, "model_config"); // Keras-converted models
  if (!isObject(topo)) fail("artifacts.modelTopology", "a model topology object", topo);
  const t = topo as Record<string, unknown>;
  if (own(t, "class_name") !== "Sequential") fail("modelTopology.class_name", '"Sequential" (nabla reads Sequential models)', own(t, "class_name"));
  const config = own(t, "config");
  const list = Array.isArray(config) ? config : isObject(config) ? own(config, "layers") : undefined;
  if (!Array.isArray(list) || list.length === 0 || list.length > 4 * MAX_LAYERS) fail("modelTopology.config.layers", `an array of 1 to ${4 * MAX_LAYERS} layers`, list);

  // Weight specs: name → [offset, shape] in weightData, every one checked against its length first.
  let specs = own(a, "weightSpecs");
  const manifest = own(a, "weightsManifest");
  if (specs === undefined && Array.isArray(manifest)) {
    if (manifest.length > 1000) fail("artifacts.weightsManifest", "at most 1000 groups", manifest);
    specs = manifest.flatMap((g) => (isObject(g) && Array.isArray(own(g, "weights")) ? (own(g, "weights") as unknown[]) : [fail("artifacts.weightsManifest", "groups { paths, weights }", g)]));
  }
  if (!Array.isArray(specs) || specs.length > 8 * MAX_LAYERS) fail("artifacts.weightSpecs", `an array of at most ${8 * MAX_LAYERS} weight specs`, specs);
  const wd = own(a, "weightData");
  let bytes: Uint8Array;
  if (wd instanceof ArrayBuffer) bytes = new Uint8Array(wd);
  else if (ArrayBuffer.isView(wd)) bytes = new Uint8Array(wd.buffer, wd.byteOffset, wd.byteLength);
  else if (Array.isArray(wd) && wd.every((b) => b instanceof ArrayBuffer)) {
    const total = wd.reduce((s: number, b: ArrayBuffer) => s + b.byteLength, 0);
    bytes = new Uint8Array(total);
    let at = 0;
    for (const b of wd as ArrayBuffer[]) { bytes.set(new Uint8Array(b), at); at += b.byteLength; }
  } else return fail("artifacts.weightData", "an ArrayBuffer of float32 weights", wd);
  const weights = new Map<string, { at: number; shape: number[]; path: string }>();
  let offset = 0;
  (specs as unknown[]).forEach((s, i) => {
    const path = `weightSpecs[${i}]`;
    if (!isObject(s)) fail(path, "{ name, shape, dtype }", s);
    const spec = s as Record<string, unknown>;
    const name = own(spec, "name"), shape = own(spec, "shape"), dtype = own(spec, "dtype");
    if (typeof name !== "string") fail(`${path}.name`, "a string", name);
    if (own(spec, "quantization") !== undefined) fail(`${path}.quantization`, "none (float32 weights)", said("quantized weights"));
    if (dtype !== "float32") fail(`${path}.dtype`, '"float32"', dtype);
    if (!Array.isArray(shape) || shape.length > 8 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`${path}.shape`, "an array of non-negative integers", shape);
    const n = (shape as number[]).reduce((p, d) => p * d, 1);
    if (offset + 4 * n > bytes.length) {
      fail(`${path} "${name}"`, `weights within weightData (${bytes.length} bytes)`, said(`shape [${(shape as number[]).join(", ")}] (${n} float32 values) at byte ${offset}`));
    }
    weights.set(name as string, { at: offset, shape: shape as number[], path: `${path} "${name}"` });
    offset += 4 * n;
  });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = (at: number, n: number): Float32Array => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(at + 4 * i, true);
    return out;
  };
  const weight = (layer: string, w: string, shape: number[], lpath: string): Float32Array => {
    const spec = weights.get(`${layer}/${w}`) ?? [...weights.entries()].find(([k]) => k.endsWith(`/${layer}/${w}`))?.[1];
    if (!spec) return fail(lpath, `a weight "${layer}/${w}" in weightSpecs`, said("none"));
    if (spec.shape.length !== shape.length || spec.shape.some((d, i) => d !== shape[i])) fail(`${spec.path}.shape`, `[${shape.join(", ")}]`, said(`[${spec.shape.join(", ")}]`));
    return read(spec.at, shape.reduce((p, d) => p * d, 1));
  };

  const layers: Layer[] = [];
  let nIn: number | null = null, pending: Layer | null = null; // pending: a linear Dense that an activation layer may follow
  let mean: Float32Array | null = null, std: Float32Array | null = null;
  const setAct = (act: Activation, lpath: string, cls: string) => {
    if (!pending) fail(lpath, `${SUPPORTED}: ${cls} right after a linear Dense layer`, said(`${cls} here`));
    pending!.activation = act;
    pending = null;
  };
  const actOf = (v: unknown, lpath: string): Activation => {
    const name = isObject(v) ? own(v, "class_name") : v; // Keras 3 may write { class_name, config }
    const map: Record<string, Activation> = { linear: "linear", sigmoid: "sigmoid", tanh: "tanh", relu: "relu", softmax: "softmax" };
    if (name === undefined || name === null) return "linear";
    if (typeof name !== "string" || !Object.prototype.hasOwnProperty.call(map, name)) return fail(`${lpath}.config.activation`, "linear, sigmoid, tanh, relu or softmax", name);
    return map[name];
  };
  (list as unknown[]).forEach((raw, i) => {
    let lpath = `modelTopology.config.layers[${i}]`;
    if (!isObject(raw)) fail(lpath, "a layer { class_name, config }", raw);
    const cls = own(raw as object, "class_name");
    const c = own(raw as object, "config");
    if (!isObject(c)) fail(`${lpath}.config`, "an object", c);
    const cfg = c as Record<string, unknown>;
    const lname = own(cfg, "name");
    if (typeof lname === "string") lpath += ` "${lname}"`;
    const shape = own(cfg, "batch_input_shape") ?? own(cfg, "batch_shape");
    if (shape !== undefined) {
      if (layers.length > 0 || mean) fail(`${lpath}.config.batch_input_shape`, "an input shape on the first layer only", shape);
      if (!Array.isArray(shape) || shape.length !== 2 || !Number.isSafeInteger(shape[1]) || shape[1] < 1) fail(`${lpath}.config.batch_input_shape`, "[null, n_in]", shape);
      nIn = (shape as number[])[1];
    }
    switch (cls) {
      case "InputLayer":
        if (i !== 0) fail(lpath, "an InputLayer first", said(`one at position ${i}`));
        break;
      case "Dropout":
        break; // the identity at inference
      case "BatchNormalization": {
        if (layers.length > 0 || mean) fail(lpath, `${SUPPORTED}: BatchNormalization only as the first layer`, said("BatchNormalization here"));
        if (own(cfg, "center") !== false || own(cfg, "scale") !== false || own(cfg, "epsilon") !== 0) {
          fail(lpath, "BatchNormalization with center = false, scale = false, epsilon = 0 (a standardization)",
            said(`center = ${String(own(cfg, "center"))}, scale = ${String(own(cfg, "scale"))}, epsilon = ${String(own(cfg, "epsilon"))}`));
        }
        const axis = own(cfg, "axis");
        if (axis !== undefined && axis !== -1 && axis !== 1 && !(Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 1))) fail(`${lpath}.config.axis`, "-1 (the features)", axis);
        if (nIn === null) fail(lpath, "a first layer with batch_input_shape [null, n_in]", said("none"));
        const name = lname as string;
        mean = weight(name, "moving_mean", [nIn!], lpath);
        const variance = weight(name, "moving_variance", [nIn!], lpath);
        std = variance.map(Math.sqrt);
        const bad = std.findIndex((s) => !(s > 0) || !Number.isFinite(s));
        if (bad >= 0) fail(`${lpath} moving_variance[${bad}]`, "a positive finite variance", variance[bad]);
        break;
      }
      case "Dense": {
        const units = own(cfg, "units");
        if (!Number.isSafeInteger(units) || (units as number) < 1) fail(`${lpath}.config.units`, "a positive integer", units);
        const prev = layers.length ? layers[layers.length - 1].nOut : nIn;
        if (prev === null) fail(lpath, "a first layer with batch_input_shape [null, n_in]", said("none"));
        checkSizes(where, "the model's layers", [layers.length ? layers[0].nIn : prev!, ...layers.map((l) => l.nOut), units as number]);
        const useBias = own(cfg, "use_bias");
        if (useBias !== undefined && typeof useBias !== "boolean") fail(`${lpath}.config.use_bias`, "true or false", useBias);
        const act = actOf(own(cfg, "activation"), lpath);
        const name = typeof lname === "string" ? lname : fail(`${lpath}.config.name`, "a string (it names the weights)", lname);
        const n = prev!, m = units as number;
        const kernel = weight(name, "kernel", [n, m], lpath);
        const w = new Float32Array(n * m);
        for (let k = 0; k < n; k++) for (let j = 0; j < m; j++) w[j * n + k] = kernel[k * m + j];
        const b = useBias === false ? new Float32Array(m) : weight(name, "bias", [m], lpath);
        const layer: Layer = { nIn: n, nOut: m, w, b, activation: act };
        layers.push(layer);
        pending = act === "linear" ? layer : null;
        break;
      }
      case "Activation":
        setAct(actOf(own(cfg, "activation"), lpath), lpath, "Activation");
        break;
      case "LeakyReLU": {
        const alpha = own(cfg, "alpha") ?? own(cfg, "negative_slope") ?? 0.3;
        if (typeof alpha !== "number" || Math.fround(alpha) !== LEAKY_ALPHA) fail(`${lpath}.config.alpha`, "0.01 (nabla's leaky-ReLU slope)", alpha);
        setAct("leaky-relu", lpath, "LeakyReLU");
        break;
      }
      case "ReLU": {
        for (const [k, ok] of [["max_value", null], ["negative_slope", 0], ["threshold", 0]] as const) {
          const v = own(cfg, k);
          if (v !== undefined && v !== ok) fail(`${lpath}.config.${k}`, `${ok} (plain ReLU)`, v);
        }
        setAct("relu", lpath, "ReLU");
        break;
      }
      default:
        fail(lpath, `one of the supported layers: ${SUPPORTED}`, cls);
    }
  });
  if (layers.length === 0) fail("modelTopology.config.layers", "at least one Dense layer", said("none"));
  layers.slice(0, -1).forEach((l, i) => {
    if (l.activation === "softmax") fail(`Dense layer ${i}`, "softmax only on the output layer (nabla's softmax is an output activation)", said("a hidden softmax"));
  });
  const output = layers[layers.length - 1].activation;
  const meta = own(a, "userDefinedMetadata");
  return toJSON({ layers, cost: costFor(output, isObject(meta) ? own(meta, "nabla.cost") : undefined), preprocessing: mean && std ? { mean, std } : null });
}

/** A Network from TF.js layers-model artifacts (see tfjsToJSON). `options` as for Network.fromJSON. */
export function fromTfjs(artifacts: unknown, options: ImportOptions = {}): Network {
  return toNetwork(tfjsToJSON(artifacts, WHERE), options);
}
