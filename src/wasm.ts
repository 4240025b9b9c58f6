// Loading the kernels. Each wasm build is a string in a module of its own
// (src/generated/wasm-*.ts). The Node entry (src/node.ts) registers all three at import, so
// `new Network(...)` is synchronous there for every backend; a page calls `await init()`,
// which detects the engine's features with tiny probe modules and imports only the best
// build, so a page downloads one build, not three. Each build is compiled once and
// instantiated once per network (each network owns its own linear memory).
// `backend: "wasm"` picks the best build the engine validates: relaxed SIMD, SIMD, scalar;
// `backend: "auto"` does too, and falls back to the js baseline where WebAssembly is unavailable
// (iOS Lockdown Mode, V8 --jitless): nothing here touches the WebAssembly global then.
// The js baseline (src/baseline/) is a module of its own too: the Node entry registers it; in a
// page init() imports it when it is asked for ("js", or "auto" without WebAssembly) and whenever
// WebAssembly is unavailable (js is then the only backend there is), so a page computing in
// wasm does not download it.
import { KERNEL_NAMES, type BackendName, type Kernels } from "./kernels.js";
import type { createJsKernels } from "./baseline/index.js";
import { BackendError } from "./errors.js";
import { BUILDS, supports, bestBuild, availableBackends, wasmAvailable, type WasmBuild } from "./probes.js";

export { supports, bestBuild, availableBackends, wasmAvailable, type WasmBuild };

export const BACKENDS = ["wasm", "wasm-relaxed", "wasm-simd", "wasm-scalar", "js", "auto"] as const;
export type BackendOption = (typeof BACKENDS)[number];

const sources = new Map<WasmBuild, string>();
const compiled = new Map<WasmBuild, WebAssembly.Module>();

/** Makes a build's bytes available (its text form, scripts/inline-wasm.mjs). The Node entry registers all three; init() what it loads. */
export function registerBuild(build: WasmBuild, text: string): void {
  sources.set(build, text);
}

let jsKernels: typeof createJsKernels | null = null;

/** Makes the js backend available (src/baseline/). The Node entry registers it; init() imports it when needed. */
export function registerJsBackend(create: typeof createJsKernels): void {
  jsKernels = create;
}

/** The modules init() imports, one per build (bundlers split each into a chunk of its own). */
const loaders: Record<WasmBuild, () => Promise<{ default: string }>> = {
  relaxed: () => import("./generated/wasm-relaxed.js"),
  simd: () => import("./generated/wasm-simd.js"),
  scalar: () => import("./generated/wasm-scalar.js"),
};

/**
 * The bytes of a build from its text form (scripts/wasm-text.mjs, which encodes it): each byte
 * one or two characters of a 92-character printable alphabet; src/threads/ decodes its builds
 * with it too.
 */
export function decodeBuild(s: string): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(s.length);
  // A character's index in the alphabet: " " to "~" without '"' (34), "<" (60) and "\\" (92).
  const at = (i: number) => { const c = s.charCodeAt(i); return c - 32 - +(c > 34) - +(c > 60) - +(c > 92); };
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let r = at(i);
    if (r >= 90) r = 90 + (r - 90) * 92 + at(++i);
    b[n++] = r - 3; // the shift of wasm-text.mjs, undone modulo 256 by the Uint8Array
  }
  return b.slice(0, n);
}

function wasmBytes(build: WasmBuild): Uint8Array<ArrayBuffer> {
  return decodeBuild(sources.get(build)!);
}

/** The wasm build a backend option names here ("wasm", and "auto" with WebAssembly: the best one), or null for js. */
export function buildOf(backend: BackendOption): WasmBuild | null {
  if (backend === "js" || (backend === "auto" && !wasmAvailable())) return null;
  return backend === "wasm" || backend === "auto" ? bestBuild() : (backend.slice(5) as WasmBuild);
}

/**
 * Loads and compiles wasm builds asynchronously: by default the one `backend: "wasm"` uses
 * here; pass backends (e.g. `["wasm-scalar"]`, `["js"]`) to load others. Where WebAssembly is
 * unavailable it loads the js backend, the only one there is. Required once in a browser page
 * (and in a worker) before `new Network(...)`; optional in Node, whose entry has every backend.
 */
export async function init(backends: readonly BackendOption[] = ["wasm"]): Promise<void> {
  for (const backend of wasmAvailable() ? backends : ["js" as const]) {
    if (!(BACKENDS as readonly string[]).includes(backend)) continue;
    const build = buildOf(backend);
    if (build === null) jsKernels ??= (await import("./baseline/index.js")).createJsKernels;
    if (build === null || !supports(build)) continue; // createKernels says so if it is asked for
    if (!sources.has(build)) registerBuild(build, (await loaders[build]()).default);
    if (!compiled.has(build)) compiled.set(build, await WebAssembly.compile(wasmBytes(build)));
  }
}

/**
 * A build's compiled module: init()'s (a page, a worker: init() is the only way a build gets
 * there, and it compiles asynchronously, as older browsers require on the main thread for more
 * than 4 KB), or compiled now, synchronously, once (the Node entry registers the builds).
 */
function moduleFor(build: WasmBuild): WebAssembly.Module {
  let m = compiled.get(build);
  if (!m) compiled.set(build, (m = new WebAssembly.Module(wasmBytes(build))));
  return m;
}

/** A fresh set of kernels with its own linear memory, for one network. */
export function createKernels(backend: BackendOption, where: string): Kernels {
  const build = buildOf(backend);
  const refuse = (expected: string, extra = "") => new BackendError(where, "options.backend", expected, JSON.stringify(backend), extra);
  if (build !== null && !wasmAvailable()) throw refuse(`"js" or "auto" (WebAssembly is unavailable in this engine)`);
  if (build !== null && !supports(build)) {
    throw refuse(`one this engine supports (${availableBackends().join(", ")})`, build === "relaxed" ? "Relaxed SIMD needs Node 22+ or --experimental-wasm-relaxed-simd" : "");
  }
  if (build === null ? !jsKernels : !sources.has(build)) {
    throw refuse(`a loaded backend (${build === null ? "js" : `wasm-${build}`}): call \`await init(${backend === "wasm" ? "" : `["${backend}"]`})\` first`,
      "In Node, import \"nabla\" (its Node entry loads every backend)");
  }
  if (build === null) return jsKernels!();
  const e = new WebAssembly.Instance(moduleFor(build), {}).exports;
  return kernelsOf(`wasm-${build}`, e, where);
}

/** The kernels of an instance's exports, by the one list of names (KERNEL_NAMES); a missing export is a BackendError. */
export function kernelsOf(name: BackendName, e: WebAssembly.Exports, where: string): Kernels {
  const missing = KERNEL_NAMES.filter((k) => typeof e[k] !== "function");
  if (!(e.memory instanceof WebAssembly.Memory)) missing.unshift("memory" as never);
  if (missing.length > 0) {
    throw new BackendError(where, "options.backend", "a build that exports every kernel and memory",
      `${name}, which lacks ${missing.join(", ")}`, "The wasm build is out of date: run `npm run build:wasm`");
  }
  const k: Record<string, unknown> = { name, memory: e.memory };
  for (const n of KERNEL_NAMES) k[n] = e[n];
  return k as unknown as Kernels;
}
