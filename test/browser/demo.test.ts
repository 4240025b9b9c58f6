// The demo page in headless Chromium, as a person would use it: it loads without console
// errors; one epoch of training in the Web Worker reaches ≥ 85% on the 2,000 test digits
// while the page keeps painting (requestAnimationFrame frames counted during the epoch);
// a digit drawn with the mouse gives ten activations (and reads as the digit); a downloaded
// model uploaded again predicts the same. Screenshots: test-results/demo-before.png, demo-after.png.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import type { Server } from "node:http";
import { assertDistFresh, root } from "./dist.js";
import { haveChromium, skipReason, launch, type Session } from "./chromium.js";
// @ts-ignore: plain JavaScript (scripts/)
import { startDemoServer } from "../../scripts/demo-server.mjs";
// @ts-ignore: plain JavaScript (scripts/)
import { writeDemoData } from "../../scripts/demo-data.mjs";

if (!haveChromium) console.warn(skipReason);

interface DemoState {
  frames: number;
  state: string;
  errors: string[];
  history: { epoch: number; accuracy: number; testCost: number; cost?: number }[];
  lastInput: number[] | null;
  lastOutput: number[] | null;
  lastRun: { epochs: number; frames: number; ms: number } | null;
}
const demoState = (page: Page) => page.evaluate(() => (window as unknown as { nablaDemo: DemoState }).nablaDemo);

