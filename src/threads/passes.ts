// The passes on a network's helper threads (arena.pool, src/threads/): each pass whose work pays
// for a barrier runs split across them (src/threads/plan.ts), by samples (forward, BP1, BP2), by
// rows (BP3, BP4, the fused SGD step) or by elements (momentum, Adam) — each value computed by one
// thread in the order one thread computes it, so the results are bit-identical to src/passes.ts.
// A training pass's forward tasks go on with BP1 and BP2 for their samples (two jobs per batch:
// forward + δ, then the step); or, where its large layers have more neurons than the batch has
// samples, the pass goes by rows: forward, BP2 and the step, each thread on the same rows of w.
// Registered with src/passes.ts by the entries that start threads (src/node.ts;
// src/threads/web.ts in a page's NetworkWorker): a page's main thread never has threads, and
// its bundle leaves this module out.
// It imports nothing of the library but types: the entry lends what it needs (Lent), so that in a
// page's NetworkWorker it loads with the rest of the threads code (src/threads/web.ts) in a chunk
// that shares no chunk with the worker's first bundle (test/size.test.ts).
import type { Arena } from "../arena.js";
import type { Optimizer } from "../options.js";
import type { BackendError } from "../errors.js";
import type { Load, Loader, Rows, ThreadPasses } from "../passes.js";
import type { THREAD_WORK, perSample, perSampleBp2, Threads } from "./option.js";

/** What the passes on threads take from the library. */
export interface Lent {
  BackendError: typeof BackendError;
  THREAD_WORK: typeof THREAD_WORK;
  perSample: typeof perSample;
  perSampleBp2: typeof perSampleBp2;
  /** activationCode("softmax"): a layer the row split leaves alone (σ needs the whole row). */
  SOFTMAX: number;
}

/** The most rows a pipelined feedforward chunk grows to (the batch buffers hold them). */
const MAX_CHUNK = 4096;

