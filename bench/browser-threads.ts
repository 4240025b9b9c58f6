// Threads in a browser (issue 15, item 3): NetworkWorker training [784, 512, 512, 10] at m = 64
// with threads: 2 vs threads: 1, in headless Chromium (/usr/bin/chromium) on a page served with
// COOP/COEP (scripts/demo-server.mjs). The two workers live side by side and alternate, one
// epoch over 512 samples each turn, for ROUNDS rounds; the figures are medians of samples/s and
// the ratio of the medians. Wall-clock time on a shared machine is noisy, so the CPU time of
// each thread of the page's renderer process is read from /proc (Linux) around each epoch as
// well: with 2 threads the work should be shared by two threads of about equal CPU time, and
// the total should stay near one thread's (what the split costs).
//
//   npm run build && node --import tsx bench/browser-threads.ts [rounds]
import { loadavg } from "node:os";
import { readFileSync, readdirSync } from "node:fs";
import { launch } from "../test/browser/chromium.js";
// @ts-ignore: plain JavaScript (scripts/)
import { startDemoServer } from "../scripts/demo-server.mjs";

const ROUNDS = Number(process.argv[2] ?? 9);

const stat = (path: string) => readFileSync(path, "utf8").replace(/^.*\) /s, "").split(" ");
/** Renderer processes started by this process's Chromium (their parent chain reaches us). */
function renderers(): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (!readFileSync(`/proc/${d}/cmdline`, "utf8").includes("--type=renderer")) continue;
      for (let p = Number(d); p > 1; p = Number(stat(`/proc/${p}/stat`)[1])) if (p === process.pid) { out.push(Number(d)); break; }
    } catch { /* gone */ }
  }
  return out;
}
/** CPU seconds of each thread of the given processes (utime + stime; 100 ticks per second). */
function threadCpu(pids: number[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const pid of pids) {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const f = stat(`/proc/${pid}/task/${tid}/stat`);
        m.set(`${pid}/${tid}`, (Number(f[11]) + Number(f[12])) / 100);
      } catch { /* gone */ }
    }
  }
  return m;
}

const { server, url } = await startDemoServer();
const session = await launch();
try {
  const page = await session.context.newPage();
  await page.goto(`${url}test/browser/threads.html`);
  await page.waitForFunction(() => typeof (window as unknown as { runThreads?: unknown }).runThreads === "function");
  // The page's code as text (tsx would add helpers the page does not have to a function).
  const info = (await page.evaluate(`(async () => {
    const { NetworkWorker } = await import("/dist/worker/index.js");
    const n = 512, inputs = new Float32Array(n * 784), labels = new Uint8Array(n);
    let s = 1;
    for (let i = 0; i < inputs.length; i++) inputs[i] = ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (let i = 0; i < n; i++) labels[i] = i % 10;
    const sizes = [784, 512, 512, 10];
    const w = { one: await NetworkWorker.create(sizes, { seed: 1, threads: 1 }), two: await NetworkWorker.create(sizes, { seed: 1, threads: 2 }) };
    window.epoch = async (which) => {
      const t0 = performance.now();
      await w[which].train({ inputs, labels }, { epochs: 1, batchSize: 64, learningRate: 0.1 });
      return n / ((performance.now() - t0) / 1000);
    };
    return { isolated: crossOriginIsolated, backend: w.one.backend, threads: [w.one.threads, w.two.threads] };
  })()`)) as { isolated: boolean; backend: string; threads: number[] };
  const pids = renderers();
  const epoch = (which: "one" | "two") => page.evaluate(`window.epoch(${JSON.stringify(which)})`) as Promise<number>;
  await epoch("one");
  await epoch("two"); // warm-up
  const before = loadavg()[0];
  const rates = { one: [] as number[], two: [] as number[] };
  // CPU seconds per thread, summed over each case's epochs.
  const cpu = { one: new Map<string, number>(), two: new Map<string, number>() };
  for (let i = 0; i < ROUNDS; i++) {
    for (const which of (i % 2 ? ["two", "one"] : ["one", "two"]) as ("one" | "two")[]) {
      const a = threadCpu(pids);
      rates[which].push(await epoch(which));
      for (const [t, s] of threadCpu(pids)) cpu[which].set(t, (cpu[which].get(t) ?? 0) + s - (a.get(t) ?? 0));
    }
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const busy = (m: Map<string, number>) => [...m.values()].filter((s) => s >= 0.05).sort((x, y) => y - x);
  const show = (m: Map<string, number>) => `${busy(m).map((s) => s.toFixed(2)).join(" + ")} s (threads with ≥ 0.05 s)`;
  const total = (m: Map<string, number>) => busy(m).reduce((x, y) => x + y, 0);
  console.log(`Chromium ${info.backend}, isolated ${info.isolated}, threads ${info.threads.join(" vs ")}; [784,512,512,10] m=64, 512 samples per epoch, ${ROUNDS} rounds`);
  console.log(`  1 thread:  ${med(rates.one).toFixed(0)} samples/s (median); CPU ${show(cpu.one)}`);
  console.log(`  2 threads: ${med(rates.two).toFixed(0)} samples/s (median); CPU ${show(cpu.two)}`);
  console.log(`  wall: ${(med(rates.two) / med(rates.one)).toFixed(2)}×; CPU total 2 threads / 1 thread: ${(total(cpu.two) / total(cpu.one)).toFixed(2)}`);
  console.log(`  load average (1 min) before ${before.toFixed(2)}, after ${loadavg()[0].toFixed(2)} (2 cores)`);
} finally {
  await session.close();
  server.close();
}
