// ONNX export and import (IR version 8, opset 13; the protobuf messages of onnx/onnx.proto).
//
// Export, per weight layer l:   Gemm(a, layer{l}.weight, layer{l}.bias; transB = 1) → activation
// (nabla's row-major (n_out, n_in) weights go in as they are, transB = 1 makes z = a·wᵀ + b),
// with leading Sub(mean) / Div(std) nodes when the model has preprocessing. Input "input"
// [N, n_in], output "output" [N, n_out], float32.
//
// Import reads graphs of that shape: a chain from the one graph input through Gemm (or MatMul
// followed by Add), each optionally followed by one activation, optionally led by Sub / Div
// with constant vectors; weights as initializers or Constant nodes, float32. Anything else is
// refused with a ModelFormatError that names the node and what is supported.
import { ModelFormatError, describe } from "../errors.js";
import type { Network } from "../network.js";
import type { NetworkJSON } from "../serialize.js";
import type { Activation } from "../kernels.js";
import { Writer, Reader, BYTES, FIXED32, type Field } from "./protobuf.js";
import {
  LEAKY_ALPHA, readModel, checkSizes, costFor, guarded, toJSON, toNetwork,
  type ImportOptions, type ImportedJSON, type Layer, type Model,
} from "./common.js";

export const IR_VERSION = 8;
export const OPSET = 13;
const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR_FLOAT = 1, ATTR_INT = 2, ATTR_TENSOR = 4; // AttributeProto.AttributeType
const DATA_TYPES = ["UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL", "FLOAT16",
  "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"];
const dtypeName = (t: number): string => `${DATA_TYPES[t] ?? "data type"} (${t})`;

const ACT_OPS: Partial<Record<Activation, string>> = { sigmoid: "Sigmoid", tanh: "Tanh", relu: "Relu", "leaky-relu": "LeakyRelu", softmax: "Softmax" };

// ---- export ----------------------------------------------------------------------------------

function tensor(name: string, dims: number[], data: Float32Array): Writer {
  const t = new Writer();
  for (const d of dims) t.int(1, d); // dims
  t.int(2, FLOAT); // data_type
  t.string(8, name); // name
  // raw_data: float32 little-endian (copied so the bytes are little-endian whatever the host).
  const raw = new Uint8Array(data.length * 4), view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true);
  t.bytes(9, raw);
  return t;
}

function valueInfo(name: string, n: number): Writer {
  const dimN = new Writer().string(2, "N"); // dim_param
  const dimF = new Writer().int(1, n); // dim_value
  const shape = new Writer().message(1, dimN).message(1, dimF);
  const tensorType = new Writer().int(1, FLOAT).message(2, shape);
  return new Writer().string(1, name).message(2, new Writer().message(1, tensorType));
}

function node(op: string, inputs: string[], output: string, name: string, attrs: Writer[] = []): Writer {
  const n = new Writer();
  for (const i of inputs) n.string(1, i);
  n.string(2, output).string(3, name).string(4, op);
  for (const a of attrs) n.message(5, a);
  return n;
}

const intAttr = (name: string, i: number) => new Writer().string(1, name).int(20, ATTR_INT).int(3, i);
const floatAttr = (name: string, f: number) => new Writer().string(1, name).int(20, ATTR_FLOAT).float(2, f);

/**
 * The network as an ONNX model (IR 8, opset 13): per layer Gemm(transB = 1) and its
 * activation, with the preprocessing as leading Sub / Div. Accepts a Network or model JSON
 * (object or text, as `Network.fromJSON` reads it).
 */
