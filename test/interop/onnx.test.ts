// nabla → ONNX, checked in ONNX Runtime (onnxruntime-node); ONNX → nabla, round trips exact;
// graphs nabla did not write (MatMul + Add, Gemm without transB, Constant weights) read and
// checked against the runtime; hostile bytes refused with a ModelFormatError before allocating.
import { describe, it, expect } from "vitest";
import { Network, ModelFormatError, type Activation, type NetworkJSON } from "../../src/index.js";
import { toONNX, fromONNX, onnxToJSON } from "../../src/interop/index.js";
import { Writer, Reader } from "../../src/interop/protobuf.js";
import { runOnnx, uniform, maxRelError, rng } from "./runtimes.js";

const HIDDEN: Activation[] = ["sigmoid", "tanh", "relu", "leaky-relu", "linear"];
const OUTPUT: Activation[] = ["sigmoid", "tanh", "relu", "leaky-relu", "linear", "softmax"];
const COUNT = 1000;
const TOL = 1e-5;

/** Every activation × output × depth: one weight layer (no hidden activation) and three. */
function combinations(): { name: string; sizes: number[]; activation: Activation; output: Activation }[] {
  const out = [];
  for (const output of OUTPUT) out.push({ name: `[6, 4] ${output}`, sizes: [6, 4], activation: "sigmoid" as Activation, output });
  for (const activation of HIDDEN) for (const output of OUTPUT) out.push({ name: `[6, 9, 7, 4] ${activation}/${output}`, sizes: [6, 9, 7, 4], activation, output });
  return out;
}

/** The network with the given shape; biases drawn too, so every parameter is checked. */
function build(sizes: number[], activation: Activation, output: Activation, seed: number): Network {
  return new Network(sizes, { activation, output, cost: output === "softmax" ? "log-likelihood" : "quadratic", init: "glorot", seed });
}

/** weights and biases of a network as float32 bit patterns: equal arrays ⇔ bit-identical parameters. */
function bits(net: Network): Uint32Array[] {
  const j = net.toJSON();
  return [...j.weights.map((w) => new Uint32Array(Float32Array.from(w.flat()).buffer)), ...j.biases.map((b) => new Uint32Array(Float32Array.from(b).buffer))];
}

describe("toONNX in ONNX Runtime", () => {
  const x = uniform(COUNT, 6, 7);
  for (const [i, c] of combinations().entries()) {
    it(`${c.name}: ONNX Runtime's outputs equal feedforwardBatch; fromONNX gives the same network back`, async () => {
      const net = build(c.sizes, c.activation, c.output, 100 + i);
      const bytes = toONNX(net);
      const r = await runOnnx(bytes, x, 6);
      expect(r.inputName).toBe("input");
      expect(r.dims).toEqual([COUNT, 4]);
      expect(maxRelError(r.data, net.feedforwardBatch(x))).toBeLessThanOrEqual(TOL);

      const back = fromONNX(bytes);
      expect(back.sizes).toEqual(net.sizes);
      expect(back.activations).toEqual(net.activations);
      expect(back.cost).toBe(net.cost);
      expect(bits(back)).toEqual(bits(net));
      expect(back.feedforwardBatch(x)).toEqual(net.feedforwardBatch(x));
    });
  }

  it("keeps the cost it was trained with (cross-entropy) and accepts model JSON or its text", async () => {
    const net = new Network([3, 5, 2], { cost: "cross-entropy", seed: 9 });
    const json = net.toJSON();
    expect(toONNX(json)).toEqual(toONNX(net));
    expect(toONNX(JSON.stringify(json))).toEqual(toONNX(net));
    expect(fromONNX(toONNX(net)).cost).toBe("cross-entropy");
  });

  it("exports a standardized model as leading Sub / Div: ONNX Runtime on raw inputs equals the network on (x − mean) / std", async () => {
    const nIn = 6, net = build([nIn, 8, 3], "tanh", "softmax", 5);
    const r = rng(11);
    const mean = Array.from({ length: nIn }, () => Math.fround(100 * (r() - 0.5)));
    const std = Array.from({ length: nIn }, () => Math.fround(0.01 + 50 * r()));
    const json = { ...net.toJSON(), preprocessing: { mean, std } } as NetworkJSON;
    const bytes = toONNX(json);
    // Raw features on their own scales: x = mean + std · u.
    const u = uniform(COUNT, nIn, 12), raw = new Float32Array(u.length), z = new Float32Array(u.length);
    for (let i = 0; i < u.length; i++) {
      const k = i % nIn;
      raw[i] = mean[k] + std[k] * u[i];
      z[i] = (raw[i] - mean[k]) / std[k]; // float32 Sub then Div, as ONNX Runtime computes them
    }
    const ort = await runOnnx(bytes, raw, nIn);
    expect(maxRelError(ort.data, net.feedforwardBatch(z))).toBeLessThanOrEqual(TOL);

    // Read back: the standardization exactly, the layers bit-identical.
    const back = onnxToJSON(bytes);
    expect(back.preprocessing).toEqual({ mean, std });
    expect(back.weights).toEqual(json.weights);
    expect(back.biases).toEqual(json.biases);
    // The imported network applies the preprocessing: it agrees with the runtime on raw inputs.
    const imported = fromONNX(bytes);
    expect(imported.preprocessing).not.toBeNull();
    expect(maxRelError(imported.feedforwardBatch(raw), ort.data)).toBeLessThanOrEqual(TOL);
  });

  it("refuses preprocessing of the wrong length or with std ≤ 0", () => {
    const json = new Network([3, 2], { seed: 1 }).toJSON();
    expect(() => toONNX({ ...json, preprocessing: { mean: [0, 0], std: [1, 1] } } as NetworkJSON)).toThrow(/preprocessing\.mean must be an array of 3/);
    expect(() => toONNX({ ...json, preprocessing: { mean: [0, 0, 0], std: [1, 0, 1] } } as NetworkJSON)).toThrow(/preprocessing\.std\[1\]/);
  });
});

