// Loading the kernels. Each wasm build is a base64 string in a module of its own
// (src/generated/wasm-*.ts). The Node entry (src/node.ts) registers all three at import, so
// `new Network(...)` is synchronous there for every backend; a page calls `await init()`,
// which detects the engine's features with tiny probe modules and imports only the best
// build, so a page downloads one build, not three. Each build is compiled once and
// instantiated once per network (each network owns its own linear memory).
// `backend: "wasm"` picks the best build the engine validates: relaxed SIMD, SIMD, scalar;
// `backend: "auto"` does too, and falls back to the js baseline where WebAssembly is unavailable
// (iOS Lockdown Mode, V8 --jitless): nothing here touches the WebAssembly global then.
import { KERNEL_NAMES, type BackendName, type Kernels } from "./kernels.js";
import { createJsKernels } from "./baseline/index.js";
import { BackendError } from "./errors.js";

export const BACKENDS = ["wasm", "wasm-relaxed", "wasm-simd", "wasm-scalar", "js", "auto"] as const;
export type BackendOption = (typeof BACKENDS)[number];
export type WasmBuild = "relaxed" | "simd" | "scalar";
const BUILDS: readonly WasmBuild[] = ["relaxed", "simd", "scalar"];

const sources = new Map<WasmBuild, string>();
const compiled = new Map<WasmBuild, WebAssembly.Module>();

/** Makes a build's bytes available (base64). The Node entry registers all three; init() what it loads. */
export function registerBuild(build: WasmBuild, base64: string): void {
  sources.set(build, base64);
}

/** The modules init() imports, one per build (bundlers split each into a chunk of its own). */
const loaders: Record<WasmBuild, () => Promise<{ default: string }>> = {
  relaxed: () => import("./generated/wasm-relaxed.js"),
  simd: () => import("./generated/wasm-simd.js"),
  scalar: () => import("./generated/wasm-scalar.js"),
};

function wasmBytes(build: WasmBuild): Uint8Array<ArrayBuffer> {
  const s = atob(sources.get(build)!);
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

// Feature probes: one function () → v128 using f32x4.add (SIMD) or f32x4.relaxed_madd (relaxed SIMD).
const splat0 = [0x43, 0, 0, 0, 0, 0xfd, 0x13]; // f32.const 0; f32x4.splat
// Module: type () → v128, one function; its body is [0 locals, ...body, end], so the body
// size is body.length + 2 and the code section's size body.length + 4.
const probe = (body: number[]) => new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0,
  10, body.length + 4, 1, body.length + 2, 0, ...body, 0x0b]);
const PROBES: Record<WasmBuild, Uint8Array<ArrayBuffer> | null> = {
  simd: probe([...splat0, ...splat0, 0xfd, 0xe4, 0x01]),
  relaxed: probe([...splat0, ...splat0, ...splat0, 0xfd, 0x85, 0x02]),
  scalar: null,
};
const valid = new Map<WasmBuild, boolean>();

/** Whether this engine has WebAssembly at all (not under iOS Lockdown Mode or V8 --jitless). */
export function wasmAvailable(): boolean {
  return typeof WebAssembly === "object" && WebAssembly !== null;
}

/** Whether this engine can run the given wasm build (probed once, then remembered). */
export function supports(build: WasmBuild): boolean {
  if (!wasmAvailable()) return false;
  let v = valid.get(build);
  if (v === undefined) valid.set(build, (v = PROBES[build] === null || WebAssembly.validate(PROBES[build]!)));
  return v;
}

/** The build `backend: "wasm"` resolves to on this engine. */
export function bestBuild(): WasmBuild {
  return supports("relaxed") ? "relaxed" : supports("simd") ? "simd" : "scalar";
}