export function toONNX(net: Network | NetworkJSON | string): Uint8Array {
  const m = readModel("toONNX(net)", net);
  const g = new Writer();
  const nodes: Writer[] = [], inits: Writer[] = [];
  const L = m.layers.length;
  let cur = "input";
  if (m.preprocessing) {
    const nIn = m.layers[0].nIn;
    inits.push(tensor("preprocessing.mean", [nIn], m.preprocessing.mean), tensor("preprocessing.std", [nIn], m.preprocessing.std));
    nodes.push(node("Sub", [cur, "preprocessing.mean"], "centered", "preprocessing.sub"));
    nodes.push(node("Div", ["centered", "preprocessing.std"], "standardized", "preprocessing.div"));
    cur = "standardized";
  }
  m.layers.forEach((layer, l) => {
    const last = l === L - 1, w = `layer${l}.weight`, b = `layer${l}.bias`;
    inits.push(tensor(w, [layer.nOut, layer.nIn], layer.w), tensor(b, [layer.nOut], layer.b));
    const op = ACT_OPS[layer.activation];
    const z = last && !op ? "output" : `layer${l}.z`;
    nodes.push(node("Gemm", [cur, w, b], z, `layer${l}.gemm`, [intAttr("transB", 1)]));
    cur = z;
    if (op) {
      const a = last ? "output" : `layer${l}.a`;
      const attrs = op === "LeakyRelu" ? [floatAttr("alpha", LEAKY_ALPHA)] : op === "Softmax" ? [intAttr("axis", -1)] : [];
      nodes.push(node(op, [cur], a, `layer${l}.${layer.activation}`, attrs));
      cur = a;
    }
  });
  for (const n of nodes) g.message(1, n); // node
  g.string(2, "nabla"); // name
  for (const t of inits) g.message(5, t); // initializer
  g.message(11, valueInfo("input", m.layers[0].nIn)); // input
  g.message(12, valueInfo("output", m.layers[L - 1].nOut)); // output

  const model = new Writer();
  model.int(1, IR_VERSION); // ir_version
  model.string(2, "nabla"); // producer_name
  model.string(3, "0.1.0"); // producer_version
  model.message(7, g); // graph
  model.message(8, new Writer().string(1, "").int(2, OPSET)); // opset_import (the default domain)
  model.message(14, new Writer().string(1, "nabla.cost").string(2, m.cost)); // metadata_props
  return model.finish();
}

// ---- import ----------------------------------------------------------------------------------

/** Most nodes / initializers / inputs a graph may have (a network of MAX_LAYERS layers needs about 3 per layer). */
const MAX_ITEMS = 10_000;
/** Most elements of one tensor (2^30: 4 GiB of float32, the most a network can hold). */
const MAX_ELEMENTS = 2 ** 30;

interface Tensor {
  name: string;
  dims: number[];
  /** Where the float32 values are: raw_data, or float_data runs (packed or not). */
  raw: Uint8Array | null;
  floats: Uint8Array[];
  path: string;
}

interface NodeInfo {
  op: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, { type: number; f: number; i: number; t: Tensor | null; path: string }>;
  path: string;
}

const WHERE = "fromONNX(bytes)";

function asBytes(where: string, bytes: unknown): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new ModelFormatError(where, "bytes", "the ONNX model as a Uint8Array or ArrayBuffer", describe(bytes));
}

