// Loading the kernels: the wasm builds are inlined as base64 (src/generated/wasm.ts),
// decoded and compiled once per build, then instantiated once per network (each
// network owns its own linear memory). `backend: "wasm"` picks the best build the
// engine validates: relaxed SIMD, then SIMD, then scalar.
import * as bytes from "./generated/wasm.js";
import type { BackendName, Kernels } from "./kernels.js";
import { createJsKernels } from "./baseline/index.js";
import { BackendError } from "./errors.js";

export const BACKENDS = ["wasm", "wasm-relaxed", "wasm-simd", "wasm-scalar", "js"] as const;
export type BackendOption = (typeof BACKENDS)[number];
type WasmBuild = "relaxed" | "simd" | "scalar";

const decoded = new Map<WasmBuild, Uint8Array<ArrayBuffer>>();
const compiled = new Map<WasmBuild, WebAssembly.Module>();

function wasmBytes(build: WasmBuild): Uint8Array<ArrayBuffer> {
  let b = decoded.get(build);
  if (!b) {
    const s = atob(bytes[build]);
    b = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    decoded.set(build, b);
  }
  return b;
}

const valid = new Map<WasmBuild, boolean>();

/** Whether this engine can run the given wasm build (validated once, then remembered). */
export function supports(build: WasmBuild): boolean {
  let v = valid.get(build);
  if (v === undefined) valid.set(build, (v = WebAssembly.validate(wasmBytes(build))));
  return v;
}

/** The build `backend: "wasm"` resolves to on this engine. */
export function bestBuild(): WasmBuild {
  return supports("relaxed") ? "relaxed" : supports("simd") ? "simd" : "scalar";
}

/** The backends this engine can run, best first. */
export function availableBackends(): BackendName[] {
  const out: BackendName[] = [];
  for (const b of ["relaxed", "simd", "scalar"] as const) if (supports(b)) out.push(`wasm-${b}`);
  out.push("js");
  return out;
}

/**
 * Compiles the wasm builds ahead of time, off the main thread where the engine allows.
 * Optional in Node and in workers; call it once in a browser page before creating a
 * network on the main thread (browsers refuse to compile large modules synchronously there).
 */
export async function init(): Promise<void> {
  for (const b of ["relaxed", "simd", "scalar"] as const) {
    if (!compiled.has(b) && supports(b)) compiled.set(b, await WebAssembly.compile(wasmBytes(b) as BufferSource));
  }
}

function moduleFor(build: WasmBuild): WebAssembly.Module {
  let m = compiled.get(build);
  if (!m) {
    m = new WebAssembly.Module(wasmBytes(build) as BufferSource);
    compiled.set(build, m);
  }
  return m;
}

interface WasmExports extends Omit<Kernels, "name" | "memory"> {
  memory: WebAssembly.Memory;
}

/** A fresh set of kernels with its own linear memory, for one network. */
export function createKernels(backend: BackendOption, where: string): Kernels {
  if (backend === "js") return createJsKernels();
  const build: WasmBuild = backend === "wasm" ? bestBuild() : (backend.slice(5) as WasmBuild);
  if (!supports(build)) {
    throw new BackendError(where, "options.backend", `one this engine supports (${availableBackends().join(", ")})`,
      JSON.stringify(backend), build === "relaxed" ? "Relaxed SIMD needs Node 22+ or --experimental-wasm-relaxed-simd" : "");
  }
  const e = new WebAssembly.Instance(moduleFor(build), {}).exports as unknown as WasmExports;
  return {
    name: `wasm-${build}`,
    memory: e.memory,
    heapBase: e.heapBase,
    forward: e.forward,
    bp1: e.bp1,
    bp2: e.bp2,
    bp3: e.bp3,
    bp4: e.bp4,
    sgd: e.sgd,
    momentum: e.momentum,
    adam: e.adam,
    cost: e.cost,
    allFinite: e.allFinite,
  };
}