describe.skipIf(!haveChromium)("the demo page in headless Chromium", () => {
  let session: Session, server: Server, url: string, page: Page;
  const problems: string[] = [];
  const shots = join(root, "test-results");

  beforeAll(async () => {
    assertDistFresh();
    await writeDemoData();
    mkdirSync(shots, { recursive: true });
    ({ server, url } = await startDemoServer());
    session = await launch();
    page = await session.context.newPage();
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`); });
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
    page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
    await page.goto(`${url}demo/`);
    await page.waitForFunction(() => (window as unknown as { nablaDemo?: DemoState }).nablaDemo?.state !== "loading", null, { timeout: 60_000 });
  });

  afterAll(async () => {
    await session?.close();
    server?.close();
  });

  it("loads with no console errors and a random network (about 10% right)", async () => {
    const s = await demoState(page);
    expect(s.state).toBe("idle");
    expect(s.errors).toEqual([]);
    expect(problems).toEqual([]);
    expect(s.history.length).toBe(1);
    expect(s.history[0].accuracy).toBeLessThan(0.3);
    await page.screenshot({ path: join(shots, "demo-before.png"), fullPage: true });
  });

  it("trains one epoch in the Worker to ≥ 85% test accuracy while the page keeps painting", async () => {
    await page.fill("input[name=epochs]", "1");
    await page.click("#train");
    await page.waitForFunction(() => {
      const d = (window as unknown as { nablaDemo: DemoState }).nablaDemo;
      return d.state !== "training" && d.lastRun !== null;
    }, null, { timeout: 90_000 });
    const s = await demoState(page);
    expect(s.errors).toEqual([]);
    expect(s.lastRun!.epochs).toBe(1);
    expect(s.history.length).toBe(2);
    expect(s.history[1].accuracy).toBeGreaterThanOrEqual(0.85);
    // What the page shows.
    const shown = Number(await page.getAttribute("#accuracy", "data-value"));
    expect(shown).toBe(s.history[1].accuracy);
    expect(await page.textContent("#accuracy")).toBe(`${(s.history[1].accuracy * 100).toFixed(1)}%`);
    // The page drew frames during the epoch (requestAnimationFrame kept running).
    console.log(`demo: 1 epoch in the worker took ${s.lastRun!.ms.toFixed(0)} ms; the page drew ${s.lastRun!.frames} frames meanwhile`);
    expect(s.lastRun!.frames).toBeGreaterThanOrEqual(4); // a blocked main thread draws 0–1

  });

  it("a digit drawn with the mouse gives ten activations, and a '1' reads as 1", async () => {
    const box = (await page.locator("#pad").boundingBox())!;
    const at = (fx: number, fy: number) => [box.x + fx * box.width, box.y + fy * box.height] as const;
    await page.mouse.move(...at(0.52, 0.15));
    await page.mouse.down();
    await page.mouse.move(...at(0.5, 0.5), { steps: 12 });
    await page.mouse.move(...at(0.48, 0.86), { steps: 12 });
    await page.mouse.up();
    await page.waitForFunction(() => (window as unknown as { nablaDemo: DemoState }).nablaDemo.lastOutput !== null);
    await page.waitForTimeout(200); // the last stroke's prediction
    const s = await demoState(page);
    expect(s.lastOutput).toHaveLength(10);
    for (const a of s.lastOutput!) { expect(Number.isFinite(a)).toBe(true); expect(a).toBeGreaterThanOrEqual(0); expect(a).toBeLessThanOrEqual(1); }
    // The input is MNIST-like: 784 values in [0, 1], ink in the middle 20×20, centered.
    expect(s.lastInput).toHaveLength(784);
    let mass = 0, cx = 0, cy = 0;
    s.lastInput!.forEach((v, i) => { mass += v; cx += v * (i % 28); cy += v * Math.floor(i / 28); });
    expect(mass).toBeGreaterThan(10);
    expect(Math.abs(cx / mass - 13.5)).toBeLessThan(1.5);
    expect(Math.abs(cy / mass - 13.5)).toBeLessThan(1.5);
    const best = s.lastOutput!.indexOf(Math.max(...s.lastOutput!));
    expect(best).toBe(1);
    expect(await page.textContent("#guess")).toBe("1");
    expect(await page.locator(".bar.top b").textContent()).toBe("1");
    await page.screenshot({ path: join(shots, "demo-after.png"), fullPage: true });
  });

  it("a downloaded model, uploaded again, predicts the same (and the same as Node)", async () => {
    const before = (await demoState(page)).lastOutput!;
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    const file = join(shots, "demo-model.json");
    await download.saveAs(file);
    const json = JSON.parse(readFileSync(file, "utf8"));
    expect(json.format).toBe("nabla");
    expect(json.sizes).toEqual([784, 100, 10]);

    await page.evaluate(() => { (window as unknown as { nablaDemo: DemoState }).nablaDemo.lastOutput = null; });
    await page.setInputFiles("#upload", file);
    await page.waitForFunction(() => /Loaded|Could not/.test(document.getElementById("status")!.textContent ?? ""), null, { timeout: 30_000 });
    expect(await page.textContent("#status")).toMatch(/^Loaded demo-model\.json: 784–100–10/);
    await page.waitForFunction(() => (window as unknown as { nablaDemo: DemoState }).nablaDemo.lastOutput !== null);
    const s = await demoState(page);
    expect(s.lastOutput).toEqual(before);
    expect(s.history[0].accuracy).toBeGreaterThanOrEqual(0.85); // the loaded model's test accuracy
    expect(s.errors).toEqual([]);

    // Node computes the same activations from the file (wasm-relaxed in the page may round differently).
    // @ts-ignore: dist/ is JavaScript built from src/
    const { Network } = await import("../../dist/node.js");
    const out = Network.fromJSON(json).feedforward(s.lastInput!);
    for (let j = 0; j < 10; j++) expect(Math.abs(out[j] - before[j])).toBeLessThan(1e-5);
    expect(problems).toEqual([]);
  });

  it("Stop ends a long training run after the current epoch; the curves grow epoch by epoch", async () => {
    await page.fill("input[name=epochs]", "50");
    await page.click("#train");
    await page.waitForFunction(() => (window as unknown as { nablaDemo: DemoState }).nablaDemo.history.length >= 4, null, { timeout: 60_000 });
    await page.click("#stop");
    await page.waitForFunction(() => (window as unknown as { nablaDemo: DemoState }).nablaDemo.state !== "training", null, { timeout: 60_000 });
    const s = await demoState(page);
    expect(s.state).toBe("idle");
    expect(s.lastRun!.epochs).toBeGreaterThanOrEqual(3);
    expect(s.lastRun!.epochs).toBeLessThan(50);
    expect(s.history.map((h) => h.epoch)).toEqual(s.history.map((_, i) => i)); // 0 = the loaded model, then one per epoch
    expect(s.errors).toEqual([]);
    expect(problems).toEqual([]);
    await page.screenshot({ path: join(shots, "demo-stopped.png"), fullPage: true });
  });
});
