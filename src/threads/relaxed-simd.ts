// Imported first by the `nabla` command (src/cli/main.ts) and `npm start` (src/main.ts), never
// by the library: on Node 20, WebAssembly relaxed SIMD (the fastest build: fused multiply-add)
// runs only behind V8's --experimental-wasm-relaxed-simd. Setting the flag here, before the
// first module is compiled, turns it on for this process — the main thread and every helper
// thread (V8's flags are per process) — without asking users to pass a flag to `node`.
// (A flag in the bin's shebang would need `env -S`, which not every platform has, and npm's
// Windows shims ignore it.) Where the engine already validates relaxed SIMD (Node 22+), nothing
// is changed. The library itself never changes the host's flags.
import { setFlagsFromString } from "node:v8";

// A module with one function () → v128: f32x4.relaxed_madd of three zero vectors (as src/wasm.ts's probe).
const splat0 = [0x43, 0, 0, 0, 0, 0xfd, 0x13];
const body = [...splat0, ...splat0, ...splat0, 0xfd, 0x85, 0x02];
const probe = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0,
  10, body.length + 4, 1, body.length + 2, 0, ...body, 0x0b]);

// Without WebAssembly (node --jitless) there is nothing to turn on.
if (typeof WebAssembly === "object" && !WebAssembly.validate(probe)) setFlagsFromString("--experimental-wasm-relaxed-simd");
