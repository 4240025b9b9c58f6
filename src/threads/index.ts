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
//
// This module is the implementation an entry registers (src/node.ts: registerThreadsImpl(
// threadsFor({ spawn: spawnNode, … })); NetworkWorker's worker in a page: src/threads/web.ts);
// a page's bundle has only src/threads/option.ts.
// No import of the library's own modules here (the platform lends what is needed), so that under
// code splitting this module, with the pool and the planner, shares no chunk with a worker's
// first bundle (src/threads/web.ts; test/size.test.ts).
import { Pool, type Spawn } from "./pool.js";
import * as split from "./plan.js";
import type { Threaded, Threads, ThreadsImpl, ThreadsOption } from "./option.js";

export { Pool, ThreadFailure, setThreadTimeout } from "./pool.js";
export type { ThreadsOption, Threaded } from "./option.js";

export type ThreadedBuild = "relaxed" | "simd";

/** What an entry lends for threads (Node: src/threads/node.ts; a NetworkWorker in a page: src/threads/web.ts). */
export interface Platform {
  /** Starts a helper thread. */
  spawn: Spawn;
  /** The thread count "auto" resolves to: the cores the platform reports, at most AUTO_CAP (src/threads/option.ts). */
  cores(): number;
  /** A build's bytes from its text form (src/wasm.ts decodeBuild). */
  decodeBuild(text: string): Uint8Array<ArrayBuffer>;
}
let platform: Platform | null = null;

/** Whether this thread can start helper threads sharing a memory. */
export function threadsAvailable(): boolean {
  if (!platform || typeof SharedArrayBuffer === "undefined" || typeof Atomics === "undefined") return false;
  const g = globalThis as { crossOriginIsolated?: boolean };
  return g.crossOriginIsolated !== false; // Node has no such flag; a page must be isolated
}

/** The thread count an option resolves to here: "auto" → the cores reported (≤ 16); 1 where threads are unavailable. */
export function resolveThreads(option: ThreadsOption): number {
  if (option === 1 || !threadsAvailable()) return 1;
  return option === "auto" ? Math.max(1, platform!.cores()) : option;
}

const sources = new Map<ThreadedBuild, string>();
const compiled = new Map<ThreadedBuild, WebAssembly.Module>();

/** Makes a threaded build's bytes available (its text form, scripts/inline-wasm.mjs). */
export function registerThreadedBuild(build: ThreadedBuild, text: string): void {
  sources.set(build, text);
}

export function hasThreadedBuild(build: ThreadedBuild): boolean {
  return sources.has(build);
}

function moduleFor(build: ThreadedBuild): WebAssembly.Module {
  let m = compiled.get(build);
  if (!m) {
    compiled.set(build, (m = new WebAssembly.Module(platform!.decodeBuild(sources.get(build)!))));
  }
  return m;
}

/** Initial pages of a threaded build's memory: its static data (16 scratch slots of 256 KiB, see assembly/bp4.ts) — asconfig.json's initialMemory. */
export const THREADED_INITIAL_PAGES = 65;
/** A shared memory must declare its maximum: the whole 4 GiB a wasm32 module can address. */
const MAXIMUM_PAGES = 65536;

export interface PoolThreaded extends Threaded {
  /** The pool itself (tests and benchmarks run jobs on it directly). */
  raw: Pool | null;
}

/** The Threads the passes call: the pool's jobs, split as src/threads/plan.ts says. */
function threadsOf(pool: Pool): Threads {
  return {
    size: pool.size,
    forward: (n, m, check, at, wait, deltas) => split.forward(pool, n, m, check, at, wait, deltas),
    finish: () => split.finish(pool),
    deltas: (n, m) => split.deltas(pool, n, m),
    stepSgd: (n, m, scale, decay, l1) => split.stepSgd(pool, n, m, scale, decay, l1),
    forwardRows: (n, l, m, load) => split.forwardRows(pool, n, l, m, load),
    deltasRows: (n, l, m) => split.deltasRows(pool, n, l, m),
    stepSgdPinned: (n, m, scale, decay, l1, rows, through) => split.stepSgdPinned(pool, n, m, scale, decay, l1, rows, through),
    // Its steps wait on the calling thread's task (pool.ts): not when the helpers take every task (a test hook).
    bp2InStep: (rows, m) => (pool.callerWorks ? split.bp2InStep(rows, m, pool.size) : 0),
    gradients: (n, m) => split.gradients(pool, n, m),
    stepOptimizer: (n, kernel, weights, biases) => split.stepOptimizer(pool, n, kernel, weights, biases),
    close: () => closePool(pool),
  };
}

/** The implementation an entry registers, with its platform's way of starting helper threads. */
export function threadsFor(p: Platform): ThreadsImpl {
  platform = p;
  return {
    resolve: resolveThreads,
    has: (build) => (build === "relaxed" || build === "simd") && hasThreadedBuild(build),
    create: (build, threads, owner) => createThreaded(build as ThreadedBuild, threads, owner),
  };
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
export function createThreaded(build: ThreadedBuild, threads: number, owner: object): PoolThreaded {
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
  return { exports, memory, pool: pool && threadsOf(pool), raw: pool };
}

/** Ends a pool at once (dispose()). */
export function closePool(pool: Pool): void {
  registry.unregister(pool);
  pool.close();
}
