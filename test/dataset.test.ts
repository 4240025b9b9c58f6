// dataset(): data checked and converted once, then reused by train, evaluate, feedforwardBatch
// and testData without a second check. The results must equal those of the same data passed
// raw (bit for bit), the data set must not change when the caller's arrays do, and byte inputs
// (Uint8Array × scale) must train exactly as the float32 values they stand for.
import { describe, it, expect } from "vitest";
import { Network, dataset, Dataset, DataError, ShapeError, OptionError, type EpochStats } from "../src/index.js";
import { Random } from "../src/random.js";
import { BACKENDS } from "./helpers.js";

/** count samples of 3 classes on 12 byte "pixels", seeded. */
function bytes(count: number, seed = 4) {
  const rng = new Random(seed);
  const inputs = new Uint8Array(count * 12), labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 3;
    for (let k = 0; k < 12; k++) inputs[i * 12 + k] = rng.int(128) + (k % 3 === i % 3 ? 127 : 0);
  }
  return { inputs, labels };
}
const SCALE = 1 / 255;
/** The float32 values byte inputs stand for: fround(b · fround(scale)), as kernels.loadBytes computes them. */
const widen = (b: Uint8Array) => Float32Array.from(b, (x) => x * Math.fround(SCALE));
const strip = (h: EpochStats[]) => h.map(({ seconds, samplesPerSecond, ...s }) => s);
const bits = (n: Network) => Array.from(new Uint32Array(Float32Array.from([...n.weights.flat(2), ...n.biases.flat()]).buffer));

describe.each(BACKENDS)("dataset() on %s", (backend) => {
  const net = () => new Network([12, 7, 3], { seed: 2, backend, cost: "cross-entropy" });

  it("tensors, samples and a Dataset of them train, evaluate and predict bit for bit alike", () => {
    const b = bytes(90), f = { inputs: widen(b.inputs), labels: b.labels };
    const samples = Array.from({ length: 90 }, (_, i) => ({ input: f.inputs.subarray(i * 12, (i + 1) * 12), output: f.labels[i] }));
    const test = bytes(30, 9), ft = { inputs: widen(test.inputs), labels: test.labels };
    const opts = { epochs: 3, batchSize: 7, learningRate: 0.8, monitorTraining: true };
    const a = net(), c = net(), d = net();
    const ha = a.train(f, { ...opts, testData: ft });
    const hc = c.train(samples, { ...opts, testData: ft });
    const ds = dataset(f, { inputs: 12, outputs: 3 }), dt = dataset(ft, { inputs: 12, outputs: 3 });
    const hd = d.train(ds, { ...opts, testData: dt });
    expect(strip(hc)).toEqual(strip(ha));
    expect(strip(hd)).toEqual(strip(ha));
    expect(bits(d)).toEqual(bits(a));
    expect(d.evaluate(dt)).toEqual(a.evaluate(ft));
    expect(d.feedforwardBatch(dt)).toEqual(a.feedforwardBatch(ft.inputs));
  });

  it("byte inputs with a scale train exactly as the float32 values they stand for, in a quarter of the memory", () => {
    const b = bytes(90), f = { inputs: widen(b.inputs), labels: b.labels };
    const db = dataset(b, { inputs: 12, outputs: 3, scale: SCALE });
    expect(db.inputType).toBe("uint8");
    expect(db.byteLength).toBe(90 * 12 + 90 * 4);
    const a = net(), c = net();
    expect(strip(c.train(db, { epochs: 2, batchSize: 5 }))).toEqual(strip(a.train(f, { epochs: 2, batchSize: 5 })));
    expect(bits(c)).toEqual(bits(a));
    expect(c.feedforwardBatch(db)).toEqual(a.feedforwardBatch(f.inputs));
  });

  it("byte rows of any width (n_in % 4 ≠ 0, an unaligned view) load as their float32 values too", () => {
    const rng = new Random(6), count = 41, nIn = 5;
    const buf = new Uint8Array(count * nIn + 1), inputs = buf.subarray(1); // byteOffset 1
    for (let i = 0; i < inputs.length; i++) inputs[i] = rng.int(256);
    const labels = Int32Array.from({ length: count }, (_, i) => i % 2);
    const a = new Network([nIn, 4, 2], { seed: 3, backend }), c = new Network([nIn, 4, 2], { seed: 3, backend });
    const ha = a.train({ inputs: widen(inputs), labels }, { epochs: 2, batchSize: 4 });
    const hc = c.train(dataset({ inputs, labels }, { inputs: nIn, outputs: 2, scale: SCALE }), { epochs: 2, batchSize: 4 });
    expect(strip(hc)).toEqual(strip(ha));
    expect(bits(c)).toEqual(bits(a));
  });
});