function readTensor(r: Reader, path: string): Tensor {
  const t: Tensor = { name: "", dims: [], raw: null, floats: [], path };
  let type = 0, count = 0;
  for (let f: Field | null; (f = r.next()); ) {
    switch (f.field) {
      case 1:
        t.dims.push(...r.ints(f, `${path}.dims`, 64));
        if (t.dims.length > 64) r.fail("at most 64 dimensions", "more", `${path}.dims`);
        break;
      case 2: type = r.int(f, `${path}.data_type`); break;
      case 3: r.fail("a whole tensor", "a segment of one (TensorProto.segment)", `${path}.segment`); break;
      case 4:
        if (f.wire === FIXED32) { t.floats.push(f.bytes); count++; } else {
          r.expectWire(f, BYTES, `${path}.float_data`);
          if (f.bytes.length % 4) r.fail("packed float32 values (a multiple of 4 bytes)", `${f.bytes.length} bytes`, `${path}.float_data`);
          t.floats.push(f.bytes);
          count += f.bytes.length / 4;
        }
        break;
      case 8: t.name = r.string(f, `${path}.name`); break;
      case 9: r.expectWire(f, BYTES, `${path}.raw_data`); t.raw = f.bytes; break;
      case 13: r.fail("the data inside the model", "external data (TensorProto.external_data)", `${path}.external_data`); break;
      case 14: if (r.int(f, `${path}.data_location`) !== 0) r.fail("the data inside the model", "external data", `${path}.data_location`); break;
      case 5: case 6: case 7: case 10: case 11: break; // other types' data: refused below by data_type
      default: break;
    }
  }
  const where = t.name ? `${path} "${t.name}"` : path;
  if (type !== FLOAT) r.fail("float32 (data type FLOAT = 1)", dtypeName(type), `${where}.data_type`);
  let n = 1;
  for (const d of t.dims) {
    if (!(d >= 0)) r.fail("non-negative dimensions", `dims [${t.dims.join(", ")}]`, `${where}.dims`);
    n *= d;
  }
  if (n > MAX_ELEMENTS) r.fail(`at most ${MAX_ELEMENTS} elements`, `dims [${t.dims.join(", ")}] (${n} elements)`, `${where}.dims`);
  const have = t.raw ? t.raw.length / 4 : count;
  if (t.raw && t.floats.length) r.fail("one of raw_data or float_data", "both", where);
  if (have !== n) r.fail(`${n} float32 values (dims [${t.dims.join(", ")}])`, t.raw ? `raw_data of ${t.raw.length} bytes` : `${count} values`, where);
  return t;
}

/** The values of a checked tensor, as float32. Allocates only what the input already holds. */
function values(t: Tensor): Float32Array {
  let n = 1;
  for (const d of t.dims) n *= d;
  const out = new Float32Array(n);
  let i = 0;
  for (const b of t.raw ? [t.raw] : t.floats) {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (let k = 0; k + 4 <= b.byteLength; k += 4) out[i++] = v.getFloat32(k, true);
  }
  return out;
}

function readNode(r: Reader, path: string): NodeInfo {
  const n: NodeInfo = { op: "", domain: "", name: "", inputs: [], outputs: [], attrs: new Map(), path };
  for (let f: Field | null; (f = r.next()); ) {
    switch (f.field) {
      case 1: n.inputs.push(r.string(f, `${path}.input`)); break;
      case 2: n.outputs.push(r.string(f, `${path}.output`)); break;
      case 3: n.name = r.string(f, `${path}.name`); break;
      case 4: n.op = r.string(f, `${path}.op_type`); break;
      case 7: n.domain = r.string(f, `${path}.domain`); break;
      case 5: {
        const ap = `${path}.attribute[${n.attrs.size}]`;
        const a = r.sub(f, ap);
        let name = "";
        const attr = { type: 0, f: NaN, i: NaN, t: null as Tensor | null, path: ap };
        for (let g: Field | null; (g = a.next()); ) {
          if (g.field === 1) name = a.string(g, `${ap}.name`);
          else if (g.field === 20) attr.type = a.int(g, `${ap}.type`);
          else if (g.field === 2) attr.f = a.float(g, `${ap}.f`);
          else if (g.field === 3) attr.i = a.int(g, `${ap}.i`);
          else if (g.field === 5) attr.t = readTensor(a.sub(g, `${ap}.t`), `${ap}.t`);
          // Graph-valued and list attributes are skipped: no supported operator has them.
        }
        attr.path = name ? `${ap} "${name}"` : ap;
        n.attrs.set(name, attr);
        if (n.attrs.size > 64) r.fail("at most 64 attributes", "more", path);
        break;
      }
      default: break;
    }
    if (n.inputs.length > 16 || n.outputs.length > 16) r.fail("at most 16 inputs and outputs", "more", path);
  }
  if (n.name) n.path = `${path} "${n.name}" (${n.op || "no op_type"})`;
  else n.path = `${path} (${n.op || "no op_type"})`;
  return n;
}

