// The task loop of a helper thread, as source text: the function `serve`, which each platform's
// helper script wraps (Node: src/threads/node.ts runs it with `new Worker(source, { eval: true })`;
// browsers: src/threads/web.ts from a Blob URL), so it needs no file of its own next to the
// compiled library, under any bundler or loader. One loop for both platforms.
//
// It mirrors Pool.run's loop (src/threads/pool.ts): wait for a job, claim tasks with a
// compare-and-swap on NEXT, run each task's kernel calls in order, count it done.
//
//   serve(module, memory, control, index, kernels, L, die, fail)
//     module, memory  the threaded build and the network's shared memory (instantiated here)
//     control         the pool's control block; L its layout (pool.ts LAYOUT); kernels TASK_KERNELS
//     index           this helper's number (1-based)
//     die()           test hook: leave as if killed (Node: process.exit(70); web: close())
//     fail(message)   reports a failure's text where the pool's thread can read it synchronously
// It returns when the pool ends (SEQ < 0) or after die(); it throws when instantiation fails.
//
// The loop, step by step (the comments live here: the source text ships as it is written):
//   1. Wait for the next job: spin up to L.SPIN_MS (the next job of a call usually follows within
//      the calling thread's serial work, and a wake-up from Atomics.wait costs more than a small
//      job), then sleep in Atomics.wait.
//   2. A pinned job (PINNED = the thread count): this helper's own tasks (index, index + stride,
//      …), then any left unclaimed, each claimed as Pool's claim() does (its CLAIMS slot from an
//      earlier job's number to this one, 31-bit serial numbers). PINNED, COUNT and JOB are this
//      job's if NEXT still carries its tag after they are read: the next job's publication stores
//      NEXT first and SEQ last, so SEQ cannot tell; otherwise the job is served from the top.
//   3. A claimed job: tasks from NEXT by compare-and-swap while NEXT carries this job's tag (a
//      newer tag: serve that job from the top).
//   task(t) runs task t's kernel calls in order; false when the test hook says to die holding it.
//   A call with L.AFTER added to its kernel index first waits (spinning) until task C[o + 14] has
//   finished C[o + 15] calls (its FLAGS slot), then counts in task t's slot when done: spinning
//   for L.WAIT_SPIN_MS, then in Atomics.wait slices of 1 ms. The wait gives up — the task's other
//   calls are skipped — when a call failed (ERROR) or the job is no longer the one served (SEQ:
//   the calling thread gave up on it, or the pool ended).
export const SERVE_SOURCE = `
function serve(module, memory, control, index, kernels, L, die, fail) {
  const ctl = new Int32Array(control);
  const C = new Float64Array(control, L.CALLS0, L.MAX_CALLS * L.CALL);
  const R = new Float64Array(control, L.RESULTS0, L.MAX_CALLS);
  let fns;
  try {
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    exports.setScratchSlot(index);
    fns = kernels.map((k) => exports[k]);
  } catch (e) {
    fail(String(e && e.stack || e));
    Atomics.store(ctl, L.ERROR, index + 1);
    throw e;
  }
  Atomics.add(ctl, L.READY, 1);
  let seq = 0;
  for (;;) {
    for (const until = performance.now() + L.SPIN_MS; Atomics.load(ctl, L.SEQ) === seq && performance.now() < until;);
    while (Atomics.load(ctl, L.SEQ) === seq) Atomics.wait(ctl, L.SEQ, seq, 10000);
    seq = Atomics.load(ctl, L.SEQ);
    if (seq < 0) return;
    const stride = Atomics.load(ctl, L.PINNED), pinnedCount = Atomics.load(ctl, L.COUNT), job = Atomics.load(ctl, L.JOB);
    if ((Atomics.load(ctl, L.NEXT) >>> 16) !== seq) { seq = -2; continue; }
    for (let pass = 0; stride > 0 && pass < 2; pass++) {
      for (let t = pass ? 0 : index; t < pinnedCount; t += pass ? 1 : stride) {
        const v = Atomics.load(ctl, L.CLAIMS0 + t), d = (job - v) & 0x7fffffff;
        if (d === 0 || (d & 0x40000000) !== 0 || Atomics.compareExchange(ctl, L.CLAIMS0 + t, v, job) !== v) continue;
        if (!task(t)) return die();
        if (Atomics.add(ctl, L.DONE, 1) + 1 === pinnedCount) Atomics.notify(ctl, L.DONE);
      }
    }
    for (;;) {
      const w = Atomics.load(ctl, L.NEXT);
      if ((w >>> 16) !== seq) break;
      const t = w & 0xffff, count = Atomics.load(ctl, L.COUNT);
      if (t >= count) break;
      if (Atomics.compareExchange(ctl, L.NEXT, w, w + 1) !== w) continue;
      if (!task(t)) return die();
      if (Atomics.add(ctl, L.DONE, 1) + 1 === count) Atomics.notify(ctl, L.DONE);
    }
  }
  function task(t) {
    if (Atomics.load(ctl, L.DIE) === index) return false;
    try {
      for (let c = ctl[L.TASKS0 + 2 * t], end = ctl[L.TASKS0 + 2 * t + 1]; c < end; c++) {
        const o = c * L.CALL, after = C[o] >= L.AFTER;
        // (The clock is read only when the call must wait: usually its block is done already.)
        if (after && C[o + 14] >= 0 && Atomics.load(ctl, L.FLAGS0 + C[o + 14]) < C[o + 15]) {
          for (let i = 1, v, start = performance.now(); (v = Atomics.load(ctl, L.FLAGS0 + C[o + 14])) < C[o + 15]; i++) {
            if (Atomics.load(ctl, L.ERROR) !== 0 || Atomics.load(ctl, L.SEQ) !== seq) return true;
            if ((i & 1023) === 0 && performance.now() - start > L.WAIT_SPIN_MS) Atomics.wait(ctl, L.FLAGS0 + C[o + 14], v, 1);
          }
        }
        R[c] = fns[after ? C[o] - L.AFTER : C[o]](C[o + 1], C[o + 2], C[o + 3], C[o + 4], C[o + 5], C[o + 6], C[o + 7], C[o + 8],
          C[o + 9], C[o + 10], C[o + 11], C[o + 12], C[o + 13], C[o + 14], C[o + 15]) ?? 0;
        if (after) Atomics.add(ctl, L.FLAGS0 + t, 1);
      }
    } catch (e) {
      fail(String(e && e.stack || e));
      Atomics.store(ctl, L.ERROR, index + 1);
    }
    return true;
  }
}
`;
