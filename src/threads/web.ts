// Helper threads in browsers, for NetworkWorker: nested dedicated Web Workers, started from
// inside the NetworkWorker's worker — the thread that calls, works and waits with Atomics.wait
// (allowed in a worker; a page's main thread may not block, so a page's own Networks compute on
// one thread). Each helper runs the task loop of src/threads/helper-source.ts (the same as a
// Node helper's) from a Blob URL: no file to serve or locate, so it works the same under
// nabla/min, Vite and esbuild. It receives the compiled threaded build, the network's shared
// WebAssembly.Memory and the pool's control block by postMessage, which needs a
// cross-origin-isolated page (COOP/COEP headers: docs/web.md).
//
// The worker entry (src/worker/entry.ts) imports this module — and with it the pool, the
// planner and one threaded build — only when a network asks for threads in such a page: a
// worker whose networks use one thread loads none of it (test/size.test.ts). What it needs of
// the library the entry lends it (Host): an import would put those modules in a chunk of their
// own under code splitting (esbuild --splitting, nabla/min), which costs every worker ≈ 0.8 KB.
import type { BackendError } from "../errors.js";
import type { WasmBuild } from "../probes.js";
import type { registerThreadsImpl } from "./option.js";
import { SERVE_SOURCE } from "./helper-source.js";
import { LAYOUT, TASK_KERNELS, type Spawn } from "./pool.js";
import { threadsFor, registerThreadedBuild, hasThreadedBuild, poolOf } from "./index.js";
import { threadPasses, type Lent } from "./passes.js";
import type { registerThreadPasses } from "../passes.js";

/** What the worker entry lends this module (its own imports of the library). */
export interface Host extends Lent {
  registerPasses: typeof registerThreadPasses;
  /** The wasm build the network will use (buildOf(options.backend)), or null for js. */
  build: WasmBuild | null;
  register: typeof registerThreadsImpl;
  decodeBuild(text: string): Uint8Array<ArrayBuffer>;
  /** AUTO_CAP: at most this many threads for "auto". */
  cap: number;
}
let host: Host;

/**
 * A helper's script: the task loop, started by the first message. A failure's text goes to a
 * small shared buffer of its own (the pool's thread reads it synchronously: while a job runs it
 * does not return to its event loop, so it cannot receive messages). Classic script, no imports.
 */
const SOURCE = `"use strict";
${SERVE_SOURCE}
onmessage = (e) => {
  onmessage = null;
  const { module, memory, control, index, kernels, layout, error } = e.data;
  const length = new Int32Array(error, 0, 1), text = new Uint8Array(error, 4);
  serve(module, memory, control, index, kernels, layout, () => {}, (message) => {
    const b = new TextEncoder().encode(message).subarray(0, text.length);
    text.set(b);
    Atomics.store(length, 0, b.length);
  });
  close();
};
`;

let url: string | null = null;
/** The helpers of the pool being started: the first failure to start, if any (see started()). */
let starting: { failed: string | null } = { failed: null };

export const spawnWeb: Spawn = (index, module, memory, control, onExit) => {
  if (index === 1) starting = { failed: null };
  const start = starting;
  const error = new SharedArrayBuffer(1024);
  let w: Worker | null = null;
  const fail = (why: string) => {
    start.failed ??= `helper thread ${index} (a Web Worker) failed to start: ${why}`;
    onExit(1);
    w?.terminate();
  };
  try {
    url ??= URL.createObjectURL(new Blob([SOURCE], { type: "text/javascript" }));
    w = new Worker(url, { name: `nabla helper ${index}` });
    w.onerror = (e) => {
      e.preventDefault();
      fail(e.message || "its script could not be loaded");
    };
    w.onmessageerror = () => fail("it could not receive the compiled module and the shared memory");
    w.postMessage({ module, memory, control, index, kernels: TASK_KERNELS, layout: LAYOUT, error });
  } catch (e) {
    fail(String((e as Error)?.message ?? e)); // e.g. a Content-Security-Policy without worker-src blob:
  }
  return {
    terminate: () => w?.terminate(),
    takeError: () => {
      const n = Atomics.load(new Int32Array(error, 0, 1), 0);
      return n > 0 ? new TextDecoder().decode(new Uint8Array(error, 4, n).slice()) : null;
    },
  };
};

const loaders = {
  relaxed: () => import("../generated/wasm-relaxed-threads.js"),
  simd: () => import("../generated/wasm-simd-threads.js"),
};

/**
 * Makes threads available in this worker for a network on host.build: registers the web
 * helpers (cores: navigator.hardwareConcurrency, at most host.cap for "auto") and loads that
 * build's threaded counterpart (relaxed SIMD or SIMD; scalar and js compute on one thread).
 */
export async function enable(h: Host): Promise<void> {
  if (!host) {
    h.register(threadsFor({ spawn: spawnWeb, cores: () => Math.min(h.cap, navigator.hardwareConcurrency || 1), decodeBuild: h.decodeBuild }));
    h.registerPasses(threadPasses(h));
  }
  host = h;
  const build = h.build;
  if ((build === "relaxed" || build === "simd") && !hasThreadedBuild(build)) registerThreadedBuild(build, (await loaders[build]()).default);
}

/** How long the helpers of a new network may take to start. */
const START_MS = 20_000;

/**
 * Waits until every helper of `net` serves jobs. A nested worker starts while its parent
 * returns to its event loop, so the worker entry waits here before answering create: helpers
 * that fail to start (or do not start within 20 s) make create reject with a BackendError.
 */
export async function started(net: object): Promise<void> {
  const pool = poolOf(net);
  if (!pool) return;
  const t0 = performance.now();
  while (pool.ready < pool.size - 1) {
    const failed = starting.failed ?? (performance.now() - t0 > START_MS ? `${pool.size - 1 - pool.ready} helper thread(s) not started after ${START_MS / 1000} s` : null);
    if (failed) {
      throw new host.BackendError("NetworkWorker", "options.threads", "a thread count whose helper threads (Web Workers) start", failed,
        "Use threads: 1, or allow Web Workers from blob: URLs (Content-Security-Policy worker-src)");
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}