/** The graph's input: its name and, when the shape says, n_in. */
function readInput(r: Reader, path: string): { name: string; nIn: number | null } {
  let name = "", nIn: number | null = null;
  for (let f: Field | null; (f = r.next()); ) {
    if (f.field === 1) name = r.string(f, `${path}.name`);
    else if (f.field === 2) {
      const type = r.sub(f, `${path}.type`);
      let tensor: Reader | null = null;
      for (let g: Field | null; (g = type.next()); ) {
        if (g.field === 1) tensor = type.sub(g, `${path}.type.tensor_type`);
        else if (g.field !== 6) r.fail("a tensor", `TypeProto field ${g.field} (a sequence, map or other non-tensor type)`, `${path}.type`);
      }
      if (!tensor) continue;
      let elem = 0;
      const dims: (number | null)[] = [];
      for (let g: Field | null; (g = tensor.next()); ) {
        if (g.field === 1) elem = tensor.int(g, `${path}.type.tensor_type.elem_type`);
        else if (g.field === 2) {
          const shape = tensor.sub(g, `${path}.shape`);
          for (let d: Field | null; (d = shape.next()); ) {
            if (d.field !== 1) continue;
            if (dims.length >= 8) r.fail("a [N, n_in] input", "a shape of more than 8 dimensions", `${path}.shape`);
            const dim = shape.sub(d, `${path}.shape.dim[${dims.length}]`);
            let v: number | null = null;
            for (let e: Field | null; (e = dim.next()); ) if (e.field === 1) v = dim.int(e, `${path}.shape.dim[${dims.length}].dim_value`);
            dims.push(v);
          }
        }
      }
      if (elem !== FLOAT) r.fail("a float32 input (elem_type FLOAT = 1)", dtypeName(elem), `${path}.type.tensor_type.elem_type`);
      if (dims.length !== 0) {
        if (dims.length !== 2) r.fail("a [N, n_in] input (rank 2)", `rank ${dims.length}`, `${path}.shape`);
        nIn = dims[1];
      }
    }
  }
  return { name, nIn };
}

interface Graph {
  nodes: NodeInfo[];
  inits: Map<string, Tensor>;
  inputs: { name: string; nIn: number | null }[];
  outputs: string[];
}

function readGraph(r: Reader): Graph {
  const g: Graph = { nodes: [], inits: new Map(), inputs: [], outputs: [] };
  let items = 0;
  for (let f: Field | null; (f = r.next()); ) {
    if (++items > MAX_ITEMS) r.fail(`at most ${MAX_ITEMS} nodes, initializers, inputs and outputs`, "more", "graph");
    switch (f.field) {
      case 1: g.nodes.push(readNode(r.sub(f, `graph.node[${g.nodes.length}]`), `graph.node[${g.nodes.length}]`)); break;
      case 5: {
        const p = `graph.initializer[${g.inits.size}]`;
        const t = readTensor(r.sub(f, p), p);
        g.inits.set(t.name, t);
        break;
      }
      case 11: g.inputs.push(readInput(r.sub(f, `graph.input[${g.inputs.length}]`), `graph.input[${g.inputs.length}]`)); break;
      case 12: {
        const p = `graph.output[${g.outputs.length}]`, o = r.sub(f, p);
        let name = "";
        for (let h: Field | null; (h = o.next()); ) if (h.field === 1) name = o.string(h, `${p}.name`);
        g.outputs.push(name);
        break;
      }
      default: break;
    }
  }
  return g;
}

const SUPPORTED = "Gemm, MatMul + Add, Sigmoid, Tanh, Relu, LeakyRelu (alpha 0.01), Softmax (last axis), Identity, and a leading Sub / Div (standardization)";