// ---- graphs written by hand, as other tools write them ------------------------------------------

function tensor(name: string, dims: number[], data: ArrayLike<number>, type = 1, packedFloats = false): Writer {
  const t = new Writer();
  for (const d of dims) t.int(1, d);
  t.int(2, type).string(8, name);
  if (packedFloats) {
    const b = new Uint8Array(4 * data.length);
    new Float32Array(b.buffer).set(Array.from(data));
    t.bytes(4, b);
  } else t.bytes(9, new Uint8Array(Float32Array.from(data).buffer));
  return t;
}
function valueInfo(name: string, dims: (number | string)[], elem = 1): Writer {
  const shape = new Writer();
  for (const d of dims) shape.message(1, typeof d === "number" ? new Writer().int(1, d) : new Writer().string(2, d));
  return new Writer().string(1, name).message(2, new Writer().message(1, new Writer().int(1, elem).message(2, shape)));
}
function node(op: string, inputs: string[], outputs: string[], attrs: Writer[] = [], name = ""): Writer {
  const n = new Writer();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  if (name) n.string(3, name);
  n.string(4, op);
  for (const a of attrs) n.message(5, a);
  return n;
}
const intAttr = (name: string, i: number) => new Writer().string(1, name).int(20, 2).int(3, i);
const floatAttr = (name: string, f: number) => new Writer().string(1, name).int(20, 1).float(2, f);
function model(nodes: Writer[], inits: Writer[], input: Writer, output: string, opset = 13, nOut = 3): Uint8Array {
  const g = new Writer();
  for (const n of nodes) g.message(1, n);
  g.string(2, "hand-written");
  for (const t of inits) g.message(5, t);
  g.message(11, input).message(12, valueInfo(output, ["N", nOut]));
  return new Writer().int(1, 7).message(7, g).message(8, new Writer().int(2, opset)).finish();
}

