// Fuzzing Network.fromJSON with hostile input: random JSON values, mutated valid models,
// truncated text, huge declared sizes, prototype-polluting keys, throwing getters and Proxies.
// Every call either returns a working network with finite parameters or throws a
// ModelFormatError (a NablaError) — never another error, a crash, a hang or a large allocation.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { Network, NablaError, ModelFormatError, type NetworkJSON } from "../src/index.js";

/** Calls fromJSON; returns "ok" (after checking the network) or the error's class name. Any non-Nabla error fails. */
function load(input: unknown): string {
  let net: Network;
  try {
    net = Network.fromJSON(input);
  } catch (e) {
    if (!(e instanceof ModelFormatError)) {
      throw new Error(`fromJSON threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} for ${preview(input)}`);
    }
    expect(e).toBeInstanceOf(NablaError);
    expect(e.message).toMatch(/^Network\.fromJSON\(json, options\): json/);
    return "ModelFormatError";
  }
  try {
    const json = net.toJSON();
    const all = [...json.weights.flat(2), ...json.biases.flat(), ...(json.optimizer?.state1 ?? []), ...(json.optimizer?.state2 ?? [])];
    expect(all.every(Number.isFinite), "loaded parameters are finite").toBe(true);
    const out = net.feedforward(new Array(net.sizes[0]).fill(0.5));
    expect(out.length).toBe(net.sizes.at(-1));
  } finally {
    net.dispose();
  }
  return "ok";
}

function preview(v: unknown): string {
  try { return (typeof v === "string" ? v : JSON.stringify(v) ?? String(v)).slice(0, 200); } catch { return "(unprintable)"; }
}

const valid = (): NetworkJSON => {
  const net = new Network([3, 4, 2], { seed: 1 });
  net.train([[[0, 1, 0], [1, 0]], [[1, 0, 1], [0, 1]]], { epochs: 1, optimizer: "adam", batchSize: 1 });
  const json = net.toJSON();
  net.dispose();
  return json;
};
const VALID = valid();
const TEXT = JSON.stringify(VALID);

/** Every path (array of keys) into a JSON value. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v !== null && typeof v === "object") for (const k of Object.keys(v)) paths((v as Record<string, unknown>)[k], [...prefix, k], out);
  return out;
}
const ALL_PATHS = paths(VALID).filter((p) => p.length > 0);

/** Values that stress validation: non-finite, beyond float32, wrong types, huge, hostile strings. */
const nasty = fc.oneof(
  fc.constantFrom<unknown>(NaN, Infinity, -Infinity, 1e39, -1e39, 3.4028235677973366e38, 2 ** 53, -0, 1e-320,
    null, undefined, true, "1", "", "__proto__", [], {}, [[]], [NaN], { length: 1e9 }, 1e9, 2 ** 28, 2 ** 31, -1, 0.5),
  fc.jsonValue({ maxDepth: 3 }),
  fc.double(),
  fc.integer(),
);

type Mutation = { path: (string | number)[]; kind: "set" | "delete" | "push" | "pop" | "proto"; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.constantFrom(...ALL_PATHS),
  kind: fc.constantFrom("set", "set", "set", "delete", "push", "pop", "proto") as fc.Arbitrary<Mutation["kind"]>,
  value: nasty,
});

function mutate(json: unknown, ms: Mutation[]): unknown {
  const root = structuredClone(json) as Record<string, unknown>;
  for (const m of ms) {
    let parent: unknown = root;
    for (const k of m.path.slice(0, -1)) {
      if (parent === null || typeof parent !== "object") break;
      parent = (parent as Record<string | number, unknown>)[k];
    }
    if (parent === null || typeof parent !== "object") continue;
    const key = m.path.at(-1)!;
    const obj = parent as Record<string | number, unknown>;
    if (m.kind === "set") obj[key] = m.value;
    else if (m.kind === "delete") delete obj[key];
    else if (m.kind === "push" && Array.isArray(obj[key])) (obj[key] as unknown[]).push(m.value);
    else if (m.kind === "pop" && Array.isArray(obj[key])) (obj[key] as unknown[]).pop();
    else if (m.kind === "proto") Object.defineProperty(obj, "__proto__", { value: m.value, enumerable: true, configurable: true, writable: true });
  }
  return root;
}