/** The passes on helper threads, for src/passes.ts registerThreadPasses. */
export function threadPasses({ BackendError, THREAD_WORK, perSample, perSampleBp2, SOFTMAX }: Lent): ThreadPasses {
  /** The helper threads, when the network has them, the pass does not drop neurons, and a job of `work` multiply-adds pays for its barrier. */
  function pool(n: Arena, work: number): Threads | null {
    return n.pool && !n.dropping && work >= THREAD_WORK.min ? n.pool : null;
  }

  /**
   * Runs a job on the pool. A helper thread that failed (its call threw, it exited, or no task
   * finished within the timeout) ends the pool: this call throws — training undoes the epoch
   * (src/epochs.ts) — and the network computes on the calling thread from then on (net.threads 1).
   */
  function onPool(n: Arena, job: () => void): void {
    try {
      job();
    } catch (e) {
      if (!(e instanceof Error && e.name === "ThreadFailure") || !n.pool) throw e;
      n.pool.close();
      n.pool = null;
      throw new BackendError("nabla threads", "every helper thread", "finishing the tasks it takes", e.message,
        "The call was undone (training: back to the start of the epoch); this network computes on the calling thread from now on (net.threads is 1)");
    }
  }

  /**
   * What an arena's last forward pass on the pool left for the backward pass that follows:
   * "deltas" — a training pass by samples, whose tasks computed BP1 and the BP2 chain too (per
   * sample, like the forward pass), so the backward pass starts at BP3/BP4; or the layers a
   * training pass split by rows (forwardRows), so the SGD step gives each thread the same rows
   * (stepSgdPinned). Every forward pass sets or clears it.
   */
  const lastForward = new WeakMap<Arena, "deltas" | boolean[]>();

  /**
   * The layers a training pass of m samples splits by rows, or null to split it by samples.
   * By rows, each thread reads its rows of w and all of a^l; by samples, all of w and its
   * samples of a^l — and after a step by rows half of w is in the other threads' caches. So a
   * layer goes by rows when it has more neurons than the batch has samples (n_out > m: less to
   * fetch), at least 4 per thread, σ is not softmax and its work pays for a job; the pass goes
   * by rows when such layers hold at least 90% of its work. The other layers run on this thread.
   */
  function rowLayers(n: Arena, m: number, threads: number): boolean[] | null {
    const s = n.sizes, rows: boolean[] = [];
    let split = 0, all = 0;
    for (let l = 0; l + 1 < s.length; l++) {
      const work = m * s[l] * s[l + 1];
      rows.push(work >= THREAD_WORK.min && s[l + 1] > m && s[l + 1] >= 4 * threads && n.acts[l] !== SOFTMAX);
      all += work;
      if (rows[l]) split += work;
    }
    return split > 0 && split >= 0.9 * all ? rows : null;
  }

  function forwardPool(n: Arena, m: number, training: boolean, load: Loader | null): boolean {
    lastForward.delete(n);
    const rows = training && n.pool && !n.dropping ? rowLayers(n, m, n.pool.size) : null;
    if (rows) {
      const { k, plan: p, sizes: s, acts } = n;
      // The first layer split by rows: the helpers start on the first rows of the batch while this thread loads the rest.
      if (!rows[0]) load?.(0, m);
      for (let l = 0; l < rows.length; l++) {
        if (rows[l]) onPool(n, () => n.pool!.forwardRows(n, l, m, l === 0 ? load : null));
        else k.forward(p.a[l + 1], p.w[l], p.b[l], p.a[l], s[l], s[l + 1], m, acts[l]);
      }
      lastForward.set(n, rows);
      return true;
    }
    const t = pool(n, m * perSample(n.sizes));
    if (!t) return false;
    load?.(0, m);
    // A training pass (targets loaded): BP1 and BP2 in the same tasks, one job fewer per batch.
    onPool(n, () => t.forward(n, m, false, 0, true, training));
    if (training) lastForward.set(n, "deltas");
    return true;
  }

  function backwardPool(n: Arena, m: number): boolean {
    if (!pool(n, m * perSample(n.sizes))) return false;
    deltas(n, m);
    onPool(n, () => n.pool!.gradients(n, m));
    return true;
  }

  function sgdPool(net: Arena, m: number, scale: number, decay: number, l1s: number): boolean {
    const last = lastForward.get(net), rows = Array.isArray(last) ? last : null;
    if (!rows && !pool(net, m * perSample(net.sizes))) return false;
    // All δ first (BP2 reads the weights before any step), then every layer's step by rows — after
    // a pass by rows, BP2 through the bottom split layers in the step's job (bp2InStep), each
    // thread's pipelines before its steps.
    const through = rows ? net.pool!.bp2InStep(rows, m) : 0;
    deltas(net, m, Math.max(1, through));
    if (rows) onPool(net, () => net.pool!.stepSgdPinned(net, m, scale, decay, l1s, rows, through));
    else onPool(net, () => net.pool!.stepSgd(net, m, scale, decay, l1s));
    return true;
  }

  function updatePool(net: Arena, m: number, eta: number, scale: number, decay: number, l1s: number, opt: Optimizer, t: number): boolean {
    const t2 = pool(net, 8 * net.plan.paramsLen); // memory-bound: 3 or 4 arrays of every parameter
    if (!t2) return false;
    if (opt.name === "momentum") onPool(net, () => t2.stepOptimizer(net, "momentum", [opt.mu, scale, decay, l1s], [opt.mu, scale, 1, 0]));
    else {
      const lrt = (eta * Math.sqrt(1 - opt.beta2 ** t)) / (1 - opt.beta1 ** t);
      onPool(net, () => t2.stepOptimizer(net, "adam", [1 / m, lrt, opt.beta1, opt.beta2, opt.epsilon, decay, l1s],
        [1 / m, lrt, opt.beta1, opt.beta2, opt.epsilon, 1, 0]));
    }
    return true;
  }

  /**
   * Feedforward in chunks on the pool (src/passes.ts forwardChunks): the chunks are halved and
   * pipelined over the two halves of the batch buffers — while the helpers run chunk c, this thread
   * loads chunk c+1 into the other half, then joins chunk c (loading rows is a copy only this thread
   * can make: the caller's array is not shared). The finiteness check of the inputs runs in the
   * forward tasks, each on its own rows, instead of on this thread as they are loaded (a chunk in
   * which one found a bad value is loaded again with the check, which throws the error). A chunk
   * is at least THREAD_WORK.chunk multiply-adds, up to MAX_CHUNK rows (the batch buffers grow for
   * it), so that the jobs are long beside their barriers and the pipeline's start. Each output row
   * depends on its own input row only, so the chunking changes nothing in the results.
   */
  function chunksPool(n: Arena, where: string, count: number, chunk: number, load: Load, store: Rows): boolean {
    const per = perSample(n.sizes);
    chunk = Math.min(count, Math.max(chunk, Math.min(MAX_CHUNK, 4 * Math.ceil(THREAD_WORK.chunk / per / 4))));
    const t = chunk >= 4 ? pool(n, (chunk >> 1) * per) : null;
    if (!t) return false;
    n.ensure(where, chunk);
    chunk >>= 1;
    load(0, Math.min(chunk, count), 0, false);
    for (let start = 0, half = 0; start < count; start += chunk, half ^= 1) {
      const m = Math.min(chunk, count - start), next = start + chunk;
      let finite = true;
      onPool(n, () => t.forward(n, m, true, half * chunk, false));
      try {
        if (next < count) load(next, Math.min(chunk, count - next), (half ^ 1) * chunk, false);
      } finally {
        onPool(n, () => (finite = t.finish())); // never leave a job running, even when the next chunk's data is bad
      }
      if (!finite) load(start, m, half * chunk, true); // checked this time: throws the DataError naming the first bad value
      store(start, m, half * chunk);
    }
    return true;
  }

  /**
   * BP1 and the BP2 chain, down to δ^(lowest − 1): already done when the training forward pass ran
   * on the pool by samples; after a pass split by rows, BP2 through each split layer by its rows
   * (deltasRows) and the rest here; else on the pool by samples when the chain's work pays for it,
   * else here.
   */
  function deltas(n: Arena, m: number, lowest = 1): void {
    const last = lastForward.get(n);
    if (last === "deltas") {
      lastForward.delete(n);
      return;
    }
    const rows = Array.isArray(last) ? last : null, t = rows ? null : pool(n, m * perSampleBp2(n.sizes));
    if (t) return onPool(n, () => t.deltas(n, m));
    const { k, plan: p, sizes: s, acts, cost } = n, L = s.length - 1;
    k.bp1(p.delta[L - 1], p.a[L], p.y, s[L], m, acts[L - 1], cost);
    for (let l = L - 1; l >= lowest; l--) {
      if (rows?.[l]) onPool(n, () => n.pool!.deltasRows(n, l, m));
      else k.bp2(p.delta[l - 1], p.delta[l], p.w[l], p.a[l], s[l], s[l + 1], m, acts[l - 1]);
    }
  }

  return { forward: forwardPool, backward: backwardPool, sgd: sgdPool, update: updatePool, chunks: chunksPool };
}