describe("dataset(): immutable, checked once, clear errors", () => {
  it("copies: changing the caller's arrays afterwards changes nothing; transfer: true moves them (no copy)", () => {
    const b = bytes(30), f = { inputs: widen(b.inputs), labels: b.labels };
    const d = dataset(f, { inputs: 12, outputs: 3 });
    const before = new Network([12, 4, 3], { seed: 1 }).evaluate(d);
    f.inputs.fill(NaN);
    f.labels.fill(7);
    expect(new Network([12, 4, 3], { seed: 1 }).evaluate(d)).toEqual(before);
    const g = bytes(30), moved = dataset(g, { inputs: 12, outputs: 3, scale: SCALE, transfer: true });
    expect(g.inputs.length).toBe(0); // detached: the data set owns the buffer now
    expect(moved.count).toBe(30);
    expect(Object.isFrozen(moved)).toBe(true);
    expect(moved).toBeInstanceOf(Dataset);
  });

  it("a bad value is found when the data set is made, named by sample and index", () => {
    const b = bytes(20), f = { inputs: widen(b.inputs), labels: b.labels };
    f.inputs[5 * 12 + 4] = NaN;
    expect(() => dataset(f, { inputs: 12, outputs: 3 })).toThrow(DataError);
    expect(() => dataset(f, { inputs: 12, outputs: 3 })).toThrow(/data\.inputs\[5\]\[4\] must be a finite number, received NaN/);
    const samples = Array.from({ length: 4 }, (_, i) => [new Float32Array(12), i % 3] as const);
    samples[2][0][11] = Infinity;
    expect(() => dataset(samples, { inputs: 12, outputs: 3 })).toThrow(/data\[2\]\[0\]\[11\] must be a finite number \(within the float32 range\), received Infinity/);
    expect(() => dataset({ inputs: b.inputs, labels: [...b.labels.slice(0, 19), 3] }, { inputs: 12, outputs: 3, scale: SCALE }))
      .toThrow(/data\.labels\[19\]/);
  });

  it("options: sizes required, scale only (and always) with bytes, and the network's sizes must match", () => {
    const b = bytes(10), f = { inputs: widen(b.inputs), labels: b.labels };
    expect(() => dataset(f, undefined as never)).toThrow(OptionError);
    expect(() => dataset(f, { inputs: 12 } as never)).toThrow(/options\.outputs/);
    expect(() => dataset(f, { inputs: 12, outputs: 3, scale: 0.5 })).toThrow(/options\.scale must be absent/);
    expect(() => dataset(b, { inputs: 12, outputs: 3 })).toThrow(/options\.scale/);
    expect(() => dataset(b, { inputs: 12, outputs: 3, scale: -1 })).toThrow(/options\.scale/);
    expect(() => dataset(b, { inputs: 12, outputs: 3, scale: 1e37 })).toThrow(/options\.scale/); // 255 × scale overflows float32
    expect(() => dataset(b, { inputs: 12, outputs: 3, scale: SCALE, extra: 1 } as never)).toThrow(/options\.extra/);
    const d = dataset(b, { inputs: 12, outputs: 3, scale: SCALE });
    expect(() => new Network([12, 4, 2]).train(d)).toThrow(ShapeError);
    expect(() => new Network([11, 4, 3]).evaluate(d)).toThrow(/data must be a data set of 11 inputs and 3 outputs/);
    expect(() => new Network([12, 4, 3]).train(f, { testData: d, epochs: 1 })).not.toThrow();
  });
});
