// Bad input: each case throws a typed error that names the argument, the expectation and what
// was received, and a failed call leaves the network exactly as it was.
import { describe, it, expect } from "vitest";
import {
  Network, NablaError, ShapeError, DataError, OptionError, ModelFormatError, DisposedError, BackendError, DivergenceError,
} from "../src/index.js";
import { DatasetError } from "../src/errors.js";
import { toSerialized, fromSerialized } from "../src/errors-wire.js";
import { fileURLToPath } from "node:url";

type ErrorClass = new (...args: never[]) => NablaError;

/** Runs f, expects an error of class C whose message contains every fragment. */
function expectError(f: () => unknown, C: ErrorClass, ...fragments: string[]) {
  let err: unknown;
  try { f(); } catch (e) { err = e; }
  expect(err, "no error was thrown").toBeInstanceOf(C);
  const e = err as NablaError;
  expect(e.name).toBe(C.name);
  for (const f of fragments) expect(e.message).toContain(f);
  return e;
}

const good = () => [{ input: [0, 1, 0], output: [1, 0] }, { input: [1, 0, 1], output: [0, 1] }];

describe("bad input", () => {
  it("layer sizes", () => {
    expectError(() => new Network([3]), ShapeError, "sizes", "at least 2", "length 1");
    expectError(() => new Network([]), ShapeError, "sizes");
    expectError(() => new Network("784,30" as never), ShapeError, "sizes", '"784,30"');
    expectError(() => new Network([3, 0, 2]), ShapeError, "sizes[1]", "positive integer", "received 0");
    expectError(() => new Network([3, -2, 2]), ShapeError, "sizes[1]", "-2");
    expectError(() => new Network([3, 2.5, 2]), ShapeError, "sizes[1]", "2.5");
    expectError(() => new Network([3, NaN]), ShapeError, "sizes[1]", "NaN");
    // One limit on the layer count for building and loading: what the library builds, it loads.
    expectError(() => new Network(new Array(1001).fill(1)), ShapeError, "sizes", "at most 1000", "length 1001");
    const deep = new Network(new Array(1000).fill(1), { seed: 1 });
    expect(Network.fromJSON(JSON.stringify(deep.toJSON())).sizes).toHaveLength(1000);
  });

  it("a network too large for 4 GiB of linear memory is refused up front, saying how large", () => {
    expectError(() => new Network([100000, 100000]), ShapeError, "4 GiB", "GiB", "10000100000 parameters");
  });

  it("constructor options", () => {
    expectError(() => new Network([2, 2], { cost: "mse" as never }), OptionError, "options.cost", '"quadratic"', '"mse"');
    expectError(() => new Network([2, 2], { backend: "gpu" as never }), OptionError, "options.backend", '"gpu"');
    expectError(() => new Network([2, 2], { seed: -1 }), OptionError, "options.seed", "-1");
    expectError(() => new Network([2, 2], { sead: 1 } as never), OptionError, "options.sead", "unknown");
    expectError(() => new Network([2, 2], { cost: "quadratic", output: "softmax" }), OptionError, "log-likelihood");
    expectError(() => new Network([2, 3, 2], { activation: "softmax" }), OptionError, "output layer only");
  });

  it("wrong input or output length, by sample index", () => {
    const net = new Network([3, 4, 2], { seed: 1 });
    const d = good();
    d[1] = { input: [1, 0], output: [0, 1] };
    expectError(() => net.train(d), ShapeError, "data[1].input", "length 3", "length 2");
    expectError(() => net.train([[[1, 2, 3], [1, 0, 0]]]), ShapeError, "data[0][1]", "length 2", "length 3");
    expectError(() => net.feedforward([1, 2]), ShapeError, "x", "length 3", "length 2");
    expectError(() => net.backprop([1, 2, 3], [1]), ShapeError, "[1]", "length 2");
  });

  it("NaN / Infinity in data and out-of-range labels", () => {
    const net = new Network([3, 4, 2], { seed: 1 });
    const d = good();
    d[1] = { input: [1, NaN, 0], output: [0, 1] };
    expectError(() => net.train(d), DataError, "data[1].input[1]", "finite", "NaN");
    expectError(() => net.train([{ input: [0, 0, 0], output: [Infinity, 0] }]), DataError, "data[0].output[0]", "Infinity");
    expectError(() => net.train([{ input: [0, 0, 0], output: 2 }]), DataError, "data[0].output", "0 to 1", "2");
    expectError(() => net.feedforward([0, -Infinity, 0]), DataError, "x[1]", "-Infinity");
    // feedforwardBatch checks finiteness in wasm chunk by chunk (256 rows): first and a later chunk.
    for (const [row, col] of [[0, 0], [257, 2], [299, 1]]) {
      const batch = new Float32Array(300 * 3).fill(0.5);
      batch[row * 3 + col] = row === 257 ? Infinity : NaN;
      expectError(() => net.feedforwardBatch(batch), DataError, `inputs[${row}][${col}]`, "finite");
    }
    expectError(() => net.feedforwardBatch(new Float32Array(7)), ShapeError, "inputs", "multiple of 3", "length 7");
    const inputs = new Float32Array([0, 0, 0, 1, 1, NaN]);
    expectError(() => net.train({ inputs, labels: [0, 1] }), DataError, "data.inputs[1][2]", "NaN");
    expectError(() => net.train({ inputs: new Float32Array(4), labels: [0] }), ShapeError, "data.inputs", "multiple of 3");
    expectError(() => net.evaluate({ inputs: new Float32Array(6), labels: [0] }), ShapeError, "labels");
  });

  it("empty data", () => {
    const net = new Network([3, 2], { seed: 1 });
    expectError(() => net.train([]), DataError, "data", "non-empty", "empty array");
    expectError(() => net.evaluate({ inputs: new Float32Array(0), labels: [] }), ShapeError, "data.inputs");
    expectError(() => net.train(null as never), DataError, "data", "null");
  });

  it("batch size 0 or non-integer, and other train options", () => {
    const net = new Network([3, 2], { seed: 1 });
    expectError(() => net.train(good(), { batchSize: 0 }), OptionError, "options.batchSize", "integer ≥ 1", "received 0");
    expectError(() => net.train(good(), { batchSize: 2.5 }), OptionError, "options.batchSize", "2.5");
    expectError(() => net.train(good(), { learningRate: -1 }), OptionError, "options.learningRate", "-1");
    expectError(() => net.train(good(), { epochs: NaN }), OptionError, "options.epochs", "NaN");
    expectError(() => net.train(good(), { optimizer: "rmsprop" as never }), OptionError, "options.optimizer", "rmsprop");
    expectError(() => net.train(good(), { learningrate: 1 } as never), OptionError, "options.learningrate", "unknown");
    expectError(() => net.train(good(), { earlyStopping: 3 }), OptionError, "options.testData");
  });

  it("malformed or mismatched JSON models", () => {
    const json = new Network([3, 4, 2], { seed: 1 }).toJSON();
    expectError(() => Network.fromJSON("{not json"), ModelFormatError, "json", "valid JSON");
    expectError(() => Network.fromJSON(42), ModelFormatError, "json", "42");
    expectError(() => Network.fromJSON({ ...json, sizes: [3] }), ModelFormatError, "json.sizes");
    expectError(() => Network.fromJSON({ ...json, sizes: [3, 5, 2] }), ModelFormatError, "json.weights[0]", "an array of 5");
    const w = structuredClone(json);
    w.weights[1][0][2] = "x" as never;
    expectError(() => Network.fromJSON(w), ModelFormatError, "json.weights[1][0][2]", "finite", '"x"');
    const b = structuredClone(json);
    b.biases[0].pop();
    expectError(() => Network.fromJSON(b), ModelFormatError, "json.biases[0]", "an array of 4", "length 3");
    expectError(() => Network.fromJSON({ ...json, cost: "hinge" }), ModelFormatError, "json.cost", '"hinge"');
  });

  it("a failed call leaves weights, biases and the generator unchanged", () => {
    const net = new Network([3, 4, 2], { seed: 1 });
    const before = JSON.stringify(net);
    const d = good();
    d.push({ input: [0, 0, NaN], output: [1, 0] });
    expect(() => net.train(d, { epochs: 5 })).toThrow(DataError);
    expect(() => net.train(good(), { batchSize: 0 })).toThrow(OptionError);
    expect(() => { net.weights = [[[1, 2, 3]]]; }).toThrow(ShapeError);
    expect(() => { net.biases = [[0, 0, 0, NaN], [0, 0]]; }).toThrow(DataError);
    expect(JSON.stringify(net)).toBe(before);
  });

  it("use after dispose is a clear error", () => {
    const net = new Network([3, 2], { seed: 1 });
    net.dispose();
    expect(net.disposed).toBe(true);
    expectError(() => net.feedforward([0, 0, 0]), DisposedError, "feedforward", "dispose()");
    expectError(() => net.train(good()), DisposedError, "train");
    expectError(() => net.toJSON(), DisposedError, "toJSON");
  });
});

