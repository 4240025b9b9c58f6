// The library's kernels in a real browser (Debian's headless Chromium): the same seeded
// problems through the public API on every backend the browser runs (relaxed SIMD, SIMD,
// scalar, js), compared with the same computation in Node. Also: on the main thread,
// `new Network` before `await init()` is a clear BackendError, and works after it.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { assertDistFresh } from "./dist.js";
import { haveChromium, skipReason, launch, type Session } from "./chromium.js";
// @ts-ignore: plain JavaScript shared with the page
import { compute } from "./problems.js";
// @ts-ignore: plain JavaScript (scripts/)
import { startDemoServer } from "../../scripts/demo-server.mjs";
import type { Server } from "node:http";

if (!haveChromium) console.warn(skipReason);

type Result = Record<string, { backend: string; [k: string]: unknown }>;

describe.skipIf(!haveChromium)("kernels in headless Chromium", () => {
  let session: Session, server: Server, url: string;
  let browser: { backends: string[]; beforeInit: unknown; beforeInitJs: unknown; results: Result };
  let node: Result;

  beforeAll(async () => {
    assertDistFresh();
    ({ server, url } = await startDemoServer());
    session = await launch();
    const page = await session.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.goto(`${url}test/browser/kernels.html`);
    await page.waitForFunction(() => typeof (window as unknown as { runKernels?: unknown }).runKernels === "function");
    browser = await page.evaluate(() => (window as unknown as { runKernels(): Promise<never> }).runKernels());
    expect(errors).toEqual([]);
    // @ts-ignore: dist/ is JavaScript built from src/
    const lib = await import("../../dist/node.js");
    node = compute(lib, lib.availableBackends());
  });

  afterAll(async () => {
    await session?.close();
    server?.close();
  });

  it("runs SIMD, scalar and js; new Network works on the main thread after await init()", () => {
    expect(browser.backends).toContain("wasm-simd");
    expect(browser.backends).toContain("wasm-scalar");
    expect(browser.backends).toContain("js");
    // Before init() a page has no wasm build loaded (each build is a module init() imports on
    // demand): new Network says so with a BackendError naming init().
    expect(browser.beforeInit).toMatchObject({ name: "BackendError" });
    expect(JSON.stringify(browser.beforeInit)).toMatch(/await init\(\)/);
    // The js backend too is loaded by init(), when asked for: a page computing in wasm never downloads it.
    expect(browser.beforeInitJs).toMatchObject({ name: "BackendError" });
    expect((browser.beforeInitJs as { message: string }).message).toContain('await init(["js"])');
    // After init(), every backend constructed and computed on the main thread (results below).
    for (const b of browser.backends) expect(browser.results[`${b}/0`].backend).toBe(b);
  });

  const maxDiff = (a: number[], b: number[]) => {
    expect(a.length).toBe(b.length);
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
    return m;
  };

  for (const backend of ["wasm-simd", "wasm-scalar", "js"]) {
    it(`${backend}: forward, backprop (BP1–BP4) and 3 epochs of SGD agree with Node`, () => {
      for (let p = 0; p < 4; p++) {
        const b = browser.results[`${backend}/${p}`] as unknown as Record<string, number[]>;
        const n = node[`${backend}/${p}`] as unknown as Record<string, number[]>;
        for (const k of ["before", "nablaW", "nablaB", "costs", "after", "weights"]) {
          expect(maxDiff(b[k], n[k]), `${backend} problem ${p} ${k}`).toBeLessThan(1e-5);
        }
        expect(b.accuracy).toBe(n.accuracy);
      }
    });
  }

  it("wasm-relaxed (where the browser has it) agrees with Node's SIMD build within float tolerance", () => {
    if (!browser.backends.includes("wasm-relaxed")) return void console.warn("this Chromium has no relaxed SIMD");
    for (let p = 0; p < 4; p++) {
      const b = browser.results[`wasm-relaxed/${p}`] as unknown as Record<string, number[]>;
      const n = node[`wasm-simd/${p}`] as unknown as Record<string, number[]>;
      for (const k of ["before", "nablaW", "nablaB", "costs", "after", "weights"]) {
        expect(maxDiff(b[k], n[k]), `relaxed problem ${p} ${k}`).toBeLessThan(1e-4);
      }
    }
  });
});
