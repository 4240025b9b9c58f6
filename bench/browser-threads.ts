// Threads in a browser (issue 15, item 3): NetworkWorker training [784, 512, 512, 10] at m = 64
// with threads: 2 vs threads: 1, in headless Chromium (/usr/bin/chromium) on a page served with
// COOP/COEP (scripts/demo-server.mjs). The two workers live side by side and alternate, one
// epoch over 512 samples each turn, for ROUNDS rounds; the figures are medians of samples/s
// and the ratio of the medians. Wall-clock time on a shared machine: note the load (uptime).
//
//   npm run build && node --import tsx bench/browser-threads.ts [rounds]
import { loadavg } from "node:os";
import { launch } from "../test/browser/chromium.js";
// @ts-ignore: plain JavaScript (scripts/)
import { startDemoServer } from "../scripts/demo-server.mjs";

const ROUNDS = Number(process.argv[2] ?? 9);
const { server, url } = await startDemoServer();
const session = await launch();
try {
  const page = await session.context.newPage();
  await page.goto(`${url}test/browser/threads.html`);
  await page.waitForFunction(() => typeof (window as unknown as { runThreads?: unknown }).runThreads === "function");
  const before = loadavg()[0];
  // The page's code as text (tsx would add helpers the page does not have to a function).
  const r = (await page.evaluate(`(async (rounds) => {
    const { NetworkWorker } = await import("/dist/worker/index.js");
    const n = 512, inputs = new Float32Array(n * 784), labels = new Uint8Array(n);
    let s = 1;
    for (let i = 0; i < inputs.length; i++) inputs[i] = ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (let i = 0; i < n; i++) labels[i] = i % 10;
    const sizes = [784, 512, 512, 10];
    const one = await NetworkWorker.create(sizes, { seed: 1, threads: 1 }), two = await NetworkWorker.create(sizes, { seed: 1, threads: 2 });
    const rates = { one: [], two: [] };
    const epoch = async (w) => {
      const t0 = performance.now();
      await w.train({ inputs, labels }, { epochs: 1, batchSize: 64, learningRate: 0.1 });
      return n / ((performance.now() - t0) / 1000);
    };
    await epoch(one);
    await epoch(two); // warm-up
    for (let i = 0; i < rounds; i++) {
      // Alternate which goes first, so neither always follows the other.
      if (i % 2) { rates.two.push(await epoch(two)); rates.one.push(await epoch(one)); }
      else { rates.one.push(await epoch(one)); rates.two.push(await epoch(two)); }
    }
    const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
    const out = { isolated: crossOriginIsolated, backend: one.backend, threads: [one.threads, two.threads], one: med(rates.one), two: med(rates.two) };
    one.terminate();
    two.terminate();
    return out;
})(${ROUNDS})`)) as { isolated: boolean; backend: string; threads: number[]; one: number; two: number };
  console.log(`Chromium ${r.backend}, isolated ${r.isolated}, threads ${r.threads.join(" vs ")}; [784,512,512,10] m=64, 512 samples per epoch, ${ROUNDS} rounds`);
  console.log(`  1 thread:  ${r.one.toFixed(0)} samples/s (median)`);
  console.log(`  2 threads: ${r.two.toFixed(0)} samples/s (median)  → ${(r.two / r.one).toFixed(2)}×`);
  console.log(`  load average (1 min) before ${before.toFixed(2)}, after ${loadavg()[0].toFixed(2)}`);
} finally {
  await session.close();
  server.close();
}