describe("fromJSON fuzz", () => {
  it("the valid model loads (sanity check for the fuzzers below)", () => {
    expect(load(VALID)).toBe("ok");
    expect(load(TEXT)).toBe("ok");
  });

  it("random JSON values, as objects and as text: always a ModelFormatError", () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 5 }), (v) => {
      expect(load(v)).toBe("ModelFormatError");
      expect(load(JSON.stringify(v))).toBe("ModelFormatError");
    }), { numRuns: 300 });
  });

  it("random objects with the model's keys and random values: ok or ModelFormatError", () => {
    const keys = Object.keys(VALID);
    const arb = fc.dictionary(fc.constantFrom(...keys, "__proto__", "constructor", "prototype"), nasty, { maxKeys: 12 });
    fc.assert(fc.property(arb, (obj) => { load({ ...VALID, ...obj }); load(obj); }), { numRuns: 300 });
  });

  it("mutated valid models (1–4 mutations), as objects and as text: ok or ModelFormatError", () => {
    let ok = 0, refused = 0;
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
      const m = mutate(VALID, ms);
      const r = load(m);
      if (r === "ok") ok++; else refused++;
      let text: string | undefined;
      try { text = JSON.stringify(m); } catch { /* e.g. BigInt never appears; keep going */ }
      if (text !== undefined) load(text);
    }), { numRuns: 500 });
    expect(refused).toBeGreaterThan(0);
    expect(ok).toBeGreaterThan(0); // e.g. a weight set to another finite number still loads
  });

  it("truncated JSON text: a ModelFormatError saying it does not parse", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: TEXT.length - 1 }), (k) => {
      let err: unknown;
      try { Network.fromJSON(TEXT.slice(0, k)); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ModelFormatError);
    }), { numRuns: 200 });
  });

  it("garbage text and bytes: a ModelFormatError", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
      expect(load(s)).toBe("ModelFormatError");
    }), { numRuns: 200 });
    for (const s of ["", " ", "null", "[]", "{}", "\u0000", "\uFEFF{}", "NaN", "Infinity", '{"sizes":[3,4,2]', "1e999"]) {
      expect(load(s), JSON.stringify(s)).toBe("ModelFormatError");
    }
  });

  it("huge declared sizes are refused before anything is allocated, saying how large", () => {
    for (const sizes of [[1e9, 10], [10, 1e9], [2 ** 53 - 1, 2 ** 53 - 1], [2 ** 28, 2 ** 28], [100000, 100000], [784, 2 ** 27, 10], new Array(1000).fill(2 ** 14)]) {
      const before = process.memoryUsage().arrayBuffers;
      let err: unknown;
      try { Network.fromJSON({ sizes, weights: [], biases: [] }); } catch (e) { err = e; }
      expect(err, JSON.stringify(sizes).slice(0, 50)).toBeInstanceOf(ModelFormatError);
      const e = err as ModelFormatError;
      expect(e.argument).toBe("json.sizes");
      expect(e.message).toMatch(/4 GiB/);
      expect(e.message).toMatch(/would need (\d+\.\d|\d\.\d\de\+\d+) GiB \((\d+|\d\.\d\de\+\d+) parameters/);
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 2 ** 20);
    }
    expect(() => Network.fromJSON({ sizes: new Array(1001).fill(1), weights: [], biases: [] })).toThrow(ModelFormatError);
  });

  it("a model that fits in 4 GiB but whose weights do not match is refused before the parameters are allocated", () => {
    // [5000, 5000] = 25 M parameters (100 MB as float32): the old loader allocated them first.
    for (const weights of [[], [[]], [new Array(5000).fill([])], [new Array(5000).fill(new Array(4999).fill(0))]]) {
      const before = process.memoryUsage().arrayBuffers;
      let err: unknown;
      try { Network.fromJSON({ sizes: [5000, 5000], weights, biases: [new Array(5000).fill(0)] }); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ModelFormatError);
      expect((err as ModelFormatError).argument).toMatch(/^json\.weights/);
      expect(process.memoryUsage().arrayBuffers - before, "bytes allocated before refusing").toBeLessThan(8 * 2 ** 20);
    }
  });

  it("a NaN in the last weight of a large model is found before allocation too", () => {
    const n = 300;
    const weights = [Array.from({ length: n }, () => new Array(n).fill(0.1))];
    weights[0][n - 1][n - 1] = NaN;
    let err: unknown;
    try { Network.fromJSON({ sizes: [n, n], weights, biases: [new Array(n).fill(0)] }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ModelFormatError);
    expect((err as ModelFormatError).argument).toBe(`json.weights[0][${n - 1}][${n - 1}]`);
  });

  it("values finite in float64 but not in float32 are refused (they would load as Infinity)", () => {
    for (const [path, v] of [["weights", 1e39], ["biases", -1e39], ["optimizer.state1", 4e38]] as const) {
      const m = structuredClone(VALID) as unknown as Record<string, unknown>;
      if (path === "weights") (m.weights as number[][][])[0][0][0] = v;
      else if (path === "biases") (m.biases as number[][])[1][0] = v;
      else (m.optimizer as { state1: number[] }).state1[3] = v;
      let err: unknown;
      try { Network.fromJSON(m); } catch (e) { err = e; }
      expect(err, path).toBeInstanceOf(ModelFormatError);
    }
    // The largest float32 itself is fine.
    const m = structuredClone(VALID);
    m.weights[0][0][0] = 3.4028234663852886e38;
    expect(load(m)).toBe("ok");
  });

  it("__proto__ and constructor keys neither pollute Object.prototype nor supply fields", () => {
    const polluted = () => ({} as Record<string, unknown>).polluted ?? ({} as Record<string, unknown>).sizes;
    // A model hidden behind "__proto__" in JSON text is an own key, not inherited: refused.
    const inner = JSON.stringify({ sizes: VALID.sizes, weights: VALID.weights, biases: VALID.biases });
    expect(load(`{"__proto__": ${inner}}`)).toBe("ModelFormatError");
    expect(load(`{"constructor": {"prototype": {"polluted": 1}}, "__proto__": {"polluted": 1}}`)).toBe("ModelFormatError");
    // Extra hostile keys next to a valid model are ignored.
    const text = TEXT.slice(0, -1) + `,"__proto__":{"polluted":1,"sizes":[1,1]},"constructor":{"prototype":{"polluted":1}}}`;
    expect(load(text)).toBe("ok");
    // Inherited (non-own) fields are not read.
    expect(load(Object.create(VALID))).toBe("ModelFormatError");
    const optProto = structuredClone(VALID) as unknown as Record<string, unknown>;
    optProto.optimizer = Object.create(VALID.optimizer!);
    expect(load(optProto)).toBe("ModelFormatError");
    expect(polluted()).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });

  it("throwing getters and Proxy traps give a ModelFormatError, not the raw error", () => {
    const getter = { ...VALID } as Record<string, unknown>;
    Object.defineProperty(getter, "weights", { get() { throw new Error("boom"); }, enumerable: true });
    expect(load(getter)).toBe("ModelFormatError");
    const trap = new Proxy({ ...VALID }, { get() { throw new TypeError("trap"); }, has() { throw new TypeError("trap"); } });
    expect(load(trap)).toBe("ModelFormatError");
    const row = [...VALID.weights[0][0]];
    Object.defineProperty(row, 1, { get() { throw new RangeError("row getter"); } });
    const m = structuredClone(VALID);
    m.weights[0][0] = row;
    expect(load(m)).toBe("ModelFormatError");
  });

  it("a getter that returns a finite number when validated and NaN when copied cannot smuggle in NaN", () => {
    let reads = 0;
    const row = [...VALID.weights[1][0]];
    Object.defineProperty(row, 0, { get: () => (reads++ === 0 ? 0.25 : NaN), enumerable: true });
    const m = structuredClone(VALID);
    m.weights[1][0] = row;
    // Refusing (the value changed between reads) or loading 0.25 are both safe; load() checks
    // that whatever loaded is finite.
    expect(["ok", "ModelFormatError"]).toContain(load(m));
  });

  it("deeply nested text and structures do not overflow the stack or hang", () => {
    const deep = "[".repeat(200000) + "]".repeat(200000);
    expect(load(deep)).toBe("ModelFormatError");
    expect(load(`{"sizes":[3,4,2],"weights":${deep},"biases":[]}`)).toBe("ModelFormatError");
    let nest: unknown = 0;
    for (let i = 0; i < 100000; i++) nest = [nest];
    expect(load({ ...VALID, weights: nest })).toBe("ModelFormatError");
    expect(load({ ...VALID, optimizer: { name: "adam", t: 1, state1: nest, state2: nest } })).toBe("ModelFormatError");
  });

  it("Nielsen's network2.py save format loads, and its mutations are refused cleanly", () => {
    const nielsen = {
      sizes: [2, 3, 1],
      weights: [[[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], [[0.7, -0.8, 0.9]]],
      biases: [[[0.1], [0.2], [0.3]], [[-0.4]]],
      cost: "CrossEntropyCost",
    };
    expect(load(nielsen)).toBe("ok");
    expect(load(JSON.stringify(nielsen))).toBe("ok");
    fc.assert(fc.property(fc.array(fc.record({
      path: fc.constantFrom(...paths(nielsen).filter((p) => p.length > 0)),
      kind: fc.constantFrom("set", "delete", "push", "pop") as fc.Arbitrary<Mutation["kind"]>,
      value: nasty,
    }), { minLength: 1, maxLength: 3 }), (ms) => { load(mutate(nielsen, ms)); }), { numRuns: 200 });
  });

  it("activation × cost pairings the constructor refuses are refused in a model too", () => {
    expect(load({ ...VALID, output: "softmax" })).toBe("ModelFormatError"); // quadratic + softmax
    expect(load({ ...VALID, cost: "log-likelihood", output: "sigmoid" })).toBe("ModelFormatError");
    expect(load({ ...VALID, cost: "cross-entropy", output: "linear" })).toBe("ModelFormatError");
    expect(load({ ...VALID, activation: "softmax" })).toBe("ModelFormatError"); // hidden softmax
    expect(load({ ...VALID, cost: "log-likelihood", output: "softmax" })).toBe("ok");
  });
});
