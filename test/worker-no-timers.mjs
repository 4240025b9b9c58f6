// A NetworkWorker entry whose timers throw (test/worker.test.ts): training must go back to the
// worker's event loop between epochs without sleeping on a timer — setTimeout(r, 0) waits
// ≥ 1 ms in Node (≥ 4 ms once nested in browsers), 5–15% of a 25 ms epoch of [784,30,10].
globalThis.setTimeout = () => {
  throw new Error("the worker called setTimeout");
};
await import("../dist/worker/entry.js");
