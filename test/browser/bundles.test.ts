// Minified production bundles in headless Chromium, made each documented way (nabla/min
// without a bundler, Vite 8, esbuild; test/browser/bundles.ts): nabla's errors keep their
// names and classes on the page and across the worker — a ShapeError prints as
// "ShapeError", is `instanceof ShapeError` and `instanceof NablaError`, and a DivergenceError
// from the worker arrives with its epoch, learning rate and history (minifiers rename classes,
// so names must not come from `new.target.name`; the worker rebuilds classes by name).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { assertDistFresh, root } from "./dist.js";
import { haveChromium, skipReason, launch, type Session } from "./chromium.js";
import { METHODS, buildApp, type Method } from "./bundles.js";

if (!haveChromium) console.warn(skipReason);

const APP = `import { Network, init, NablaError, ShapeError, OptionError, DivergenceError } from "nabla";
import { NetworkWorker } from "nabla/worker";
const facts = (e) => ({
  name: e.name, printed: String(e).split(":")[0], nabla: e instanceof NablaError, shape: e instanceof ShapeError,
  option: e instanceof OptionError, divergence: e instanceof DivergenceError, argument: e.argument,
  epoch: e.epoch, eta: e.eta, history: e.history,
});
(async () => {
  const out = {};
  try {
    await init();
    const net = new Network([2, 3, 1], { seed: 1 });
    try { net.feedforward([1]); } catch (e) { out.page = facts(e); }
    const w = await NetworkWorker.create([2, 3, 1], { seed: 1, output: "linear" });
    try { await w.feedforward([1]); } catch (e) { out.worker = facts(e); }
    const data = [];
    for (let i = 0; i < 20; i++) data.push([[i / 20, 1 - i / 40], [1 + i / 10]]);
    try { await w.train(data, { epochs: 5, learningRate: 1e6 }); } catch (e) { out.divergence = facts(e); }
    try { await NetworkWorker.create([2, 2], { cost: "mse" }); } catch (e) { out.create = facts(e); }
    w.terminate();
  } catch (e) {
    out.fatal = String(e && e.stack || e);
  }
  window.result = out;
})();
`;

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" };
function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    try {
      const body = await readFile(join(dir, path.endsWith("/") ? `${path}index.html` : path));
      res.writeHead(200, { "content-type": TYPES[extname(path) || ".html"] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` });
  }));
}

describe.skipIf(!haveChromium)("minified bundles in Chromium: error classes on the page and through the worker", () => {
  let session: Session;
  beforeAll(async () => {
    assertDistFresh();
    session = await launch();
  });
  afterAll(async () => { await session?.close(); });

  it.each(METHODS)("%s", async (m: Method) => {
    const site = buildApp(m, join(root, "test-results/bundles", m), APP, true);
    const { server, url } = await serve(site);
    const page = await session.context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
    try {
      await page.goto(url);
      await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, null, { timeout: 60_000 });
      const r = await page.evaluate(() => (window as unknown as { result: Record<string, Record<string, unknown>> }).result);
      expect(r.fatal).toBeUndefined();
      const shape = { name: "ShapeError", printed: "ShapeError", nabla: true, shape: true, option: false, divergence: false, argument: "x" };
      expect(r.page).toMatchObject(shape);
      expect(r.worker).toMatchObject(shape);
      expect(r.create).toMatchObject({ name: "OptionError", printed: "OptionError", nabla: true, option: true, argument: "options.cost" });
      expect(r.divergence).toMatchObject({ name: "DivergenceError", printed: "DivergenceError", nabla: true, divergence: true, eta: 1e6 });
      // The epochs before the failing one (two, with this seed) come along, each with its cost.
      const history = r.divergence.history as { epoch: number; cost: number }[];
      expect(r.divergence.epoch).toBeGreaterThanOrEqual(1);
      expect(history.map((h) => h.epoch)).toEqual([...Array(r.divergence.epoch as number).keys()]);
      for (const h of history) expect(Number.isFinite(h.cost)).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
      server.close();
    }
  });
});
