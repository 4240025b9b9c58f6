// The code of a Node helper thread, as source text (run with `new Worker(HELPER_SOURCE, { eval: true })`,
// so it needs no file of its own next to the compiled library, under any bundler or loader).
// It mirrors Pool.run's loop (src/threads/pool.ts): wait for a job, claim tasks with a
// compare-and-swap on NEXT, run each task's kernel calls in order, count it done.
// workerData: { module, memory, control, port, index, kernels, layout }.
export const HELPER_SOURCE = `
"use strict";
const { workerData } = require("node:worker_threads");
const { module, memory, control, port, index, kernels, layout: L } = workerData;
const ctl = new Int32Array(control);
const C = new Float64Array(control, L.CALLS0, L.MAX_CALLS * L.CALL);
const R = new Float64Array(control, L.RESULTS0, L.MAX_CALLS);
let fns;
try {
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  exports.setScratchSlot(index);
  fns = kernels.map((k) => exports[k]);
} catch (e) {
  port.postMessage(String(e && e.stack || e));
  Atomics.store(ctl, L.ERROR, index + 1);
  throw e;
}
Atomics.add(ctl, L.READY, 1);
let seq = 0;
for (;;) {
  // The next job of a call usually follows within the calling thread's serial work: spin up to
  // L.SPIN_MS (a wake-up from Atomics.wait costs more than a small job), then sleep.
  for (const until = performance.now() + L.SPIN_MS; Atomics.load(ctl, L.SEQ) === seq && performance.now() < until;);
  while (Atomics.load(ctl, L.SEQ) === seq) Atomics.wait(ctl, L.SEQ, seq, 10000);
  seq = Atomics.load(ctl, L.SEQ);
  if (seq < 0) break;
  for (;;) {
    const w = Atomics.load(ctl, L.NEXT);
    if ((w >>> 16) !== seq) break; // a newer job was published: serve it from the top
    const t = w & 0xffff, count = Atomics.load(ctl, L.COUNT);
    if (t >= count) break;
    if (Atomics.compareExchange(ctl, L.NEXT, w, w + 1) !== w) continue;
    if (Atomics.load(ctl, L.DIE) === index) process.exit(70); // test hook: die holding a task
    try {
      for (let c = ctl[L.TASKS0 + 2 * t], end = ctl[L.TASKS0 + 2 * t + 1]; c < end; c++) {
        const o = c * L.CALL;
        R[c] = fns[C[o]](C[o + 1], C[o + 2], C[o + 3], C[o + 4], C[o + 5], C[o + 6], C[o + 7], C[o + 8],
          C[o + 9], C[o + 10], C[o + 11], C[o + 12], C[o + 13], C[o + 14], C[o + 15]) ?? 0;
      }
    } catch (e) {
      port.postMessage(String(e && e.stack || e));
      Atomics.store(ctl, L.ERROR, index + 1);
    }
    if (Atomics.add(ctl, L.DONE, 1) + 1 === count) Atomics.notify(ctl, L.DONE);
  }
}
`;