describe("error classes survive minifiers and threads", () => {
  const samples = () => [
    new NablaError("f(x)", "x", "a thing", "another"),
    new ShapeError("train(data)", "data[1].input", "an array of length 3", "an array of length 2"),
    new DataError("train(data)", "data[0].output[0]", "finite", "Infinity"),
    new OptionError("new Network(sizes, options)", "options.cost", '"quadratic"', '"mse"'),
    new ModelFormatError("Network.fromJSON(json)", "json.sizes", "an array", "null"),
    new BackendError("new Network(sizes, options)", "options.backend", "a loaded build", '"wasm"'),
    new DisposedError("feedforward(x)"),
    new DivergenceError("train(data, options)", 3, 17, 40, [{ epoch: 0, cost: 0.5, samplesPerSecond: 1000 }]),
    new DatasetError("IDX", "t10k-labels", "10000 labels", "9999"),
  ];

  it("each class has its literal name, also after esbuild --minify renames the classes", async () => {
    const { build } = await import("esbuild");
    const r = await build({
      entryPoints: [fileURLToPath(new URL("../src/errors.ts", import.meta.url))], bundle: true, minify: true, format: "esm", write: false,
    });
    const min = r.outputFiles[0].text;
    expect(min).not.toMatch(/class ShapeError\b/); // the minifier did rename the classes
    const m = await import(`data:text/javascript;base64,${Buffer.from(min).toString("base64")}`);
    for (const e of samples()) {
      const name = e.constructor.name;
      expect(e.name).toBe(name);
      expect(String(e)).toMatch(new RegExp(`^${name}: `));
      const C = m[name];
      expect(new C("w", "a", "e", "r").name, `minified ${name}`).toBe(name);
      expect(Object.keys(e)).not.toContain("name"); // on the prototype, like TypeError's: not listed as a field
    }
  });

  it("round trip through structured clone: same class, name, message and fields (DivergenceError's epoch, history, …)", () => {
    for (const e of samples()) {
      const back = fromSerialized(structuredClone(toSerialized(e)));
      expect(back).toBeInstanceOf(e.constructor);
      expect(back).toBeInstanceOf(NablaError);
      expect(back).toBeInstanceOf(Error);
      expect(back.name).toBe(e.name);
      expect(back.message).toBe(e.message);
      expect({ ...back }).toEqual({ ...e });
    }
    const d = fromSerialized(structuredClone(toSerialized(samples()[7]))) as DivergenceError;
    expect([d.epoch, d.batch, d.eta]).toEqual([3, 17, 40]);
    expect(d.history).toEqual([{ epoch: 0, cost: 0.5, samplesPerSecond: 1000 }]);
    // Built-in classes come back as themselves; unknown names as an Error with that name; non-errors as text.
    const t = fromSerialized(structuredClone(toSerialized(new TypeError("x is not a function"))));
    expect(t).toBeInstanceOf(TypeError);
    expect(t.message).toBe("x is not a function");
    const u = fromSerialized({ name: "AbortError", message: "stopped" });
    expect([u instanceof Error, u.name, u.message]).toEqual([true, "AbortError", "stopped"]);
    expect(fromSerialized({ name: "toString", message: "m" }).name).toBe("toString"); // not a prototype key
    expect(fromSerialized(toSerialized("plain text")).message).toBe("plain text");
    // A field that cannot be cloned is left out instead of failing the message.
    const f = Object.assign(new DataError("f", "a", "b", "c"), { callback: () => 1 });
    expect(toSerialized(f).fields).not.toHaveProperty("callback");
  });
});

