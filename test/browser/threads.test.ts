// Threads in browsers (issue 15, item 3), in Debian's headless Chromium: a page served with
// COOP/COEP is cross-origin isolated, and a NetworkWorker created with threads computes there on
// helper Web Workers nested in its worker (src/threads/web.ts); a page served without them is
// not, and the same NetworkWorker computes on one thread and says so. Either way the results
// are bit-identical to threads: 1 and to the library in Node on the same build (wasm-simd:
// Node 20 runs relaxed SIMD only behind a flag). A helper that dies holding a task, or fails to
// start, is a BackendError, never a hang. Each documented way of loading (nabla/min, Vite,
// esbuild; test/browser/bundles.ts) runs threads in an isolated page.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import type { Server } from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertDistFresh, root } from "./dist.js";
import { haveChromium, skipReason, launch, type Session } from "./chromium.js";
import { METHODS, appResult, buildApp, emitted, loaded, workerEntries, type Method } from "./bundles.js";
// @ts-ignore: plain JavaScript shared with the page
import { threadsRun, threadsData, TRAIN } from "./threads-scenario.mjs";
// @ts-ignore: plain JavaScript (scripts/)
import { startDemoServer, ISOLATION } from "../../scripts/demo-server.mjs";
// @ts-ignore: plain JavaScript (scripts/)
import { writeDemoData } from "../../scripts/demo-data.mjs";
import { Network } from "../../src/index.js";

if (!haveChromium) console.warn(skipReason);

interface Run { threads: number; backend: string; costs: number[]; json: string; out: number[] }
interface Refusal { name: string; isBackendError: boolean; message: string }
interface Page {
  isolated: boolean; sab: string; cores: number;
  one: Run; two: Run; auto: Run; counted: Run & { helperCalls: number };
  death?: { before: string; error: Refusal | string; ms: number; after: string; threads: number; alone: string };
  failStart?: Refusal | string;
  kernelThrow?: { before: string; error: Refusal | string; after: string; threads: number };
}

/** The scenario in Node: an in-thread Network on the same build, one thread, behind NetworkWorker's promise API. */
async function inNode(): Promise<Run> {
  const make = async (sizes: number[], options: object) => {
    const net = new Network(sizes, options);
    return {
      get threads() { return net.threads; }, backend: net.backend,
      train: async (d: never, o: never) => net.train(d, o), feedforwardBatch: async (x: Float32Array) => net.feedforwardBatch(x),
      toJSON: async () => net.toJSON(), terminate: () => net.dispose(),
    };
  };
  const { net, ...r } = await threadsRun(make, { threads: 1 });
  net.terminate();
  return r;
}

async function runPage(session: Session, url: string): Promise<Page> {
  const page = await session.context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  try {
    await page.goto(`${url}test/browser/threads.html`);
    await page.waitForFunction(() => typeof (window as unknown as { runThreads?: unknown }).runThreads === "function");
    const r = await page.evaluate(() => (window as unknown as { runThreads(): Promise<Page> }).runThreads());
    expect(errors).toEqual([]);
    return r;
  } finally {
    await page.close();
  }
}

