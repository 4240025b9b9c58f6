// The demo page in headless Chromium, as a person would use it: it loads without console
// errors; one epoch of training in the Web Worker reaches ≥ 85% on the 2,000 test digits
// while the page keeps painting (requestAnimationFrame frames counted during the epoch);
// a digit drawn with the mouse gives ten activations (and reads as the digit); a downloaded
// model uploaded again predicts the same, and one of another shape is refused before anything
// changes; upload is disabled while training; axe-core finds no serious or critical problem,
// Tab reaches every control, focus rings are visible; the main thread loads only the small
// worker client; the digits arrive gzipped; on a phone (390×844) nothing overflows.
// Screenshots: test-results/demo-before.png, demo-after.png, demo-stopped.png, demo-phone.png.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FileChooser, Page } from "playwright-core";
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
/** WCAG contrast ratio of two CSS colors "rgb(r, g, b)" / "rgba(…)". */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = c.match(/[\d.]+/g)!.slice(0, 3).map((v) => {
      const x = Number(v) / 255;
      return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const demoState = (page: Page) => page.evaluate(() => (window as unknown as { nablaDemo: DemoState }).nablaDemo);

describe.skipIf(!haveChromium)("the demo page in headless Chromium", () => {
  let session: Session, server: Server, url: string, page: Page;
  const problems: string[] = [];
  const requests: string[] = [];
  const choosers: FileChooser[] = [];
  const encodings = new Map<string, string | undefined>();
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
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
      encodings.set(new URL(r.url()).pathname, r.headers()["content-encoding"]);
    });
    page.on("request", (r) => requests.push(new URL(r.url()).pathname));
    // File choosers are intercepted from the start: enabling it only when a test waits for one
    // races with the click that opens it.
    page.on("filechooser", (c) => choosers.push(c));
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

  it("the main thread loads only the small worker client (nabla/min/worker), and the digits gzipped", async () => {
    expect(requests).toContain("/dist/min/worker.js");
    // The library (nabla.js, or the unbundled modules) is never fetched by the page itself;
    // the worker fetches entry.js and one build.
    const library = requests.filter((p) => p === "/dist/min/nabla.js" || (p.startsWith("/dist/") && !p.startsWith("/dist/min/")));
    expect(library).toEqual([]);
    expect(encodings.get("/build/demo/mnist.bin")).toBe("gzip");
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

  it("a model of another shape (or not a model) is refused before anything changes, saying what the file holds", async () => {
    const before = await demoState(page);
    const params = await page.textContent("#params");
    // @ts-ignore: dist/ is JavaScript built from src/
    const { Network } = await import("../../dist/node.js");
    const other = join(shots, "demo-model-2-3-1.json"), junk = join(shots, "demo-not-a-model.json");
    writeFileSync(other, JSON.stringify(new Network([2, 3, 1], { seed: 1 }).toJSON()));
    writeFileSync(junk, '{"hello": "world"}');
    for (const [file, says] of [[other, /holds a 2–3–1 network \(2 inputs, 1 output\).*784 inputs.*10 outputs.*current network is kept/],
      [junk, /not a nabla model.*current network is kept/]] as const) {
      // The last file's "Could not load …" must not pass for this one's answer.
      await page.evaluate(() => { document.getElementById("status")!.textContent = ""; });
      await page.setInputFiles("#upload", file);
      await page.waitForFunction(() => /Could not|Loaded/.test(document.getElementById("status")!.textContent ?? ""), null, { timeout: 30_000 });
      expect(await page.textContent("#status")).toMatch(says);
      expect(await page.textContent("#params")).toBe(params);
      const s = await demoState(page);
      expect(s.state).toBe("idle");
      expect(s.history).toEqual(before.history);
      expect(await page.isDisabled("#upload-button")).toBe(false);
    }
    // The kept network still reads the drawing as before.
    await page.click("#clear");
    const box = (await page.locator("#pad").boundingBox())!;
    await page.mouse.move(box.x + 0.52 * box.width, box.y + 0.15 * box.height);
    await page.mouse.down();
    await page.mouse.move(box.x + 0.48 * box.width, box.y + 0.86 * box.height, { steps: 20 });
    await page.mouse.up();
    await page.waitForFunction(() => (window as unknown as { nablaDemo: DemoState }).nablaDemo.lastOutput !== null);
    expect(await page.textContent("#guess")).toBe("1");
    expect((await demoState(page)).errors).toEqual([]);
    expect(problems).toEqual([]);
  });

  it("accessibility: axe-core finds no serious or critical problem; Tab reaches Upload model, with a visible focus ring", async () => {
    await page.addScriptTag({ path: join(root, "node_modules/axe-core/axe.min.js") });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(o: unknown): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
      const r = await axe.run({ resultTypes: ["violations"] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
    });
    if (violations.length) console.log("axe (minor and moderate findings, allowed):", JSON.stringify(violations));
    expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical")).toEqual([]);
    expect(await page.locator("h1").count()).toBe(1);
    // The predicted digit is announced: it sits in a live region.
    expect(await page.locator("[aria-live] #guess").count()).toBe(1);

    // Keyboard: from the top of the page, Tab reaches "Upload model".
    await page.evaluate(() => { (document.activeElement as HTMLElement | null)?.blur(); window.scrollTo(0, 0); });
    await page.locator("body").focus();
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement?.id === "upload-button");
    }
    expect(reached, "Tab never reached Upload model").toBe(true);
    // Its focus ring: drawn, at least 2 px, and ≥ 3:1 against the card it sits on (WCAG 2.2 focus appearance).
    const ring = await page.evaluate(() => {
      const el = document.activeElement!, cs = getComputedStyle(el);
      return { style: cs.outlineStyle, width: parseFloat(cs.outlineWidth), color: cs.outlineColor, bg: getComputedStyle(el.closest(".card")!).backgroundColor };
    });
    expect(ring.style).not.toBe("none");
    expect(ring.width).toBeGreaterThanOrEqual(2);
    expect(contrast(ring.color, ring.bg)).toBeGreaterThanOrEqual(3);
    // Enter on it opens the file chooser (intercepted since the page opened: see beforeAll).
    const before = choosers.length;
    await page.keyboard.press("Enter");
    await expect.poll(() => choosers.length, { timeout: 10_000 }).toBe(before + 1);
    expect(choosers.at(-1)!.isMultiple()).toBe(false);
  });

  it("Stop ends a long training run after the current epoch; the curves grow epoch by epoch", async () => {
    await page.fill("input[name=epochs]", "50");
    await page.click("#train");
    await page.waitForFunction(() => (window as unknown as { nablaDemo: DemoState }).nablaDemo.history.length >= 4, null, { timeout: 60_000 });
    // A model cannot be uploaded over a network that is training.
    expect(await page.isDisabled("#upload-button")).toBe(true);
    expect(await page.isDisabled("#upload")).toBe(true);
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

  it("fits a phone (390×844): /demo redirects to /demo/, nothing is wider than the screen or cut", async () => {
    const phone = await session.context.newPage();
    try {
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(`${url}demo`); // no trailing slash: redirected, so the relative assets load
      expect(new URL(phone.url()).pathname).toBe("/demo/");
      await phone.waitForFunction(() => (window as unknown as { nablaDemo?: DemoState }).nablaDemo?.state === "idle", null, { timeout: 60_000 });
      await phone.evaluate(() => { document.getElementById("speed")!.textContent = "123,456/s"; }); // as after training
      const r = await phone.evaluate(() => {
        const wide: string[] = [], cut: string[] = [];
        const name = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${el.className && typeof el.className === "string" ? `.${el.className.split(" ")[0]}` : ""}`;
        for (const el of Array.from(document.querySelectorAll("body *"))) {
          const b = el.getBoundingClientRect();
          if (b.width === 0 || getComputedStyle(el).visibility === "hidden") continue;
          if (b.left < -0.5 || b.right > innerWidth + 0.5) wide.push(`${name(el)} ${b.left.toFixed(0)}..${b.right.toFixed(0)}`);
          const h = el as HTMLElement;
          if (h.children.length === 0 && h.textContent?.trim() && h.scrollWidth > h.clientWidth + 1 && getComputedStyle(h).overflow !== "visible") cut.push(name(el));
        }
        const labels = Array.from(document.querySelectorAll(".metrics .label, .metrics .value")).filter((el) => {
          const b = el.getBoundingClientRect(), p = el.parentElement!.getBoundingClientRect();
          return b.right > p.right + 0.5 || (el as HTMLElement).scrollWidth > (el as HTMLElement).clientWidth + 1;
        }).map((el) => el.textContent);
        const digit = document.querySelector(".gallery canvas")!.getBoundingClientRect();
        const label = document.querySelector(".gallery span")!.getBoundingClientRect();
        return { scrollWidth: document.documentElement.scrollWidth, wide, cut, labels, digit: digit.width, labelBelow: label.top >= digit.bottom - 0.5 };
      });
      await phone.screenshot({ path: join(shots, "demo-phone.png"), fullPage: true });
      expect(r.scrollWidth).toBeLessThanOrEqual(390);
      expect(r.wide).toEqual([]);
      expect(r.cut).toEqual([]);
      expect(r.labels).toEqual([]);
      expect(r.digit).toBeGreaterThanOrEqual(28); // at least one screen pixel per MNIST pixel
      expect(r.labelBelow).toBe(true); // the answer does not cover the digit
    } finally {
      await phone.close();
    }
  });
});