/** The wasm build a backend option names here ("wasm", and "auto" with WebAssembly: the best one), or null for js. */
export function buildOf(backend: BackendOption): WasmBuild | null {
  if (backend === "js" || (backend === "auto" && !wasmAvailable())) return null;
  return backend === "wasm" || backend === "auto" ? bestBuild() : (backend.slice(5) as WasmBuild);
}

/** The backends this engine can run, best first (only "js" without WebAssembly). */
export function availableBackends(): BackendName[] {
  const out: BackendName[] = [];
  for (const b of BUILDS) if (supports(b)) out.push(`wasm-${b}`);
  out.push("js");
  return out;
}

/**
 * Loads and compiles wasm builds asynchronously: by default the one `backend: "wasm"` uses
 * here; pass backends (e.g. `["wasm-scalar"]`) to load others. Required once in a browser page
 * (and in a worker) before `new Network(...)`; optional in Node, whose entry has every build.
 */
export async function init(backends: readonly BackendOption[] = ["wasm"]): Promise<void> {
  for (const backend of backends) {
    if (!(BACKENDS as readonly string[]).includes(backend)) continue;
    const build = buildOf(backend);
    if (build === null || !supports(build)) continue; // createKernels says so if it is asked for
    if (!sources.has(build)) registerBuild(build, (await loaders[build]()).default);
    if (!compiled.has(build)) compiled.set(build, await WebAssembly.compile(wasmBytes(build)));
  }
}

function moduleFor(build: WasmBuild, where: string): WebAssembly.Module {
  let m = compiled.get(build);
  if (!m) {
    try {
      m = new WebAssembly.Module(wasmBytes(build));
    } catch (e) {
      // Older browsers refuse synchronous compiles of more than 4 KB on the main thread.
      throw new BackendError(where, "options.backend", "a build this thread can compile synchronously",
        `a refusal: ${(e as Error).message}`, "In a browser page, call `await init()` once first");
    }
    compiled.set(build, m);
  }
  return m;
}

/** A fresh set of kernels with its own linear memory, for one network. */
export function createKernels(backend: BackendOption, where: string): Kernels {
  const build = buildOf(backend);
  if (build === null) return createJsKernels();
  if (!wasmAvailable()) {
    throw new BackendError(where, "options.backend", `"js" or "auto" (WebAssembly is unavailable in this engine)`, JSON.stringify(backend));
  }
  if (!supports(build)) {
    throw new BackendError(where, "options.backend", `one this engine supports (${availableBackends().join(", ")})`,
      JSON.stringify(backend), build === "relaxed" ? "Relaxed SIMD needs Node 22+ or --experimental-wasm-relaxed-simd" : "");
  }
  if (!sources.has(build)) {
    throw new BackendError(where, "options.backend", `a loaded build: call \`await init(${backend === "wasm" ? "" : `["${backend}"]`})\` first`,
      `${JSON.stringify(backend)} (wasm-${build}) before it was loaded`, "In Node, import \"nabla\" (its Node entry loads every build)");
  }
  const e = new WebAssembly.Instance(moduleFor(build, where), {}).exports;
  return kernelsOf(`wasm-${build}`, e, where);
}

/** The kernels of an instance's exports, by the one list of names (KERNEL_NAMES); a missing export is a BackendError. */
export function kernelsOf(name: BackendName, e: WebAssembly.Exports, where: string): Kernels {
  const missing = KERNEL_NAMES.filter((k) => typeof e[k] !== "function");
  if (!(e.memory instanceof WebAssembly.Memory)) missing.unshift("memory" as never);
  if (missing.length > 0) {
    throw new BackendError(where, "options.backend", `a build that exports every kernel (${KERNEL_NAMES.join(", ")} and memory)`,
      `${name}, which lacks ${missing.join(", ")}`, "The wasm build is out of date: run `npm run build:wasm`");
  }
  const k: Record<string, unknown> = { name, memory: e.memory };
  for (const n of KERNEL_NAMES) k[n] = e[n];
  return k as unknown as Kernels;
}
