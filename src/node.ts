// nabla's Node entry (package.json "exports" condition "node"): registers all three wasm
// builds and the js baseline at import, so `new Network(...)` is synchronous for every backend without init();
// and the threaded builds with worker_threads helpers, for `threads` (src/threads/).
import relaxed from "./generated/wasm-relaxed.js";
import simd from "./generated/wasm-simd.js";
import scalar from "./generated/wasm-scalar.js";
import relaxedThreads from "./generated/wasm-relaxed-threads.js";
import simdThreads from "./generated/wasm-simd-threads.js";
import { registerBuild, registerJsBackend, decodeBuild } from "./wasm.js";
import { createJsKernels } from "./baseline/index.js";
import { threadsFor, registerThreadedBuild } from "./threads/index.js";
import { registerThreadsImpl, THREAD_WORK, perSample, perSampleBp2 } from "./threads/option.js";
import { spawnNode, nodeCores } from "./threads/node.js";
import { threadPasses } from "./threads/passes.js";
import { registerThreadPasses } from "./passes.js";
import { BackendError } from "./errors.js";
import { activationCode } from "./kernels.js";

registerBuild("relaxed", relaxed);
registerBuild("simd", simd);
registerBuild("scalar", scalar);
registerJsBackend(createJsKernels);
registerThreadedBuild("relaxed", relaxedThreads);
registerThreadedBuild("simd", simdThreads);
registerThreadsImpl(threadsFor({ spawn: spawnNode, cores: nodeCores, decodeBuild }));
// The passes on helper threads (kept out of a page's bundle: only entries that start threads load them).
registerThreadPasses(threadPasses({ BackendError, THREAD_WORK, perSample, perSampleBp2, SOFTMAX: activationCode("softmax") }));

// The binary model form (Network.toBinary / fromBinary), kept out of the page bundle.
import "./binary.js";

export * from "./index.js";
