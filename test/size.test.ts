// The size budget: the library as a page loads it — dist/index.js bundled with esbuild
// (--bundle --minify --format=esm), gzipped — must stay within 25 KB, the WebAssembly builds
// (inlined as base64) included. Also reports the worker entry and the worker client alone.
// Figures and history: docs/web.md.
import { describe, it, expect, beforeAll } from "vitest";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { assertDistFresh, root } from "./browser/dist.js";

/** The budget from issue 6: JS + wasm, minified, gzipped. */
const BUDGET = 25 * 1024;

async function bundle(entry: string): Promise<{ min: number; gz: number; wasmGz: number; jsGz: number }> {
  const { build } = await import("esbuild");
  const r = await build({
    entryPoints: [join(root, entry)], bundle: true, minify: true, format: "esm", write: false, logLevel: "silent",
  });
  const code = r.outputFiles[0].text;
  const gz = (s: string) => gzipSync(s, { level: 9 }).length;
  // The same bundle with the base64 wasm strings emptied: what the JavaScript alone costs.
  const jsOnly = code.replace(/"[A-Za-z0-9+/=]{2000,}"/g, '""');
  return { min: Buffer.byteLength(code), gz: gz(code), jsGz: gz(jsOnly), wasmGz: gz(code) - gz(jsOnly) };
}

describe("size budget", () => {
  beforeAll(() => assertDistFresh());

  it("dist/index.js, bundled, minified and gzipped, is at most 25 KB (wasm included)", async () => {
    const s = await bundle("dist/index.js");
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    console.log(`nabla as a page loads it: ${kb(s.min)} minified, ${kb(s.gz)} gzipped (JavaScript ${kb(s.jsGz)}, inlined wasm ${kb(s.wasmGz)})`);
    expect(s.jsGz).toBeGreaterThan(1000); // the measurement itself works: there is code...
    expect(s.wasmGz).toBeGreaterThan(5000); // ...and the wasm builds are inside it
    expect(s.gz, `gzipped bundle ${kb(s.gz)} exceeds the ${kb(BUDGET)} budget`).toBeLessThanOrEqual(BUDGET);
  });

  it("the worker client alone is small (a page using NetworkWorker loads the library only in the worker)", async () => {
    const c = await bundle("dist/worker/index.js");
    const e = await bundle("dist/worker/entry.js");
    console.log(`worker client: ${(c.gz / 1024).toFixed(1)} KB gzipped; worker entry (the library in the worker): ${(e.gz / 1024).toFixed(1)} KB gzipped`);
    expect(c.wasmGz).toBe(0); // no wasm on the page's thread
    expect(c.gz).toBeLessThanOrEqual(4 * 1024);
    expect(e.wasmGz).toBeGreaterThan(5000);
  });
});
