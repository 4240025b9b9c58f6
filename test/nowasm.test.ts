// Without WebAssembly (iOS Lockdown Mode, V8 --jitless): availableBackends() is ["js"], init()
// resolves, the js backend trains — bit for bit as it trains with WebAssembly around, and as it
// trained on a WebAssembly.Memory before PlainMemory replaced it — backend "auto" falls back to
// js, and every wasm backend is a BackendError saying WebAssembly is unavailable. Checked in
// child processes running the built package (dist/): `node --jitless` (the engine has no
// WebAssembly global at all) and plain node with globalThis.WebAssembly deleted before import;
// the worker entry and the CLI under --jitless too. Chromium: test/browser/nowasm.test.ts.
import { describe, it, expect, beforeAll, vi } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as lib from "../src/index.js";
import { PlainMemory } from "../src/baseline/memory.js";
import { assertDistFresh, root } from "./browser/dist.js";
// @ts-ignore: plain JavaScript, also run as a script in the child processes
import { scenario } from "./browser/nowasm-scenario.mjs";

type Run = ReturnType<typeof scenario>;
interface Refusal { name: string; isBackendError: boolean; message: string }
interface ChildOut {
  webAssembly: string; backends: string[]; initResolved: boolean; js: Run; auto: Run;
  refusals: Record<string, Refusal>; worker?: { backend: string; same: boolean }; workerRefusal?: Refusal;
}

function child(args: string[]): ChildOut {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 300_000 });
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited with ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildOut;
}

function expectRefusal(r: Refusal | string, backend: string) {
  expect(r).toMatchObject({ name: "BackendError", isBackendError: true });
  const m = (r as Refusal).message;
  expect(m).toMatch(/WebAssembly is unavailable/);
  expect(m).toContain(`received ${JSON.stringify(backend)}`);
  expect(m).toMatch(/"js"/);
  expect(m).toMatch(/"auto"/);
}

describe("without WebAssembly", () => {
  let jitless: ChildOut, deleted: ChildOut;
  /** The same scenario in this process, js backend on a WebAssembly.Memory (as before PlainMemory). */
  let onWasmMemory: Run;
  let wasmMemories = 0;

  beforeAll(async () => {
    assertDistFresh();
    jitless = child(["--jitless", "test/browser/nowasm-scenario.mjs", "jitless"]);
    deleted = child(["test/browser/nowasm-scenario.mjs", "deleted"]);
    vi.resetModules();
    vi.doMock("../src/baseline/memory.js", () => ({
      PlainMemory: class {
        constructor() {
          wasmMemories++;
          return new WebAssembly.Memory({ initial: 1 });
        }
      },
    }));
    const old = await import("../src/index.js"); // the page entry: the js backend is loaded by init()
    await old.init(["js"]);
    onWasmMemory = scenario(old, "js");
    vi.doUnmock("../src/baseline/memory.js");
    vi.resetModules();
  });

  it("the child engines really lack WebAssembly, list only js and init() resolves", () => {
    for (const out of [jitless, deleted]) {
      expect(out.webAssembly).toBe("undefined");
      expect(out.backends).toEqual(["js"]);
      expect(out.initResolved).toBe(true);
    }
  });

  it("js trains there bit for bit as here, and as on a WebAssembly.Memory; its memory grew mid-run", () => {
    expect(wasmMemories).toBeGreaterThan(0); // the mocked memory was the one in use
    const grow = vi.spyOn(PlainMemory.prototype, "grow");
    const here = scenario(lib, "js");
    expect(grow.mock.calls.length).toBeGreaterThanOrEqual(2); // for batches of 200, then for evaluation
    grow.mockRestore();
    expect(here.costs.at(-1)).toBeLessThan(here.costs[0] / 4); // it learned
    for (const out of [jitless, deleted]) {
      expect(out.js.backend).toBe("js");
      expect(out.js).toEqual(here);
    }
    expect(onWasmMemory).toEqual(here);
  });

  it('backend "auto" is js there and the best wasm build here', () => {
    for (const out of [jitless, deleted]) expect(out.auto).toEqual({ ...out.js, backend: "js" });
    expect(new lib.Network([2, 2], { backend: "auto" }).backend).toBe(lib.availableBackends()[0]);
    expect(lib.availableBackends()[0]).toMatch(/^wasm-/);
  });

  it("every wasm backend (the default included, and through fromJSON) is a BackendError saying WebAssembly is unavailable", () => {
    for (const out of [jitless, deleted]) {
      for (const b of ["wasm", "wasm-relaxed", "wasm-simd", "wasm-scalar"]) expectRefusal(out.refusals[b], b);
      expectRefusal(out.refusals.undefined, "wasm");
      expectRefusal(out.refusals.fromJSON, "wasm");
    }
  });

  it("the worker entry starts under --jitless: a js NetworkWorker trains as in-thread; wasm is refused", () => {
    expect(jitless.worker).toEqual({ backend: "js", same: true });
    expectRefusal(jitless.workerRefusal!, "wasm");
  });

  it("the CLI under --jitless: --backend auto trains on js, --backend wasm says WebAssembly is unavailable", () => {
    const dir = mkdtempSync(join(tmpdir(), "nabla-nowasm-"));
    try {
      const csv = join(dir, "d.csv");
      let text = "a,b,c,label\n";
      for (let i = 0; i < 60; i++) text += `${i % 3 === 0 ? 1 : 0},${i % 3 === 1 ? 1 : 0},${(i % 7) / 7},${i % 3}\n`;
      writeFileSync(csv, text);
      const cli = (backend: string) => spawnSync(process.execPath,
        ["--jitless", "dist/cli/main.js", "train", "--data", `csv:${csv}`, "--label", "label", "--sizes", "3,4,3", "--epochs", "1", "--backend", backend],
        { cwd: root, encoding: "utf8", timeout: 120_000 });
      const auto = cli("auto");
      expect(auto.status, auto.stderr).toBe(0);
      expect(auto.stdout).toMatch(/backend js\b/);
      const wasm = cli("wasm");
      expect(wasm.status).toBe(1);
      expect(wasm.stderr).toMatch(/WebAssembly is unavailable/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("PlainMemory grows as WebAssembly.Memory does", () => {
  it("same return values, sizes and bytes; the old buffer is detached; refused past 4 GiB with a RangeError", () => {
    const plain = new PlainMemory(), wasm = new WebAssembly.Memory({ initial: 1 });
    let seed = 5;
    for (const pages of [0, 1, 3, 0, 2]) {
      // Write the same bytes to both, grow both, compare.
      const a = new Uint8Array(plain.buffer), b = new Uint8Array(wasm.buffer);
      for (let i = 0; i < 64; i++) {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        const at = seed % a.length;
        a[at] = b[at] = seed >>> 24;
      }
      const oldPlain = plain.buffer, oldWasm = wasm.buffer;
      expect(plain.grow(pages)).toBe(wasm.grow(pages));
      expect(plain.buffer.byteLength).toBe(wasm.buffer.byteLength);
      expect(Buffer.compare(new Uint8Array(plain.buffer), new Uint8Array(wasm.buffer))).toBe(0);
      if (pages > 0) {
        expect(oldWasm.byteLength).toBe(0);
        expect(oldPlain.byteLength).toBe(0);
        expect(plain.buffer).not.toBe(oldPlain);
      }
    }
    expect(() => plain.grow(65536)).toThrow(RangeError);
    expect(() => wasm.grow(65536)).toThrow(RangeError);
    expect(() => plain.grow(-1)).toThrow(RangeError);
  });
});