describe("reliability, round two (issue 13, library items)", () => {
  it("1: weights/biases setters refuse arrays with holes, naming the index (forEach would skip the hole and shift every later value)", () => {
    const net = new Network([3, 2, 2], { seed: 1 });
    const before = net.toJSON();
    const w = net.weights;
    // eslint-disable-next-line no-sparse-arrays
    w[0][1] = [1, , 3] as number[];
    expectError(() => { net.weights = w; }, DataError, "set weights", "weights[0][1][1]", "undefined");
    const b = net.biases;
    b[1] = new Array(2); // both holes
    expectError(() => { net.biases = b; }, DataError, "biases[1][0]", "undefined");
    const w2 = net.weights;
    (w2 as unknown[])[1] = Object.assign(new Array(2), { 0: [1, 2] });
    expectError(() => { net.weights = w2; }, ShapeError, "weights[1][1]");
    expect(net.toJSON()).toEqual(before);
  });

  it("5: dispose() from a data getter or Proxy trap during validation is a DisposedError", () => {
    for (const call of ["train", "evaluate", "feedforwardBatch", "predictBatch"] as const) {
      const net = new Network([2, 3, 2], { seed: 1 });
      const sample = { get input() { net.dispose(); return [0, 1]; }, output: [1, 0] };
      const data = [{ input: [1, 0], output: [0, 1] }, sample];
      expectError(() => {
        if (call === "train") net.train(data, { epochs: 1 });
        else if (call === "evaluate") net.evaluate(data);
        else if (call === "feedforwardBatch") net.feedforwardBatch(data.map((s) => s.input) as never);
        else net.predictBatch([[0, 1], new Proxy([0, 1], { get(t, k) { net.dispose(); return Reflect.get(t, k); } })]);
      }, DisposedError, "a live network");
      expect(net.disposed).toBe(true);
    }
    const net = new Network([2, 2], { seed: 1 });
    const trap = new Proxy([[1, 2], [3, 4]], { get(t, k) { if (k === "0") net.dispose(); return Reflect.get(t, k); } });
    expectError(() => { net.biases = [[0, 0]]; net.weights = [trap as never]; }, DisposedError);
  });

  it("7: an Adam epsilon that is 0 in float32, and a negative saved second moment, are refused up front (not a DivergenceError blaming η)", () => {
    const net = new Network([2, 3, 2], { seed: 1 });
    expectError(() => net.train(good2(), { optimizer: { name: "adam", epsilon: 1e-46 }, learningRate: 0.001 }), OptionError,
      "options.optimizer.epsilon", "1e-46");
    net.train(good2(), { optimizer: "adam", learningRate: 0.001, epochs: 1 });
    const json = net.toJSON();
    json.optimizer!.state2![3] = -1e-3;
    expectError(() => Network.fromJSON(json), ModelFormatError, "json.optimizer.state2[3]", "≥ 0", "-0.001");
  });

  it("9: { inputs, outputs, labels } is ambiguous and refused; a sparse array claiming 5e8 samples is refused before allocating", () => {
    const net = new Network([3, 2], { seed: 1 });
    const inputs = new Float32Array(6), outputs = Float32Array.of(1, 0, 0, 1);
    expectError(() => net.train({ inputs, outputs, labels: [0, 7] } as never), DataError, "data", "outputs or labels, not both");
    expectError(() => net.evaluate({ inputs, outputs, labels: [0, 1] } as never), DataError, "outputs or labels, not both");
    const sparse: unknown[] = [];
    sparse.length = 5e8;
    sparse[0] = [[0, 0, 0], 0];
    const rss = process.memoryUsage().rss;
    expectError(() => net.train(sparse as never), DataError, "data[1]", "undefined");
    expect(process.memoryUsage().rss - rss).toBeLessThan(512 * 2 ** 20);
  });
});

function good2() {
  return [{ input: [0, 1], output: [1, 0] }, { input: [1, 0], output: [0, 1] }];
}
