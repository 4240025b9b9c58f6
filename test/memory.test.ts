// Memory: many networks created and dropped (or disposed) do not grow the process; training
// does not grow linear memory after the first epoch; networks too large for 4 GiB are refused
// up front; use after dispose() is a DisposedError on every public method.
//
// Linear memory is observed through the grow() of WebAssembly.Memory.prototype and of
// PlainMemory.prototype (the js backend's memory; the Network grows its memory only through
// that call), so no test-only API is needed. Heap and RSS are measured
// after a forced GC (--expose-gc enabled at run time through v8.setFlagsFromString).
import { describe, it, expect, afterEach, vi } from "vitest";
import v8 from "node:v8";
import vm from "node:vm";
import { Network, NablaError, DisposedError, ShapeError } from "../src/index.js";
import { BACKENDS } from "./helpers.js";
import { Random } from "../src/random.js";
import { PlainMemory } from "../src/baseline/memory.js";
import type { Memory } from "../src/kernels.js";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

const MiB = 2 ** 20;
function settle(): { rss: number; heap: number } {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

function dataset(n: number, nIn: number, nOut: number, seed = 1) {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => [Array.from({ length: nIn }, () => rng.next()), Math.floor(rng.next() * nOut)] as [number[], number]);
}

/** Records every grow() of any WebAssembly.Memory or PlainMemory: which memory, and its size before and after. */
function watchGrowth() {
  const events: { memory: Memory; before: number; after: number; tag: string }[] = [];
  let tag = "";
  for (const proto of [WebAssembly.Memory.prototype, PlainMemory.prototype] as Memory[]) {
    const original = proto.grow;
    vi.spyOn(proto, "grow").mockImplementation(function (this: Memory, delta: number) {
      const before = this.buffer.byteLength;
      const r = original.call(this, delta);
      events.push({ memory: this, before, after: this.buffer.byteLength, tag });
      return r;
    });
  }
  return { events, mark: (t: string) => { tag = t; } };
}

afterEach(() => { vi.restoreAllMocks(); });

