// Threads for a network: the `threads` option, the threaded WebAssembly builds, and the pool.
//
// A threaded network's linear memory is a shared WebAssembly.Memory that the module imports
// (AssemblyScript `--enable threads --sharedMemory --importMemory`, stub runtime: the kernels
// allocate nothing, so instances share the memory without sharing an allocator). The threaded
// builds are separate artifacts (src/generated/wasm-{relaxed,simd}-threads.ts): a module that
// imports a shared memory cannot run without one, and a page that does not use threads must not
// load them. Relaxed SIMD and SIMD have threaded builds; the scalar and js backends ignore
// `threads` (net.threads is 1 there).
//
// Where threads cannot run — no platform registered (a page's main thread), no SharedArrayBuffer
// (a page that is not cross-origin isolated), a build without SIMD — a network computes on one
// thread, silently in its results and explicitly in `net.threads`.
import { OptionError, describe } from "../errors.js";
import { Pool, type Spawn } from "./pool.js";

export { Pool, ThreadFailure, setThreadTimeout } from "./pool.js";

/** `threads`: 1 (default), a whole number up to 256, or "auto" (the cores the platform reports, at most 16). */
export type ThreadsOption = number | "auto";
export const MAX_THREADS = 256;
export const AUTO_CAP = 16;

/** Checks the `threads` option. */
export function checkThreads(where: string, arg: string, v: unknown): ThreadsOption {
  if (v === undefined) return 1;
  if (v === "auto") return v;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > MAX_THREADS) {
    throw new OptionError(where, arg, `a whole number from 1 to ${MAX_THREADS}, or "auto"`, describe(v));
  }
  return v;
}

export type ThreadedBuild = "relaxed" | "simd";

interface Platform {
  spawn: Spawn;
  cores(): number;
}
let platform: Platform | null = null;

/** Makes helper threads available (the Node entry registers worker_threads; a worker entry its own). */
export function registerThreads(spawn: Spawn, cores: () => number): void {
  platform = { spawn, cores };
}

/** Whether this thread can start helper threads sharing a memory. */
export function threadsAvailable(): boolean {
  if (!platform || typeof SharedArrayBuffer === "undefined" || typeof Atomics === "undefined") return false;
  const g = globalThis as { crossOriginIsolated?: boolean };
  return g.crossOriginIsolated !== false; // Node has no such flag; a page must be isolated
}

/** The thread count an option resolves to here: "auto" → the cores reported (≤ 16); 1 where threads are unavailable. */
export function resolveThreads(option: ThreadsOption): number {
  if (option === 1 || !threadsAvailable()) return 1;
  return option === "auto" ? Math.max(1, Math.min(AUTO_CAP, platform!.cores())) : option;
}

const sources = new Map<ThreadedBuild, string>();
const compiled = new Map<ThreadedBuild, WebAssembly.Module>();

/** Makes a threaded build's bytes available (base64). */
export function registerThreadedBuild(build: ThreadedBuild, base64: string): void {
  sources.set(build, base64);
}

export function hasThreadedBuild(build: ThreadedBuild): boolean {
  return sources.has(build);
}

function moduleFor(build: ThreadedBuild): WebAssembly.Module {
  let m = compiled.get(build);
  if (!m) {
    const s = atob(sources.get(build)!);
    const bytes = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
    compiled.set(build, (m = new WebAssembly.Module(bytes)));
  }
  return m;
}

/** Initial pages of a threaded build's memory: its static data (16 scratch slots of 256 KiB, see assembly/bp4.ts) — asconfig.json's initialMemory. */
export const THREADED_INITIAL_PAGES = 65;
/** A shared memory must declare its maximum: the whole 4 GiB a wasm32 module can address. */
const MAXIMUM_PAGES = 65536;

export interface Threaded {
  /** The calling thread's instance. */
  exports: WebAssembly.Exports;
  memory: WebAssembly.Memory;
  /** null when threads = 1. */
  pool: Pool | null;
}

/** The pool of each owner (tests reach a network's helper threads through it). */
const pools = new WeakMap<object, Pool>();
/** Test hook: the pool of a network (or other owner), or null. */
export function poolOf(owner: object): Pool | null {
  return pools.get(owner) ?? null;
}

/** Ends a pool whose network was garbage-collected without dispose(). */
const registry = new FinalizationRegistry<Pool>((pool) => pool.close());

/**
 * Instantiates a threaded build over a new shared memory and starts threads − 1 helpers on it.
 * `owner` is the object whose collection ends the helpers (the network).
 */
export function createThreaded(build: ThreadedBuild, threads: number, owner: object): Threaded {
  const module = moduleFor(build);
  const memory = new WebAssembly.Memory({ initial: THREADED_INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  (exports.setScratchSlot as (i: number) => void)(0);
  let pool: Pool | null = null;
  if (threads > 1) {
    pool = new Pool(threads, module, memory, exports, platform!.spawn);
    registry.register(owner, pool, pool);
    pools.set(owner, pool);
  }
  return { exports, memory, pool };
}

/** Ends a pool at once (dispose()). */
export function closePool(pool: Pool): void {
  registry.unregister(pool);
  pool.close();
}
