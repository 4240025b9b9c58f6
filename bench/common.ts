// Shared by the benchmark scripts: machine line, FLOP counts, tinybench wrapper, tables, JSON.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { Bench } from "tinybench";
import { measurePeak, type PeakResult } from "./peak.js";
import "../src/node.js"; // registers every wasm build (as `import "nabla"` does in Node)
import { availableBackends } from "../src/wasm.js";
import type { BackendName } from "../src/kernels.js";

export const RESULTS = new URL("./results/", import.meta.url);

/** CPU model (from /proc/cpuinfo), cores, Node version, load averages now. */
export function machine() {
  let cpu = cpus()[0]?.model ?? "unknown";
  try {
    const m = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) cpu = m[1].trim();
  } catch { /* not Linux */ }
  return {
    cpu, cores: cpus().length, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version, v8: process.versions.v8, load: loadavg().map((x) => +x.toFixed(2)),
    relaxedFlag: process.execArgv.includes("--experimental-wasm-relaxed-simd"),
    date: new Date().toISOString(),
  };
}

/**
 * FLOP per training sample of a network: 2 per multiply-add in the forward pass (every layer),
 * BP4 (every layer) and BP2 (every layer but the first). Activations, BP1, BP3 and the update
 * are not counted (they are O(n) per sample or O(params) per batch, a few % at most).
 */
export function trainFlops(sizes: readonly number[]): number {
  let f = 0;
  for (let l = 1; l < sizes.length; l++) f += 2 * sizes[l] * sizes[l - 1] * (l > 1 ? 3 : 2);
  return f;
}

/** FLOP per sample of inference (the forward pass). */
export function inferFlops(sizes: readonly number[]): number {
  let f = 0;
  for (let l = 1; l < sizes.length; l++) f += 2 * sizes[l] * sizes[l - 1];
  return f;
}

export interface Peaks {
  /** f32x4 mul+add, GFLOP/s (the SIMD build's limit; also quoted for the scalar build and JS). */
  simd: PeakResult;
  /** f32x4 relaxed_madd (FMA), when the engine runs relaxed SIMD. */
  relaxed: PeakResult | null;
}

export function peaks(): Peaks {
  return { simd: measurePeak(false)!, relaxed: measurePeak(true) };
}

/** The peak that applies to a backend: relaxed_madd for the relaxed build, mul+add otherwise. */
export function peakFor(p: Peaks, backend: string): number {
  return backend === "wasm-relaxed" && p.relaxed ? p.relaxed.gflops : p.simd.gflops;
}

/** The backends to benchmark: every one this engine runs, or those named in NABLA_BACKENDS. */
export function backends(): BackendName[] {
  const all = availableBackends();
  const only = process.env.NABLA_BACKENDS?.split(",").filter(Boolean);
  return only ? all.filter((b) => only.includes(b)) : all;
}

/** Median of numbers (copy-sorted). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * Median seconds per call of fn, by tinybench. fn is called `inner` times per sample so
 * each sample lasts ≥ ~0.2 ms (timer resolution); inner is found by a short calibration.
 */
export function timeCall(name: string, fn: () => void, timeMs = 120): { seconds: number; samples: number; rme: number } {
  let inner = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    const ms = performance.now() - t0;
    if (ms >= 0.2 || inner >= 1 << 20) break;
    inner *= 2;
  }
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(50, timeMs / 2), iterations: 10, throws: true });
  bench.add(name, () => { for (let i = 0; i < inner; i++) fn(); });
  const [task] = bench.runSync();
  const r = task.result as unknown as { latency: { p50: number; rme: number; samplesCount?: number }; state?: string };
  return { seconds: r.latency.p50 / 1000 / inner, samples: (r.latency.samplesCount ?? 0) * inner, rme: r.latency.rme };
}

/** Prints rows as an aligned text table (first row = header). */
export function table(rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === "number" ? fmt(c) : c)));
  const w = cells[0].map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
  return [line(cells[0]), w.map((x) => "-".repeat(x)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

/** Markdown version of table(). */
export function mdTable(rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === "number" ? fmt(c) : c)));
  return [
    `| ${cells[0].join(" | ")} |`,
    `|${cells[0].map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...cells.slice(1).map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

/** Numbers to 3 significant digits (integers ≥ 1000 whole, with thin grouping). */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString("en-US");
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

/** Writes bench/results/<name>-<timestamp>.json and <name>-latest.json. */
export function writeResults(name: string, data: unknown): string {
  mkdirSync(RESULTS, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const text = JSON.stringify(data, null, 2) + "\n";
  const file = new URL(`${name}-${stamp}.json`, RESULTS);
  writeFileSync(file, text);
  writeFileSync(new URL(`${name}-latest.json`, RESULTS), text);
  return file.pathname;
}

export const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;