describe("memory", () => {
  it.each(BACKENDS)("%s: creating and dropping 10,000 networks does not grow the process", (backend) => {
    const data = dataset(4, 8, 3);
    const round = (count: number) => {
      for (let i = 0; i < count; i++) {
        const net = new Network([8, 6, 3], { seed: i, backend });
        net.feedforward(data[0][0]);
        if (i % 100 === 0) net.train(data, { epochs: 1, batchSize: 2, learningRate: 0.1 });
      }
    };
    round(1000); // warm-up: compiled code, pools, the first wasm memories
    const before = settle();
    round(10000);
    const after = settle();
    const grewRss = (after.rss - before.rss) / MiB, grewHeap = (after.heap - before.heap) / MiB;
    // Without release, 10,000 networks would hold ≥ 10,000 × 64 KiB = 625 MiB of linear memory.
    expect(grewHeap, `heap grew by ${grewHeap.toFixed(1)} MiB`).toBeLessThan(16);
    expect(grewRss, `RSS grew by ${grewRss.toFixed(1)} MiB`).toBeLessThan(64);
  });

  it("15,000 disposed networks still referenced by the caller do not exhaust address space (dispose releases the memory)", () => {
    // Each live WebAssembly.Memory reserves ~10 GiB of virtual address space on 64-bit V8, so about
    // 12,900 live networks exhaust a 128 TiB address space. dispose() must make the memory collectable.
    const held: Network[] = [];
    for (let i = 0; i < 15000; i++) {
      const net = new Network([4, 3, 2], { seed: i, backend: "wasm" });
      net.dispose();
      held.push(net);
    }
    expect(held.every((n) => n.disposed)).toBe(true);
  });

  it("when the engine cannot give a new network memory (too many live networks), the error is a NablaError", () => {
    // Keeps up to 20,000 networks alive. On 64-bit V8 the address space runs out near 12,900;
    // the refusal must then be a typed NablaError saying so, not a raw RangeError.
    const live: Network[] = [];
    let err: unknown = null;
    try {
      for (let i = 0; i < 20000; i++) live.push(new Network([4, 3, 2], { seed: i, backend: "wasm" }));
    } catch (e) { err = e; }
    const count = live.length;
    for (const n of live) n.dispose();
    live.length = 0;
    settle();
    if (err !== null) {
      expect(err, `failed after ${count} live networks with ${String(err)}`).toBeInstanceOf(NablaError);
      expect((err as Error).message).toMatch(/memory/i);
    }
    // After releasing them, new networks work again.
    const net = new Network([4, 3, 2], { seed: 1 });
    expect(net.feedforward([0, 0, 0, 0]).length).toBe(2);
  });

  it.each(BACKENDS)("%s: 100 epochs do not grow linear memory after the first (with test data and monitoring)", (backend) => {
    const w = watchGrowth();
    const train = dataset(200, 100, 4), test = dataset(50, 100, 4, 2);
    w.mark("construct");
    // 100·100 + 100·4 weights: 7 parameter-sized buffers (≈ 300 KB) need more than the initial memory.
    const net = new Network([100, 100, 4], { seed: 3, backend, cost: "log-likelihood" });
    w.mark("epoch 0");
    let epochs = 0;
    net.train(train, {
      epochs: 100, batchSize: 10, learningRate: 0.1, testData: test, monitorTraining: true, optimizer: "adam",
      onEpoch: (s) => { epochs++; w.mark(`after epoch ${s.epoch}`); },
    });
    expect(epochs).toBe(100);
    w.mark("after training");
    net.evaluate(test);
    net.feedforwardBatch(test.map(([x]) => x));
    const late = w.events.filter((e) => e.tag.startsWith("after"));
    expect(late, `grew after the first epoch: ${JSON.stringify(late.map((e) => [e.tag, e.before, e.after]))}`).toEqual([]);
    const construction = w.events.filter((e) => e.tag === "construct");
    expect(construction.length).toBeGreaterThan(0); // the watcher sees this network's memory at all
    const mem = construction[0].memory;
    const size = mem.buffer.byteLength;
    net.train(train, { epochs: 3, batchSize: 10, learningRate: 0.1 });
    expect(mem.buffer.byteLength).toBe(size);
  });

  it("a network too large for 4 GiB of linear memory is refused up front, saying how large, without allocating", () => {
    for (const sizes of [[100000, 100000], [30000, 20000], [784, 1000000, 10]]) {
      const before = process.memoryUsage().arrayBuffers;
      let err: unknown;
      try { new Network(sizes); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ShapeError);
      expect((err as Error).message).toMatch(/4 GiB/);
      expect((err as Error).message).toMatch(/would need \d+\.\d GiB \(\d+ parameters/);
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(MiB);
    }
    // And through fromJSON (a hostile file declaring 10^9 neurons): see fuzz-json.test.ts.
  });

  it("a batch too large for 4 GiB is refused up front too", () => {
    const net = new Network([1000, 1000, 10], { seed: 1 });
    const inputs = new Float32Array(1000 * 3);
    // 3 samples but batchSize 10^6: only min(batchSize, count) rows are reserved — must work.
    expect(() => net.train({ inputs, labels: [0, 1, 2] }, { batchSize: 1e6, epochs: 1 })).not.toThrow();
  });
});

describe.each(BACKENDS)("use after dispose on %s", (backend) => {
  it("every public method throws a DisposedError naming the call; dispose() is idempotent", () => {
    const net = new Network([3, 4, 2], { seed: 1, backend });
    const x = [0.1, 0.2, 0.3];
    net.dispose();
    net.dispose();
    expect(net.disposed).toBe(true);
    const calls: [string, () => unknown][] = [
      ["train", () => net.train([[x, [1, 0]]])],
      ["evaluate", () => net.evaluate([[x, 0]])],
      ["feedforward", () => net.feedforward(x)],
      ["feedforwardBatch", () => net.feedforwardBatch([x])],
      ["backprop", () => net.backprop(x, [1, 0])],
      ["weights", () => net.weights],
      ["set weights", () => { net.weights = [[[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]], [[0, 0, 0, 0], [0, 0, 0, 0]]]; }],
      ["biases", () => net.biases],
      ["set biases", () => { net.biases = [[0, 0, 0, 0], [0, 0]]; }],
      ["toJSON", () => net.toJSON()],
      ["toJSON", () => JSON.stringify(net)],
    ];
    for (const [name, f] of calls) {
      let err: unknown;
      try { f(); } catch (e) { err = e; }
      expect(err, name).toBeInstanceOf(DisposedError);
      expect((err as Error).message, name).toContain(name);
      expect((err as Error).message).toContain("dispose()");
    }
    // Plain data stays readable.
    expect(net.sizes).toEqual([3, 4, 2]);
    expect(net.backend).toBe(backend);
  });

  it("bad arguments to a disposed network still give a DisposedError first", () => {
    const net = new Network([3, 2], { seed: 1, backend });
    net.dispose();
    expect(() => net.train(null as never)).toThrow(DisposedError);
    expect(() => net.feedforward([1] as never)).toThrow(DisposedError);
    expect(() => net.train([[[0, 0, 0], 0]], { batchSize: 0 })).toThrow(DisposedError);
  });
});
