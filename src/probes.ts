// What this engine can run: the wasm builds it validates, probed with tiny modules. A module
// of its own, apart from src/wasm.ts (which loads the builds), so that the NetworkWorker
// client's availableBackends() brings along the probes and nothing else, also in a
// code-split bundle (esbuild splits by module): dist/min/worker.js shares only this and the
// error classes with dist/min/nabla.js.
import type { BackendName } from "./kernels.js";

export type WasmBuild = "relaxed" | "simd" | "scalar";
export const BUILDS: readonly WasmBuild[] = ["relaxed", "simd", "scalar"];

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

/** The backends this engine can run, best first (only "js" without WebAssembly). */
export function availableBackends(): BackendName[] {
  const out: BackendName[] = [];
  for (const b of BUILDS) if (supports(b)) out.push(`wasm-${b}`);
  out.push("js");
  return out;
}