describe("fromONNX on graphs other tools write", () => {
  const nIn = 5, nHid = 6, nOut = 3;
  const r = rng(21), draw = (n: number) => Array.from({ length: n }, () => Math.fround(r() * 2 - 1));
  const W1 = draw(nIn * nHid), b1 = draw(nHid), W2 = draw(nHid * nOut), b2 = draw(nOut);
  const x = uniform(COUNT, nIn, 22);

  it("MatMul + Add (weights [n_in, n_out], as PyTorch and tf2onnx write them), Add(bias, x) included", async () => {
    const bytes = model([
      node("MatMul", ["x", "W1"], ["h"]), node("Add", ["h", "b1"], ["hb"]), node("Relu", ["hb"], ["a"]),
      node("MatMul", ["a", "W2"], ["o"]), node("Add", ["b2", "o"], ["ob"]), node("Softmax", ["ob"], ["y"], [intAttr("axis", -1)]),
    ], [tensor("W1", [nIn, nHid], W1), tensor("b1", [nHid], b1), tensor("W2", [nHid, nOut], W2), tensor("b2", [1, nOut], b2)],
    valueInfo("x", ["batch", nIn]), "y");
    const ort = await runOnnx(bytes, x, nIn);
    const net = fromONNX(bytes);
    expect(net.sizes).toEqual([nIn, nHid, nOut]);
    expect(net.activations).toEqual(["relu", "softmax"]);
    expect(net.cost).toBe("log-likelihood");
    expect(maxRelError(net.feedforwardBatch(x), ort.data)).toBeLessThanOrEqual(TOL);
    // Transposed into nabla's (n_out, n_in): w[j][k] = W1[k][j].
    expect(net.weights[0][2][4]).toBe(W1[4 * nHid + 2]);
  });

  it("Gemm without transB, packed float_data, Constant-node weights, LeakyRelu's default alpha, Identity, opset 11 Softmax", async () => {
    const constant = (name: string, t: Writer) => node("Constant", [], [name], [new Writer().string(1, "value").int(20, 4).message(5, t)]);
    const bytes = model([
      constant("W2", tensor("", [nHid, nOut], W2, 1, true)),
      node("Gemm", ["x", "W1", "b1"], ["h"]), node("LeakyRelu", ["h"], ["a"]), node("Identity", ["a"], ["a2"]),
      node("Gemm", ["a2", "W2", "b2"], ["o"], [intAttr("transB", 0)]), node("Softmax", ["o"], ["y"]),
    ], [tensor("W1", [nIn, nHid], W1, 1, true), tensor("b1", [nHid], b1), tensor("b2", [nOut], b2)],
    valueInfo("x", ["N", nIn]), "y", 11);
    const ort = await runOnnx(bytes, x, nIn);
    const net = fromONNX(bytes);
    expect(net.activations).toEqual(["leaky-relu", "softmax"]);
    expect(maxRelError(net.feedforwardBatch(x), ort.data)).toBeLessThanOrEqual(TOL);
  });

  it("refuses what nabla cannot represent, naming the node and what is supported", () => {
    const W = tensor("W1", [nIn, nHid], W1), b = tensor("b1", [nHid], b1), inp = valueInfo("x", ["N", nIn]);
    const refuse = (bytes: Uint8Array, re: RegExp) => {
      let err: unknown;
      try { onnxToJSON(bytes); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ModelFormatError);
      expect((err as Error).message).toMatch(re);
    };
    refuse(model([node("Conv", ["x", "W1"], ["y"], [], "conv1")], [W], inp, "y"), /node\[0\] "conv1" \(Conv\).*supported operators: Gemm, MatMul \+ Add.*received "Conv"/);
    refuse(model([node("MatMul", ["x", "W1"], ["h"]), node("Elu", ["h"], ["y"])], [W], inp, "y"), /node\[1\] \(Elu\)/);
    refuse(model([node("MatMul", ["x", "W1"], ["h"]), node("LeakyRelu", ["h"], ["y"], [floatAttr("alpha", 0.2)])], [W], inp, "y"), /alpha = 0\.01.*alpha = 0\.2/);
    refuse(model([node("MatMul", ["x", "W1"], ["h"]), node("Softmax", ["h"], ["s"]), node("MatMul", ["s", "W2"], ["y"])], [W, tensor("W2", [nHid, nOut], W2)], inp, "y"), /softmax only on the output layer/);
    refuse(model([node("MatMul", ["x", "W1"], ["h"]), node("Sigmoid", ["h"], ["y"])], [tensor("W1", [nIn, nHid], W1, 11)], inp, "y"), /data_type must be float32.*DOUBLE \(11\)/);
    refuse(model([node("MatMul", ["x", "W1"], ["y"])], [W], valueInfo("x", ["N", nIn], 7), "y"), /elem_type must be a float32 input.*INT64/);
    refuse(model([node("Gemm", ["x", "W1", "b1"], ["y"], [floatAttr("alpha", 2)])], [W, b], inp, "y"), /alpha = 1.*alpha = 2/);
    refuse(model([node("MatMul", ["x", "W1"], ["h"]), node("Sigmoid", ["x"], ["y"])], [W], inp, "y"), /takes the previous node's output "h"/);
    refuse(model([node("MatMul", ["x", "W1"], ["h"]), node("Sigmoid", ["h"], ["y"])], [W], inp, "h"), /graph\.output\[0\] must be the last node's output "y"/);
    refuse(model([node("MatMul", ["x", "Wmissing"], ["y"])], [W], inp, "y"), /an initializer or Constant.*"Wmissing"/);
    refuse(model([node("Gemm", ["x", "W1", "b1"], ["y"], [intAttr("transB", 1)])], [W, b], inp, "y"), /W1" must be \[n_out, 5\] \(the previous layer's width\), received dims \[5, 6\]/);
    refuse(model([node("Custom", ["x"], ["y"])], [], inp, "y").slice(), /supported operators/);
  });
});

// ---- hostile bytes -------------------------------------------------------------------------------

/** Runs f, expecting a ModelFormatError; returns its message and how much ArrayBuffer memory grew meanwhile. */
function refused(f: () => unknown): { message: string; grew: number } {
  const before = process.memoryUsage().arrayBuffers;
  let err: unknown = null;
  try { f(); } catch (e) { err = e; }
  const grew = process.memoryUsage().arrayBuffers - before;
  expect(err, "a ModelFormatError").toBeInstanceOf(ModelFormatError);
  return { message: (err as Error).message, grew };
}

describe("fromONNX refuses hostile bytes", () => {
  const good = toONNX(build([4, 3, 2], "relu", "softmax", 3));

  it("every truncation of a valid model: a ModelFormatError, or (cut between top-level fields) the same layers", () => {
    const net = fromONNX(good);
    let cut = 0;
    for (let n = 0; n < good.length; n++) {
      try {
        const back = fromONNX(good.subarray(0, n));
        // Only the trailing metadata_props (the cost, here the default anyway) can be lost.
        expect(bits(back)).toEqual(bits(net));
        expect(back.cost).toBe(net.cost);
      } catch (e) {
        expect(e).toBeInstanceOf(ModelFormatError);
        cut++;
      }
    }
    expect(cut).toBeGreaterThanOrEqual(good.length - 30);
  });

  it("random byte corruptions: a model or a ModelFormatError, nothing else", () => {
    const r = rng(5);
    let refusedCount = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const b = good.slice();
      for (let k = 0; k < 1 + (trial % 4); k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      try { fromONNX(b).dispose(); } catch (e) {
        if (!(e instanceof ModelFormatError)) throw e;
        refusedCount++;
      }
    }
    expect(refusedCount).toBeGreaterThan(1000);
  });

  it("a length beyond the buffer, an over-long varint, a group wire type, not bytes", () => {
    // graph (field 7) declaring 2^40 bytes, with 3 present.
    const huge = new Uint8Array([0x3a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 1, 2, 3]);
    expect(refused(() => fromONNX(huge)).message).toMatch(/declaring 1099511627776 bytes with 3 left/);
    expect(refused(() => fromONNX(new Uint8Array([0x08, ...Array(11).fill(0xff), 1]))).message).toMatch(/varint of at most 10 bytes/);
    expect(refused(() => fromONNX(new Uint8Array([0x0b, 0x0c]))).message).toMatch(/wire type 3/);
    expect(refused(() => fromONNX("onnx" as unknown as Uint8Array)).message).toMatch(/Uint8Array or ArrayBuffer/);
    expect(refused(() => fromONNX(new Uint8Array(0))).message).toMatch(/with a graph/);
    const old = new Writer().int(1, 3).message(7, new Writer().string(2, "g")).message(8, new Writer().int(2, 6)).finish();
    expect(refused(() => fromONNX(old)).message).toMatch(/opset 7 or later.*opset 6/);
  });

  it("a 10^9-element tensor is refused from its dims, before any allocation", () => {
    const W = new Writer().int(1, 1e9).int(1, 1).int(2, 1).string(8, "W").bytes(9, new Uint8Array(16));
    const bytes = model([node("MatMul", ["x", "W"], ["y"])], [W], valueInfo("x", ["N", 1e9]), "y");
    expect(bytes.length).toBeLessThan(200);
    const r = refused(() => fromONNX(bytes));
    expect(r.message).toMatch(/1000000000 float32 values.*raw_data of 16 bytes/);
    expect(r.grew).toBeLessThan(1 << 20);
    // dims whose product is beyond what a network can hold: refused by count, not by a failed allocation.
    const W2 = new Writer().int(1, 2 ** 20).int(1, 2 ** 20).int(2, 1).string(8, "W").bytes(9, new Uint8Array(4));
    const r2 = refused(() => fromONNX(model([node("MatMul", ["x", "W"], ["y"])], [W2], valueInfo("x", ["N", 2 ** 20]), "y")));
    expect(r2.message).toMatch(/at most 1073741824 elements/);
    expect(r2.grew).toBeLessThan(1 << 20);
  });

  it("a 40000 × 40000 weight matrix declared with 4 bytes of data is refused by its dims", () => {
    const W = new Writer().int(1, 40000).int(1, 40000).int(2, 1).string(8, "W").bytes(9, new Uint8Array(4));
    const r = refused(() => fromONNX(model([node("Gemm", ["x", "W"], ["y"], [intAttr("transB", 1)])], [W], valueInfo("x", ["N", 40000]), "y")));
    expect(r.message).toMatch(/dims must be at most 1073741824 elements, received dims \[40000, 40000\]/);
    expect(r.grew).toBeLessThan(1 << 20);
  });

  it("deep nesting: 100,000 nested subgraphs in an attribute are not walked (the If node is refused)", () => {
    // Graph → node → attribute.g → graph → … ; the reader reads only the fields nabla uses,
    // so depth costs nothing (no recursion, no stack overflow).
    const varint = (x: number): number[] => { const o = []; while (x >= 0x80) { o.push((x & 0x7f) | 0x80); x = Math.floor(x / 128); } o.push(x); return o; };
    // Inside out: each level is node{ op_type "If", attribute{ name, type GRAPH, g = graph{ node = <inner> } } }.
    const prefixes: number[][] = [];
    let len = 0;
    for (let d = 0; d < 100_000; d++) {
      const graph = [0x0a, ...varint(len)]; // GraphProto.node (field 1) holding the inner node
      const attrHead = [0x0a, 11, ...new TextEncoder().encode("then_branch"), 0xa0, 0x01, 5, 0x32, ...varint(graph.length + len)];
      const attrLen = attrHead.length + graph.length + len;
      const nodeHead = [0x22, 2, 0x49, 0x66, 0x2a, ...varint(attrLen)]; // op_type "If", attribute (field 5)
      prefixes.push([...nodeHead, ...attrHead, ...graph]);
      len += nodeHead.length + attrHead.length + graph.length;
    }
    const inner = new Uint8Array(len);
    let at = 0;
    for (let d = prefixes.length - 1; d >= 0; d--) { inner.set(prefixes[d], at); at += prefixes[d].length; }
    const g = new Writer().bytes(1, new Writer().string(1, "x").string(2, "y").string(4, "If").message(5,
      new Writer().string(1, "then_branch").int(20, 5).bytes(6, inner)).finish()).message(11, valueInfo("x", ["N", 2])).message(12, valueInfo("y", ["N", 2]));
    const bytes = new Writer().int(1, 8).message(7, g).message(8, new Writer().int(2, 13)).finish();
    expect(refused(() => fromONNX(bytes)).message).toMatch(/"If"/);
  });

  it("the protobuf reader and writer agree on varints, negatives and floats", () => {
    const w = new Writer().int(1, 0).int(2, 127).int(3, 128).int(4, 2 ** 53 - 1).int(5, -1).int(6, -(2 ** 40)).float(7, Math.fround(0.01)).string(8, "η");
    const r = new Reader("test", "m", w.finish());
    const got: unknown[] = [];
    for (let f; (f = r.next()); ) got.push(f.wire === 0 ? f.int : f.wire === 5 ? r.float(f, "") : r.string(f, ""));
    expect(got).toEqual([0, 127, 128, 2 ** 53 - 1, -1, -(2 ** 40), Math.fround(0.01), "η"]);
  });
});
