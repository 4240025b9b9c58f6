// nabla's Node entry (package.json "exports" condition "node"): registers all three wasm
// builds at import, so `new Network(...)` is synchronous for every backend without init().
import relaxed from "./generated/wasm-relaxed.js";
import simd from "./generated/wasm-simd.js";
import scalar from "./generated/wasm-scalar.js";
import { registerBuild } from "./wasm.js";

registerBuild("relaxed", relaxed);
registerBuild("simd", simd);
registerBuild("scalar", scalar);

// The binary model form (Network.toBinary / fromBinary), kept out of the page bundle.
import "./binary.js";

export * from "./index.js";
