// docs/interop.md's web recipe: an exported model served to a page and run by onnxruntime-web
// (its WebAssembly backend) in headless Chromium; outputs equal nabla's feedforwardBatch.
// Skipped, saying so, without /usr/bin/chromium (see test/browser/chromium.ts).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createServer, type Server } from "node:http";
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, normalize } from "node:path";
import { Network } from "../../src/index.js";
import { toONNX } from "../../src/interop/index.js";
import { haveChromium, launch, skipReason, type Session } from "../browser/chromium.js";
import { uniform, maxRelError } from "./runtimes.js";

const ORT_DIST = fileURLToPath(new URL("../runtimes/node_modules/onnxruntime-web/dist/", import.meta.url));
const TYPES: Record<string, string> = { ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };

if (!haveChromium) console.warn(skipReason);

const net = new Network([6, 9, 4], { activation: "leaky-relu", output: "softmax", cost: "log-likelihood", init: "glorot", seed: 12 });
const model = toONNX(net);
const PAGE = `<!doctype html><meta charset="utf-8"><title>ort-web</title>
<script type="module">
  import * as ort from "/ort/ort.wasm.min.mjs";
  ort.env.wasm.wasmPaths = "/ort/";
  ort.env.wasm.numThreads = 1;
  window.run = async (x) => {
    const session = await ort.InferenceSession.create("/model.onnx");
    const { output } = await session.run({ input: new ort.Tensor("float32", Float32Array.from(x), [x.length / 6, 6]) });
    return { dims: output.dims, data: Array.from(output.data) };
  };
  window.ready = true;
</script>`;

describe.skipIf(!haveChromium || !existsSync(ORT_DIST))("onnxruntime-web in Chromium", () => {
  let server: Server, session: Session, base = "";
  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x").pathname;
      let body: Buffer | Uint8Array | string | null = null, type = "text/html";
      if (url === "/") body = PAGE;
      else if (url === "/model.onnx") { body = model; type = "application/octet-stream"; }
      else if (url.startsWith("/ort/")) {
        const file = normalize(join(ORT_DIST, url.slice(5)));
        if (file.startsWith(ORT_DIST) && existsSync(file)) { body = readFileSync(file); type = TYPES[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream"; }
      }
      if (body === null) { res.writeHead(404).end(); return; }
      res.writeHead(200, { "content-type": type }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    session = await launch();
  });
  afterAll(async () => {
    await session?.close();
    server?.close();
  });

  it("runs the exported model; outputs equal feedforwardBatch within 1e-5 on 1,000 inputs", async () => {
    const page = await session.context.newPage();
    await page.goto(base);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    const x = uniform(1000, 6, 77);
    const out = await page.evaluate(async (xs) => (window as unknown as { run(x: number[]): Promise<{ dims: number[]; data: number[] }> }).run(xs), Array.from(x));
    expect(out.dims).toEqual([1000, 4]);
    expect(maxRelError(out.data, net.feedforwardBatch(x))).toBeLessThanOrEqual(1e-5);
  });
});