describe.skipIf(!haveChromium)("threads in Chromium (NetworkWorker)", () => {
  let session: Session, isolated: Page, plain: Page, node: Run;
  const servers: Server[] = [];

  beforeAll(async () => {
    assertDistFresh();
    session = await launch();
    const a = await startDemoServer(), b = await startDemoServer({ isolate: false });
    servers.push(a.server, b.server);
    node = await inNode();
    isolated = await runPage(session, a.url);
    plain = await runPage(session, b.url);
  }, 240_000);

  afterAll(async () => {
    await session?.close();
    for (const s of servers) s.close();
  });

  it("a page served with COOP/COEP is cross-origin isolated: threads 2 computes on 2 threads, bit-identical to threads 1 and to Node", () => {
    expect(isolated.isolated).toBe(true);
    expect(isolated.one.threads).toBe(1);
    expect(isolated.two.threads).toBe(2);
    expect(isolated.counted.threads).toBe(2);
    for (const r of [isolated.one, isolated.two, isolated.auto, isolated.counted]) {
      expect(r.backend).toBe("wasm-simd");
      expect(r.json).toBe(node.json); // the whole model: weights, biases, generator state
      expect(r.out).toEqual(node.out);
      expect(r.costs).toEqual(node.costs);
    }
    // The helper Web Workers computed: they ran kernel calls (counted in the helpers themselves).
    expect(isolated.counted.helperCalls).toBeGreaterThan(0);
    // Learning happened (the comparison is not between untrained networks).
    expect(node.costs[1]).toBeLessThan(node.costs[0]);
  });

  it("\"auto\" takes the cores the browser reports (at most 16)", () => {
    expect(isolated.auto.threads).toBe(Math.min(16, isolated.cores));
  });

  it("a page without COOP/COEP is not isolated: the same NetworkWorker computes on one thread, says so, and gets the same results", () => {
    expect(plain.isolated).toBe(false);
    expect(plain.sab).toBe("undefined");
    for (const r of [plain.one, plain.two, plain.auto, plain.counted]) {
      expect(r.threads).toBe(1);
      expect(r.json).toBe(node.json);
      expect(r.out).toEqual(node.out);
    }
    expect(plain.counted.helperCalls).toBe(0);
  });

  it("a helper that dies holding a task: the call rejects with a BackendError within the timeout, the network is as before, and goes on alone", () => {
    const d = isolated.death!;
    expect(d.error).toMatchObject({ name: "BackendError", isBackendError: true });
    expect((d.error as Refusal).message).toMatch(/no helper thread finished a task for 1\.0 s/);
    expect(d.ms).toBeLessThan(30_000); // the test entry's no-progress timeout is 1 s
    expect(d.after).toBe(d.before); // restored: weights, biases, generator
    expect(d.threads).toBe(1); // reported to the client with the error
    // It trained on alone, exactly as a network that never had threads (Node, from the same JSON).
    expect(d.alone).toBe(aloneInNode(d.before));
  });

  it("a kernel call that throws in a helper: the call rejects with a BackendError carrying the helper's message; the network is as before", () => {
    const k = isolated.kernelThrow!;
    expect(k.error).toMatchObject({ name: "BackendError", isBackendError: true });
    expect((k.error as Refusal).message).toMatch(/a kernel call failed in helper thread 1: Error: a kernel call that throws \(test hook\)/);
    expect(k.after).toBe(k.before);
    expect(k.threads).toBe(1);
  });

  it("helpers that fail to start: create rejects with a BackendError saying so", () => {
    expect(isolated.failStart).toMatchObject({ name: "BackendError", isBackendError: true });
    expect((isolated.failStart as Refusal).message).toMatch(/helper thread 1 \(a Web Worker\) failed to start: .*cannot start/);
  });
});

/** A model trained on from `json` for TRAIN, in Node on one thread: its JSON. */
function aloneInNode(json: string): string {
  const net = Network.fromJSON(JSON.parse(json), { backend: "wasm-simd" });
  net.train(threadsData(), TRAIN);
  const out = JSON.stringify(net.toJSON());
  net.dispose();
  return out;
}

