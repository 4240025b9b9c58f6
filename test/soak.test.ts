// The CI-sized soak: a few thousand mini-batches per backend, asserting that linear memory
// does not grow after the first epoch and that heap and RSS stay bounded (generous bounds,
// measured after a forced GC; no timing). The hours-long version is scripts/soak.mjs
// (see docs/reliability.md).
import { describe, it, expect, afterEach, vi } from "vitest";
import v8 from "node:v8";
import vm from "node:vm";
import { Network } from "../src/index.js";
import { Random } from "../src/random.js";
import { BACKENDS } from "./helpers.js";
import { PlainMemory } from "../src/baseline/memory.js";
import type { Memory } from "../src/kernels.js";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
const MiB = 2 ** 20;

afterEach(() => { vi.restoreAllMocks(); });

describe.each(BACKENDS)("soak on %s", (backend) => {
  it("3,600 mini-batches (60 epochs × 60): no linear-memory growth after epoch 0, bounded heap and RSS", () => {
    const rng = new Random(42);
    const make = (n: number) => {
      const inputs = new Float32Array(n * 64), labels = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        labels[i] = Math.floor(rng.next() * 10);
        for (let k = 0; k < 64; k++) inputs[i * 64 + k] = rng.next() + (k % 10 === labels[i] ? 1 : 0);
      }
      return { inputs, labels };
    };
    const train = make(600), test = make(200);

    const grows: { epoch: number; before: number; after: number }[] = [];
    let epoch = -1;
    for (const proto of [WebAssembly.Memory.prototype, PlainMemory.prototype] as Memory[]) { // wasm builds, js
      const original = proto.grow;
      vi.spyOn(proto, "grow").mockImplementation(function (this: Memory, delta: number) {
        const before = this.buffer.byteLength;
        const r = original.call(this, delta);
        grows.push({ epoch, before, after: this.buffer.byteLength });
        return r;
      });
    }

    const net = new Network([64, 32, 10], { seed: 7, backend, cost: "log-likelihood", activation: "relu", init: "he" });
    let mark: { rss: number; heap: number } | null = null;
    let batches = 0;
    const history = net.train(train, {
      epochs: 60, batchSize: 10, learningRate: 0.05, optimizer: "momentum", testData: test,
      onProgress: () => { batches++; },
      onEpoch: (s) => {
        epoch = s.epoch + 1; // grows from here on happen during epoch s.epoch + 1 or later
        if (s.epoch === 1) {
          gc(); gc();
          const m = process.memoryUsage();
          mark = { rss: m.rss, heap: m.heapUsed };
        }
      },
    });
    gc(); gc();
    const end = process.memoryUsage();
    expect(history).toHaveLength(60);
    expect(batches).toBeGreaterThan(0);
    expect(history.every((h) => Number.isFinite(h.cost))).toBe(true);
    expect(history.at(-1)!.accuracy!).toBeGreaterThan(0.5); // it learned (10 classes, chance 0.1)
    expect(grows.length).toBeGreaterThan(0); // the watcher sees this network's memory at all
    const late = grows.filter((g) => g.epoch >= 1);
    expect(late, `linear memory grew after epoch 0: ${JSON.stringify(late)}`).toEqual([]);
    const rss = (end.rss - mark!.rss) / MiB, heap = (end.heapUsed - mark!.heap) / MiB;
    expect(heap, `heap grew ${heap.toFixed(1)} MiB over 58 epochs`).toBeLessThan(8);
    expect(rss, `RSS grew ${rss.toFixed(1)} MiB over 58 epochs`).toBeLessThan(48);
    net.dispose();
  });
});
