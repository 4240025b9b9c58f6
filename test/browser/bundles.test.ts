// Minified production bundles in headless Chromium, made each documented way (nabla/min
// without a bundler, Vite 8, esbuild; test/browser/bundles.ts): nabla's errors keep their
// names and classes on the page and across the worker — a ShapeError prints as
// "ShapeError", is `instanceof ShapeError` and `instanceof NablaError`, and a DivergenceError
// from the worker arrives with its epoch, learning rate and history (minifiers rename classes,
// so names must not come from `new.target.name`; the worker rebuilds classes by name).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { join } from "node:path";
import { assertDistFresh, root } from "./dist.js";
import { haveChromium, skipReason, launch, type Session } from "./chromium.js";
import { METHODS, appResult, buildApp, type Method } from "./bundles.js";

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

describe.skipIf(!haveChromium)("minified bundles in Chromium: error classes on the page and through the worker", () => {
  let session: Session;
  beforeAll(async () => {
    assertDistFresh();
    session = await launch();
  });
  afterAll(async () => { await session?.close(); });

  it.each(METHODS)("%s", async (m: Method) => {
    const site = buildApp(m, join(root, "test-results/bundles", m), APP, true);
    const { result: r, problems } = await appResult<Record<string, Record<string, unknown>>>(session, site);
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
  });
});
