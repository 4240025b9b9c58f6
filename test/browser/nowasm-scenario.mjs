// Shared by test/nowasm.test.ts (in-process, from src/), the child processes it starts
// without WebAssembly (from dist/) and test/browser/nowasm.html: one js training run whose
// memory grows between calls, and, run as a script, what an engine without WebAssembly sees. Plain JavaScript, so Node runs it
// as it is, under --jitless too.

/** n samples of 20 inputs in 5 classes, from a fixed LCG (no library code involved). */
function data(n, seed) {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const inputs = new Float32Array(n * 20), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = Math.floor(next() * 5);
    for (let k = 0; k < 20; k++) inputs[i * 20 + k] = next() + (k % 5 === labels[i] ? 1 : 0);
  }
  return { inputs, labels };
}

/**
 * Trains a [20, 64, 5] network on `backend` (Adam: both optimizer buffers in use). Its memory
 * grows twice after construction (parameters ≈ 47 KB of the first 64 KiB page): for batches of
 * 200, then for the evaluation chunk of 256; training continues over the grown memory.
 */
export function scenario(lib, backend) {
  const train = data(300, 1), test = data(100, 2);
  const net = new lib.Network([20, 64, 5], { seed: 11, backend, cost: "log-likelihood" });
  const first = net.train(train, { epochs: 2, batchSize: 10, learningRate: 0.01, optimizer: "adam" });
  const second = net.train(train, { epochs: 2, batchSize: 200, learningRate: 0.01, optimizer: "adam", testData: test });
  const evaluation = net.evaluate(data(1000, 3));
  const third = net.train(train, { epochs: 2, batchSize: 10, learningRate: 0.01, optimizer: "adam" });
  const costs = [...first, ...second, ...third].map((s) => s.cost);
  return { backend: net.backend, costs, evaluation, model: net.toJSON() };
}

/** The error a call throws, as { name, isBackendError, message }, or "no error". */
function caught(lib, f) {
  try {
    f();
    return "no error";
  } catch (e) {
    return { name: e.name, isBackendError: e instanceof lib.BackendError, message: e.message };
  }
}

/** Run as a script: `node [--jitless] test/browser/nowasm-scenario.mjs jitless|deleted`; prints one JSON object. */
async function main(mode) {
  if (mode === "deleted") delete globalThis.WebAssembly; // before the library is loaded
  const lib = await import("../../dist/node.js");
  const { NetworkWorker } = await import("../../dist/worker/index.js");
  const out = { webAssembly: typeof globalThis.WebAssembly, backends: lib.availableBackends() };
  await lib.init();
  await lib.init(["wasm", "wasm-simd", "auto", "js"]);
  out.initResolved = true;
  out.js = scenario(lib, "js");
  out.auto = scenario(lib, "auto");
  out.refusals = {};
  for (const backend of [undefined, "wasm", "wasm-relaxed", "wasm-simd", "wasm-scalar"]) {
    out.refusals[String(backend)] = caught(lib, () => new lib.Network([2, 2], backend ? { backend } : {}));
  }
  out.refusals.fromJSON = caught(lib, () => lib.Network.fromJSON(out.js.model, { backend: "wasm" }));
  if (mode === "jitless") {
    // The worker entry under the same engine flags: init() at start, then a js network in it.
    const w = await NetworkWorker.create([20, 64, 5], { seed: 11, backend: "js", cost: "log-likelihood" });
    const d = data(300, 1);
    await w.train(d, { epochs: 2, batchSize: 10, learningRate: 0.01, optimizer: "adam" });
    const inThread = new lib.Network([20, 64, 5], { seed: 11, backend: "js", cost: "log-likelihood" });
    inThread.train(d, { epochs: 2, batchSize: 10, learningRate: 0.01, optimizer: "adam" });
    out.worker = { backend: w.backend, same: JSON.stringify(await w.toJSON()) === JSON.stringify(inThread.toJSON()) };
    w.terminate();
    out.workerRefusal = await NetworkWorker.create([2, 2], { backend: "wasm" }).then(
      (x) => { x.terminate(); return "no error"; },
      (e) => ({ name: e.name, isBackendError: e instanceof lib.BackendError, message: e.message }));
  }
  process.stdout.write(JSON.stringify(out));
}

if (typeof process !== "undefined" && process.argv[1] && import.meta.url.endsWith(process.argv[1].replaceAll("\\", "/").split("/").pop())) await main(process.argv[2]);