describe.skipIf(!haveChromium)("threads in each documented way of loading (minified bundles, isolated page)", () => {
  let session: Session, node: Run;
  // The page: the scenario's text inlined (bundlers bundle it with the app), then a threads: 2 run.
  const scenario = readFileSync(new URL("./threads-scenario.mjs", import.meta.url), "utf8").replaceAll(/^export /gm, "");
  const APP = `import { NetworkWorker } from "nabla/worker";
${scenario}
threadsRun((s, o) => NetworkWorker.create(s, o), { threads: 2 })
  .then(({ net, ...r }) => { net.terminate(); window.result = r; }, (e) => { window.result = { fatal: String(e && e.stack || e) }; });
`;
  beforeAll(async () => {
    assertDistFresh();
    session = await launch();
    node = await inNode();
  });
  afterAll(async () => { await session?.close(); });

  it.each(METHODS)("%s: 2 threads, the same model as Node; the threads code is a chunk the worker imports only then", async (m: Method) => {
    const site = buildApp(m, join(root, "test-results/threads", m), APP, true);
    // The worker's first load (its script and the chunks it imports statically) has none of the
    // threads implementation: the helper's task loop is in a chunk of its own, imported on demand.
    const [worker] = workerEntries(site), first = loaded(site, worker);
    const files = [...emitted(site)].filter(([, t]) => t.includes("function serve(module, memory, control"));
    expect(files).toHaveLength(1);
    expect(join(site, files[0][0])).not.toBe(worker);
    expect(first.files).toBe(1); // the worker script alone (no shared chunk: src/threads/web.ts's Host)
    const { result: r, problems } = await appResult<Run & { fatal?: string }>(session, site, ISOLATION);
    expect(r.fatal).toBeUndefined();
    expect(r.threads).toBe(2);
    expect(r.json).toBe(node.json);
    expect(r.out).toEqual(node.out);
    expect(problems).toEqual([]);
  }, 120_000);
});

describe.skipIf(!haveChromium)("the demo with threads", () => {
  it("is cross-origin isolated from its server; it shows the threads its NetworkWorker got (\"auto\"): 1 for the small default network, the cores for the large one", async () => {
    assertDistFresh();
    await writeDemoData();
    const { server, url } = await startDemoServer();
    const session = await launch();
    try {
      const page = await session.context.newPage();
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(e.message));
      page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
      const requests: string[] = [];
      page.on("request", (r) => requests.push(new URL(r.url()).pathname));
      /** The threads chunk and a threaded build, among the requests so far (the worker's included). */
      const threadsLoaded = () => [requests.some((p) => /\/dist\/min\/web-\w+\.js$/.test(p)), requests.some((p) => /\/dist\/min\/wasm-\w+-threads-\w+\.js$/.test(p))];
      await page.goto(`${url}demo/`);
      const state = () => page.evaluate(() => (window as unknown as { nablaDemo: { state: string } }).nablaDemo.state);
      await page.waitForFunction(() => (window as unknown as { nablaDemo?: { state: string } }).nablaDemo?.state === "idle", null, { timeout: 60_000 });
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      expect(await page.textContent("#where")).toMatch(/^wasm-\w+, 1 thread \(threads pay from larger networks\)$/);
      expect(requests.some((p) => p.startsWith("/dist/min/entry"))).toBe(true); // the worker's requests are seen
      expect(threadsLoaded()).toEqual([false, false]); // "auto" on a small network: nothing of threads loaded
      // A small model uploaded (NetworkWorker.fromJSON of the file's text, "auto"): nothing of threads loaded either.
      const dir = mkdtempSync(join(tmpdir(), "nabla-demo-")), model = join(dir, "small.json");
      writeFileSync(model, JSON.stringify(new Network([784, 30, 10], { seed: 3 }).toJSON()));
      await page.setInputFiles("#upload", model);
      rmSync(dir, { recursive: true });
      await page.waitForFunction(() => /^Loaded small\.json/.test(document.getElementById("status")!.textContent!), null, { timeout: 60_000 });
      expect(await page.textContent("#where")).toMatch(/, 1 thread/);
      expect(threadsLoaded()).toEqual([false, false]);
      await page.selectOption("select[name=sizes]", "784,512,512,10");
      await page.click("#reset"); // New network
      await page.waitForFunction(() => /threads?\b/.test(document.getElementById("where")!.textContent!) && !(document.getElementById("reset") as HTMLButtonElement).disabled);
      const shown = await page.textContent("#where");
      expect(shown).toMatch(cores > 1 ? new RegExp(`^wasm-\\w+, ${Math.min(16, cores)} threads$`) : /1 thread/);
      if (cores > 1) expect(threadsLoaded()).toEqual([true, true]);
      expect(await state()).toBe("idle");
      expect(problems).toEqual([]);
    } finally {
      await session.close();
      server.close();
    }
  }, 120_000);
});