/**
 * Reads an ONNX model of the shape toONNX writes (and MatMul + Add graphs) as nabla model JSON,
 * with its `preprocessing` when the graph starts with Sub / Div. Does not need the library to
 * apply preprocessing: use this to see what a model holds.
 */
export function onnxToJSON(bytes: Uint8Array | ArrayBuffer, where = "onnxToJSON(bytes)"): ImportedJSON {
  return guarded(where, "bytes", () => readONNX(bytes, where));
}

function readONNX(bytes: Uint8Array | ArrayBuffer, where: string): ImportedJSON {
  const input = asBytes(where, bytes);
  const top = new Reader(where, "model", input);
  let graphField: Field | null = null, opset: number | null = null, cost: string | undefined;
  for (let f: Field | null; (f = top.next()); ) {
    if (f.field === 7) graphField = f;
    else if (f.field === 8) {
      const o = top.sub(f, "model.opset_import");
      let domain = "", version = 0;
      for (let g: Field | null; (g = o.next()); ) {
        if (g.field === 1) domain = o.string(g, "model.opset_import.domain");
        else if (g.field === 2) version = o.int(g, "model.opset_import.version");
      }
      if (domain === "" || domain === "ai.onnx") opset = version;
    } else if (f.field === 14) {
      const p = top.sub(f, "model.metadata_props");
      let k = "", v = "";
      for (let g: Field | null; (g = p.next()); ) {
        if (g.field === 1) k = p.string(g, "model.metadata_props.key");
        else if (g.field === 2) v = p.string(g, "model.metadata_props.value");
      }
      if (k === "nabla.cost") cost = v;
    }
  }
  if (!graphField) top.fail("an ONNX ModelProto with a graph (field 7)", "none");
  if (opset === null) top.fail("an opset_import of the default ONNX domain", "none", "model.opset_import");
  if (opset! < 7) top.fail("opset 7 or later (today's Gemm)", `opset ${opset}`, "model.opset_import");
  const g = readGraph(top.sub(graphField as Field, "graph"));
  const fail = (path: string, expected: string, received: string): never => { throw new ModelFormatError(where, path, expected, received); };

  // Constant nodes are initializers too.
  const consts = new Map(g.inits);
  const nodes = g.nodes.filter((n) => {
    if (n.op !== "Constant" || (n.domain !== "" && n.domain !== "ai.onnx")) return true;
    const v = n.attrs.get("value");
    if (n.outputs.length !== 1 || !v || !v.t || n.attrs.size !== 1) fail(n.path, "a Constant with one float32 tensor `value`", "another form");
    consts.set(n.outputs[0], v!.t!);
    return false;
  });
  const inputs = g.inputs.filter((i) => !consts.has(i.name));
  if (inputs.length !== 1) fail("graph.input", "exactly one input besides the initializers", `${inputs.length} (${inputs.map((i) => JSON.stringify(i.name)).join(", ")})`);
  if (g.outputs.length !== 1) fail("graph.output", "exactly one output", `${g.outputs.length}`);

  const constant = (n: NodeInfo, k: number): Tensor => {
    const name = n.inputs[k];
    const t = consts.get(name);
    if (!t) fail(`${n.path}.input[${k}]`, "an initializer or Constant (weights, biases, mean and std are constants)", JSON.stringify(name));
    return t!;
  };
  /** A constant vector of n (shape [n] or [1, n]). */
  const vector = (n: NodeInfo, k: number, len: number | null, what: string): Float32Array => {
    const t = constant(n, k), d = t.dims;
    const ok = (d.length === 1 || (d.length === 2 && d[0] === 1)) && (len === null || d[d.length - 1] === len);
    if (!ok) fail(`${n.path}.input[${k}] "${n.inputs[k]}"`, `${what}: a vector of shape [${len ?? "n"}] or [1, ${len ?? "n"}]`, `dims [${d.join(", ")}]`);
    return values(t);
  };
  const attr = (n: NodeInfo, name: string, type: number, dflt: number): number => {
    const a = n.attrs.get(name);
    if (!a) return dflt;
    if (a.type !== 0 && a.type !== type) fail(a.path, `a ${type === ATTR_INT ? "int" : "float"} attribute`, `attribute type ${a.type}`);
    return type === ATTR_INT ? a.i : a.f;
  };

  const layers: (Layer & { fromMatMul: boolean; hasBias: boolean; act: Activation | null })[] = [];
  let mean: Float32Array | null = null, std: Float32Array | null = null;
  let cur = inputs[0].name;
  for (const n of nodes) {
    if (n.domain !== "" && n.domain !== "ai.onnx") fail(n.path, `an operator of the default ONNX domain (${SUPPORTED})`, `domain ${JSON.stringify(n.domain)}`);
    if (n.outputs.length !== 1) fail(n.path, "a node with one output", `${n.outputs.length} outputs`);
    const last = layers[layers.length - 1];
    // The node must continue the chain: its data input is the current value.
    const dataAt = n.op === "Add" && n.inputs[1] === cur ? 1 : 0;
    if (n.inputs[dataAt] !== cur) {
      fail(n.path, `a node that takes the previous node's output ${JSON.stringify(cur)} (nabla reads a chain of layers)`, `inputs [${n.inputs.map((s) => JSON.stringify(s)).join(", ")}]`);
    }
    const unused = (k: number) => { if (n.inputs.length > k) fail(n.path, `${k} input${k > 1 ? "s" : ""}`, `${n.inputs.length}`); };
    switch (n.op) {
      case "Identity":
        unused(1);
        break;
      case "Sub":
      case "Div": {
        unused(2);
        if (layers.length > 0 || (n.op === "Sub" ? mean || std : std)) fail(n.path, `${SUPPORTED}: Sub and Div only as the leading standardization (x − mean) / std`, `${n.op} here`);
        const v = vector(n, 1, inputs[0].nIn, n.op === "Sub" ? "the mean" : "the standard deviation");
        if (n.op === "Sub") mean = v; else {
          const bad = v.findIndex((x) => !(x > 0) || !Number.isFinite(x));
          if (bad >= 0) fail(`${n.path}.input[1][${bad}]`, "a positive finite standard deviation", describe(v[bad]));
          std = v;
        }
        break;
      }
      case "Gemm":
      case "MatMul": {
        if (n.op === "Gemm") {
          if (n.inputs.length < 2 || n.inputs.length > 3) fail(n.path, "Gemm(A, B, C?)", `${n.inputs.length} inputs`);
          if (attr(n, "transA", ATTR_INT, 0) !== 0) fail(n.path, "transA = 0", "transA = 1");
          for (const k of ["alpha", "beta"]) {
            const v = attr(n, k, ATTR_FLOAT, 1);
            if (v !== 1) fail(n.path, `${k} = 1`, `${k} = ${v}`);
          }
        } else unused(2);
        const transB = n.op === "Gemm" ? attr(n, "transB", ATTR_INT, 0) : 0;
        const W = constant(n, 1);
        if (W.dims.length !== 2) fail(`${n.path}.input[1] "${n.inputs[1]}"`, "a weight matrix (rank 2)", `dims [${W.dims.join(", ")}]`);
        const [nOut, nIn] = transB ? W.dims : [W.dims[1], W.dims[0]];
        const want = last ? last.nOut : (inputs[0].nIn ?? nIn);
        if (nIn !== want) fail(`${n.path}.input[1] "${n.inputs[1]}"`, `${transB ? `[n_out, ${want}]` : `[${want}, n_out]`} (the previous layer's width)`, `dims [${W.dims.join(", ")}]`);
        checkSizes(where, "the graph's layers", [layers.length ? layers[0].nIn : nIn, ...layers.map((l) => l.nOut), nOut]);
        const raw = values(W);
        let w = raw;
        if (!transB) {
          w = new Float32Array(nIn * nOut);
          for (let k = 0; k < nIn; k++) for (let j = 0; j < nOut; j++) w[j * nIn + k] = raw[k * nOut + j];
        }
        const hasC = n.op === "Gemm" && n.inputs.length === 3 && n.inputs[2] !== "";
        const b = hasC ? vector(n, 2, nOut, "the bias") : new Float32Array(nOut);
        layers.push({ nIn, nOut, w, b, activation: "linear", act: null, fromMatMul: n.op === "MatMul", hasBias: hasC });
        break;
      }
      case "Add": {
        unused(2);
        if (!last || !last.fromMatMul || last.hasBias || last.act) fail(n.path, `${SUPPORTED}: Add only as the bias right after a MatMul`, "Add here");
        last.b = vector(n, 1 - dataAt, last.nOut, "the bias");
        last.hasBias = true;
        break;
      }
      case "Sigmoid": case "Tanh": case "Relu": case "LeakyRelu": case "Softmax": {
        unused(1);
        if (!last || last.act) fail(n.path, `${SUPPORTED}: one activation after each Gemm / MatMul`, `${n.op} here`);
        let act: Activation = n.op === "Sigmoid" ? "sigmoid" : n.op === "Tanh" ? "tanh" : n.op === "Relu" ? "relu" : n.op === "LeakyRelu" ? "leaky-relu" : "softmax";
        if (n.op === "LeakyRelu") {
          const alpha = attr(n, "alpha", ATTR_FLOAT, LEAKY_ALPHA);
          if (Math.fround(alpha) !== LEAKY_ALPHA) fail(n.path, "LeakyRelu with alpha = 0.01 (nabla's slope)", `alpha = ${alpha}`);
        }
        if (n.op === "Softmax") {
          const axis = attr(n, "axis", ATTR_INT, opset! >= 13 ? -1 : 1);
          if (axis !== -1 && axis !== 1) fail(n.path, "Softmax over the last axis (axis = -1 or 1)", `axis = ${axis}`);
        }
        last!.act = act;
        last!.activation = act;
        break;
      }
      default:
        fail(n.path, `one of the supported operators: ${SUPPORTED}`, JSON.stringify(n.op));
    }
    cur = n.outputs[0];
  }
  if (layers.length === 0) fail("graph", "at least one Gemm or MatMul layer", "none");
  if (g.outputs[0] !== cur) fail("graph.output[0]", `the last node's output ${JSON.stringify(cur)}`, JSON.stringify(g.outputs[0]));
  layers.slice(0, -1).forEach((l, i) => {
    if (l.activation === "softmax") fail(`layer ${i}`, "softmax only on the output layer (nabla's softmax is an output activation)", "a hidden Softmax");
  });
  const nIn = layers[0].nIn;
  if ((mean && mean.length !== nIn) || (std && std.length !== nIn)) fail("graph", `a standardization of ${nIn} features`, `${mean?.length ?? std?.length}`);
  const output = layers[layers.length - 1].activation;
  const m: Model = {
    layers,
    cost: costFor(output, cost),
    preprocessing: mean || std ? { mean: mean ?? new Float32Array(nIn), std: std ?? new Float32Array(nIn).fill(1) } : null,
  };
  return toJSON(m);
}

/**
 * A Network from ONNX bytes (see onnxToJSON for what is read). `options` as for
 * Network.fromJSON (backend, seed). The cost is the one toONNX recorded, else log-likelihood
 * for a softmax output and quadratic otherwise.
 */
export function fromONNX(bytes: Uint8Array | ArrayBuffer, options: ImportOptions = {}): Network {
  return toNetwork(onnxToJSON(bytes, WHERE), options);
}
