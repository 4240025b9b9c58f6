// The library in Chromium with WebAssembly disabled (--js-flags=--jitless, as iOS Lockdown Mode
// does): availableBackends() is ["js"], init() resolves, a js network trains and evaluates with
// the same numbers as Node, backend "auto" trains on js, "wasm" (the default) is a BackendError
// saying WebAssembly is unavailable; the worker entry starts and trains a js network too.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { assertDistFresh } from "./dist.js";
import { haveChromium, skipReason, launch, type Session } from "./chromium.js";
// @ts-ignore: plain JavaScript shared with the page
import { scenario } from "./nowasm-scenario.mjs";
// @ts-ignore: plain JavaScript (scripts/)
import { startDemoServer } from "../../scripts/demo-server.mjs";
import * as lib from "../../src/index.js";
import type { Server } from "node:http";

if (!haveChromium) console.warn(skipReason);

interface Refusal { name: string; isBackendError: boolean; message: string }
type Run = ReturnType<typeof scenario>;

describe.skipIf(!haveChromium)("Chromium without WebAssembly (--js-flags=--jitless)", () => {
  let session: Session, server: Server;
  let page: {
    webAssembly: string; backends: string[]; initResolved: boolean; js: Run; auto: Run; wasm: Refusal; default: Refusal;
    worker: { backend: string; same: boolean }; workerRefusal: Refusal;
  };

  beforeAll(async () => {
    assertDistFresh();
    let url: string;
    ({ server, url } = await startDemoServer());
    session = await launch(["--js-flags=--jitless"]);
    const p = await session.context.newPage();
    const errors: string[] = [];
    p.on("pageerror", (e) => errors.push(e.message));
    p.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await p.goto(`${url}test/browser/nowasm.html`);
    await p.waitForFunction(() => typeof (window as unknown as { runNoWasm?: unknown }).runNoWasm === "function");
    page = await p.evaluate(() => (window as unknown as { runNoWasm(): Promise<never> }).runNoWasm());
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    await session?.close();
    server?.close();
  });

  it("has no WebAssembly; availableBackends() is [\"js\"] and init() resolves", () => {
    expect(page.webAssembly).toBe("undefined");
    expect(page.backends).toEqual(["js"]);
    expect(page.initResolved).toBe(true);
  });

  it("a js network trains and evaluates there as in Node; \"auto\" trains on js", () => {
    const node = scenario(lib, "js");
    expect(page.js.backend).toBe("js");
    expect(page.js.costs.at(-1)).toBeLessThan(page.js.costs[0] / 4);
    expect(page.js).toEqual(node); // the same IEEE arithmetic in both engines: bit for bit
    expect(page.auto).toEqual(page.js);
  });

  it("\"wasm\" (and the default) is a BackendError saying WebAssembly is unavailable, suggesting \"js\" or \"auto\"", () => {
    for (const r of [page.wasm, page.default, page.workerRefusal]) {
      expect(r).toMatchObject({ name: "BackendError", isBackendError: true });
      expect(r.message).toMatch(/WebAssembly is unavailable/);
      expect(r.message).toMatch(/"js" or "auto"/);
    }
  });

  it("the worker entry starts without WebAssembly: a js NetworkWorker trains as in-thread", () => {
    expect(page.worker).toEqual({ backend: "js", same: true });
  });
});
