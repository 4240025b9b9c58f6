// How the passes split their work across threads (src/passes.ts calls these when the network
// has a pool and the work pays for the barrier).
//
//   samples   forward through every layer, BP1 and the BP2 chain, for samples s0..s1 of the batch:
//             every row of a batch-major buffer belongs to one sample, and these kernels compute a
//             sample's row the same way whatever batch it is in (test/batch-invariance.test.ts),
//             so a range of rows is a pointer and a count — no kernels of their own. BP2 needs the
//             weights before the step: all of it runs before any weight changes.
//   rows      BP3/BP4 (and the SGD step fused into bp4sgd) for rows j0..j1 of each layer's w and b:
//             bp3Rows, bp4Rows, bp4sgdRows compute each value as the whole call does (the blocking of
//             rows only decides which values share a pass); every layer's rows are independent, so
//             one job covers all layers. Boundaries at multiples of 4 rows. In a training pass
//             split by rows (src/threads/passes.ts rowLayers) the forward pass (forwardRows) and
//             BP2 (bp2Rows: the sums over each thread's rows, in a pipeline so that every sum
//             still runs over the rows in order) go by the same rows, pinned to the same threads.
//   elements  the momentum/Adam step over all parameters, in ranges of 4-aligned elements (the
//             last range keeps the tail the whole call has).
// Each output value is written by exactly one task (a pipelined BP2 sum: by one task per range,
// in order), computed in exactly the order one thread computes it: results are bit-identical to
// threads: 1, whatever the thread count or timing (test/threads.test.ts).
import { MAX_CALLS, type Pool } from "./pool.js";
import type { Layout } from "./option.js";
import type { Loader } from "../passes.js";

/**
 * Tasks per thread and job (about): more, smaller tasks let the threads that are on a core take
 * the work of one that lost its core, at the price of a little reuse of the weights per task.
 */
export let TASKS_PER_THREAD = 4;
/** Sets TASKS_PER_THREAD (benchmarks compare settings in one process). */
export function setTasksPerThread(n: number): void {
  TASKS_PER_THREAD = n;
}

/**
 * Row-range tasks per thread and job (about) for BP3/BP4 and the fused step: fewer than for
 * samples — measured on 2 threads (19:01–19:03, both cores free), bp4sgd of 784×100 at m = 32 ran
 * in 78 µs as 2 row ranges, 88–93 µs as 4 and 102–111 µs as 8 (105–119 µs alone).
 */
export let ROW_TASKS_PER_THREAD = 1;
/** Sets ROW_TASKS_PER_THREAD (benchmarks compare settings in one process). */
export function setRowTasksPerThread(n: number): void {
  ROW_TASKS_PER_THREAD = n;
}

/** Samples per task at least (a pair: the forward and BP2 kernels' blocking). */
const MIN_SAMPLES = 2;

/** Where part b of m samples cut into `parts` about equal parts at pairs begins (b = parts: m). */
function pairCut(m: number, parts: number, b: number): number {
  return Math.min(m, Math.round((b * m) / parts / 2) * 2);
}

/**
 * Sample ranges for m samples on `threads` threads, at pairs (the forward and BP2 kernels'
 * blocking). With fewer than 16 samples per thread, one range per thread. Else guided: each range
 * is about half an equal share of the samples still unassigned, the largest first and none below
 * ≈ half the TASKS_PER_THREAD split's size — the threads claim the large ranges first and end on
 * small ones, so the wait for a job's last task is short. (A sample's values do not depend on the
 * range it runs in, test/batch-invariance.test.ts: any ranges give the same results.)
 */
export function sampleRanges(m: number, threads: number): [number, number][] {
  const out: [number, number][] = [];
  if (m < 16 * threads) {
    const tasks = Math.max(1, Math.min(threads, Math.floor(m / MIN_SAMPLES)));
    for (let t = 0; t < tasks; t++) {
      const s0 = pairCut(m, tasks, t), s1 = pairCut(m, tasks, t + 1);
      if (s1 > s0) out.push([s0, s1]);
    }
    return out;
  }
  const smallest = Math.max(MIN_SAMPLES, 2 * Math.round(m / (4 * TASKS_PER_THREAD * threads)));
  for (let s = 0; s < m;) {
    let size = Math.max(smallest, 2 * Math.ceil((m - s) / (4 * threads)));
    if (m - s - size < MIN_SAMPLES) size = m - s;
    out.push([s, s + size]);
    s += size;
  }
  return out;
}

/**
 * Feedforward of the m samples in a^0 on the pool, by sample ranges (one task per range runs
 * every layer). With `check`, each task first checks its inputs are finite; returns false if
 * any is not (then nothing is to be trusted in a^1..a^L). With `withDeltas` (a training pass, targets
 * in y), each task goes on with BP1 and the BP2 chain for its samples — per sample too, so the
 * same tasks compute them, and a batch needs one job fewer (deltas() is then not called).
 */
export function forward(pool: Pool, n: Layout, m: number, check = false, at = 0, wait = true, withDeltas = false): boolean {
  const { plan: p, sizes: s, acts } = n, L = s.length - 1;
  pool.begin();
  const checks: number[] = [];
  for (let [s0, s1] of sampleRanges(m, pool.size)) {
    s0 += at;
    s1 += at;
    if (check) checks.push(pool.call("allFinite", p.a[0] + 4 * s0 * s[0], (s1 - s0) * s[0]));
    for (let l = 0; l < L; l++) {
      pool.call("forward", p.a[l + 1] + 4 * s0 * s[l + 1], p.w[l], p.b[l], p.a[l] + 4 * s0 * s[l], s[l], s[l + 1], s1 - s0, acts[l]);
    }
    if (withDeltas) deltaCalls(pool, n, s0, s1);
    pool.endTask();
  }
  if (!wait) {
    started.set(pool, checks);
    pool.start(); // the caller joins it with finish()
    return true;
  }
  pool.run();
  return checks.every((c) => pool.result(c) === 1);
}

/** The check calls of the job forward() started without waiting, per pool. */
const started = new WeakMap<Pool, number[]>();

/** Joins the job forward() started (wait = false): false if a task found an input that is not finite. */
export function finish(pool: Pool): boolean {
  const checks = started.get(pool) ?? [];
  started.delete(pool);
  pool.finish();
  return checks.every((c) => pool.result(c) === 1);
}

/** The calls of BP1 and the BP2 chain (δ^L … δ^1) for samples s0..s1: they read the weights and write only δ. */
function deltaCalls(pool: Pool, n: Layout, s0: number, s1: number): void {
  const { plan: p, sizes: s, acts, cost } = n, L = s.length - 1;
  pool.call("bp1", p.delta[L - 1] + 4 * s0 * s[L], p.a[L] + 4 * s0 * s[L], p.y + 4 * s0 * s[L], s[L], s1 - s0, acts[L - 1], cost);
  for (let l = L - 1; l > 0; l--) {
    pool.call("bp2", p.delta[l - 1] + 4 * s0 * s[l], p.delta[l] + 4 * s0 * s[l + 1], p.w[l], p.a[l] + 4 * s0 * s[l],
      s[l], s[l + 1], s1 - s0, acts[l - 1]);
  }
}

/** BP1 and the BP2 chain (δ^L … δ^1) for the m samples fed forward, by sample ranges. Reads the weights, writes only δ. */
export function deltas(pool: Pool, n: Layout, m: number): void {
  pool.begin();
  for (const [s0, s1] of sampleRanges(m, pool.size)) {
    deltaCalls(pool, n, s0, s1);
    pool.endTask();
  }
  pool.run();
}

/**
 * Row ranges of every layer, [layer, j0, j1], about ROW_TASKS_PER_THREAD per thread in total, each of about the
 * same work (rows × n_in), at multiples of 4 rows; the largest first (the last tasks claimed
 * are the small ones, so the threads finish together).
 */
export function rowRanges(sizes: readonly number[], threads: number): [number, number, number][] {
  const L = sizes.length - 1;
  let total = 0;
  for (let l = 0; l < L; l++) total += sizes[l + 1] * sizes[l];
  const target = total / (ROW_TASKS_PER_THREAD * threads);
  const out: [number, number, number][] = [];
  for (let l = 0; l < L; l++) {
    const nIn = sizes[l], nOut = sizes[l + 1];
    const chunks = Math.max(1, Math.min(Math.ceil(nOut / 4), Math.round((nOut * nIn) / target)));
    const rows = Math.ceil(nOut / chunks / 4) * 4;
    for (let j0 = 0; j0 < nOut; j0 += rows) out.push([l, j0, Math.min(nOut, j0 + rows)]);
  }
  return out.sort((a, b) => (b[2] - b[1]) * sizes[b[0]] - (a[2] - a[1]) * sizes[a[0]] || a[0] - b[0] || a[1] - b[1]);
}

/** BP3 + BP4 + the SGD step (bp4sgdRows) for every layer, by row ranges. δ must be in place (deltas()). */
export function stepSgd(pool: Pool, n: Layout, m: number, scale: number, decay: number, l1: number): void {
  const { plan: p, sizes: s } = n;
  pool.begin();
  for (const [l, j0, j1] of rowRanges(s, pool.size)) {
    pool.call("bp4sgdRows", p.w[l], p.b[l], p.delta[l], p.a[l], s[l], s[l + 1], m, scale, decay, l1, j0, j1);
    pool.endTask();
  }
  pool.run();
}

/** BP3 + BP4 into nablaB, nablaW for every layer, by row ranges. δ must be in place (deltas()). */
export function gradients(pool: Pool, n: Layout, m: number): void {
  const { plan: p, sizes: s } = n;
  pool.begin();
  for (const [l, j0, j1] of rowRanges(s, pool.size)) {
    pool.call("bp3Rows", p.nablaB[l], p.delta[l], s[l + 1], m, j0, j1);
    pool.call("bp4Rows", p.nablaW[l], p.delta[l], p.a[l], s[l], s[l + 1], m, j0, j1);
    pool.endTask();
  }
  pool.run();
}

/**
 * The neurons of one layer of nOut on `threads` threads in a training pass split by rows: one
 * range per thread, of equal size at multiples of 4 rows (nOut ≥ 4·threads: none is empty), in
 * pinned task order: thread t (0: the calling thread) takes range threads − 1 − t, from the top —
 * the calling thread has the rows next to the layers it computes alone (rowLayers), which follow in
 * memory. The forward pass (forwardRows) and the step (stepSgdPinned) give each thread the same
 * range (Pool.runPinned), so the rows of w a thread updates stay in its cache for its next forward
 * pass. Each range comes with its direction (1: downwards): the range at index i from the bottom
 * is walked downwards when i is even, upwards when odd, so on 2 threads neither walks towards the
 * other's rows (assembly/bp4.ts: the prefetcher would pull them over while the other thread writes them).
 */
export function layerRows(nOut: number, threads: number): [j0: number, j1: number, down: number][] {
  const out: [number, number, number][] = [];
  for (let i = threads - 1; i >= 0; i--) {
    out.push([Math.round((i * nOut) / threads / 4) * 4, i === threads - 1 ? nOut : Math.round(((i + 1) * nOut) / threads / 4) * 4, i % 2 === 0 ? 1 : 0]);
  }
  return out;
}

/**
 * Feedforward of layer l (a^l → a^(l+1)) for m samples, by rows of w, pinned: thread t computes
 * the neurons layerRows gives it. With `load` (the batch not yet in a^0), this thread loads it
 * in LOAD_PARTS parts during the job, and each helper runs its rows on part b once it is loaded
 * (Pool.callAfter on task 0's progress): the helpers compute while the rest is copied in, and
 * read each part as it lands. (A sample's values do not depend on the range it runs in.) A
 * load that throws releases the helpers — they compute on what is there, the call fails and
 * training undoes the epoch — and the error is thrown once the job has ended.
 */
export function forwardRows(pool: Pool, n: Layout, l: number, m: number, load: Loader | null = null): void {
  const { plan: p, sizes: s, acts } = n, K = load ? Math.max(1, Math.min(LOAD_PARTS, Math.floor(m / 8))) : 1;
  const part = (b: number) => pairCut(m, K, b);
  pool.begin();
  layerRows(s[l + 1], pool.size).forEach(([j0, j1, down], t) => {
    if (!load || t === 0) pool.call("forwardRows", p.a[l + 1], p.w[l], p.b[l], p.a[l], s[l], s[l + 1], m, acts[l], j0, j1, down);
    else {
      for (let b = 0; b < K; b++) {
        const s0 = part(b);
        pool.callAfter(0, b + 1, "forwardRows", p.a[l + 1] + 4 * s0 * s[l + 1], p.w[l], p.b[l], p.a[l] + 4 * s0 * s[l], s[l], s[l + 1],
          part(b + 1) - s0, acts[l], j0, j1, down);
      }
    }
    pool.endTask();
  });
  pool.runPinned(load && (() => {
    try {
      for (let b = 0; b < K; b++) {
        load(part(b), part(b + 1));
        pool.progress(0);
      }
    } catch (e) {
      pool.progress(0, K);
      throw e;
    }
  }));
}

/**
 * Parts a batch is loaded in during the first forward job of a training pass split by rows
 * (forwardRows), each at least 8 samples. [784,100,10] at m = 32, 2 threads, alternating epochs
 * against loading first: 2 parts +2.2%, +2.7%, +1.1% (three runs); 4 parts −2.8% (a helper's
 * call on 8 samples reads its rows of w for too few of them).
 */
const LOAD_PARTS = 2;

/**
 * The blocks of samples of deltasRows's pipeline for m samples on `threads` threads, or 0 to
 * split BP2 by samples instead. Blocks of at least a pair of samples (the kernel's blocking), up
 * to 16 per thread — on 2 threads at m = 64, BP2 of 512×512 took 445, 408 and 377 µs with 4, 8
 * and 16 per thread — and within a job's MAX_CALLS calls. 0 where the pipeline's fill (threads − 1
 * idle blocks per thread) would cost more than 15% of the threads' time: at m = 64, from 7 threads on.
 */
export function pipelineBlocks(m: number, threads: number): number {
  const B = Math.max(1, Math.min(m >> 1, 16 * threads, Math.floor(MAX_CALLS / threads)));
  return B < 0.85 * (B + threads - 1) ? 0 : B;
}

/**
 * BP2 back through layer l (δ^(l−1) = (w^l)ᵀ δ^l ⊙ σ'(a^l)) in a training pass split by rows.
 * By samples, each thread would read all of w^l, and the rows the other threads update in the
 * step would cross to its cache and back every batch; so each thread sums over the rows of w^l
 * that forwardRows gives it. Each sum runs over the rows in order (bp2), so the ranges take turns,
 * in a pipeline over B blocks of samples: the thread of the i-th range from the bottom runs block
 * b once the thread of range i − 1 has finished it (Pool.callAfter), carrying the partial sums
 * in δ^(l−1) (bp2Rows: bit for bit bp2's values). One pinned job; a thread waits only for the
 * first blocks of the ranges below its own (the pipeline's fill: threads − 1 blocks). Blocks as
 * pipelineBlocks says, or by samples.
 */
export function deltasRows(pool: Pool, n: Layout, l: number, m: number): void {
  const { plan: p, sizes: s, acts } = n, T = pool.size, nPrev = s[l], nOut = s[l + 1];
  const B = pipelineBlocks(m, T);
  pool.begin();
  if (B === 0) {
    for (const [s0, s1] of sampleRanges(m, T)) {
      pool.call("bp2", p.delta[l - 1] + 4 * s0 * nPrev, p.delta[l] + 4 * s0 * nOut, p.w[l], p.a[l] + 4 * s0 * nPrev, nPrev, nOut, s1 - s0, acts[l - 1]);
      pool.endTask();
    }
    return pool.run();
  }
  const ranges = layerRows(nOut, T);
  for (let t = 0; t < T; t++) {
    pipelineCalls(pool, n, l, m, B, t, ranges[t], 0);
    pool.endTask();
  }
  pool.runPinned();
}

/**
 * Thread t's calls (pinned task t) in BP2's pipeline back through layer l, on its rows [j0, j1)
 * of w^l: bp2Rows on each of B blocks of samples. Thread t has range i = T − 1 − t (layerRows:
 * the top range first), and runs block b once range i − 1 (task t + 1) has — its `before` calls
 * counted first (earlier pipelines of the same job) — or, the first range, once the calling
 * thread (task 0, the last range) has finished block b of the pipeline before (`before` > 0:
 * δ^l comes from it), or at once.
 */
function pipelineCalls(pool: Pool, n: Layout, l: number, m: number, B: number, t: number, [j0, j1]: readonly number[], before: number): void {
  const { plan: p, sizes: s, acts } = n, T = pool.size, i = T - 1 - t, nPrev = s[l], nOut = s[l + 1];
  for (let b = 0; b < B; b++) {
    const s0 = pairCut(m, B, b), s1 = pairCut(m, B, b + 1);
    const [on, calls] = i > 0 ? [t + 1, before + b + 1] : before > 0 ? [0, before - B + b + 1] : [-1, 0];
    pool.callAfter(on, calls, "bp2Rows", p.delta[l - 1] + 4 * s0 * nPrev, p.delta[l] + 4 * s0 * nOut, p.w[l],
      p.a[l] + 4 * s0 * nPrev, nPrev, nOut, s1 - s0, acts[l - 1], j0, j1, i === 0 ? 1 : 0, i === T - 1 ? 1 : 0);
  }
}

/**
 * The bottom layers whose BP2 the step's job can run too (stepSgdPinned's `through`): the count
 * of split layers when they are the bottom ones (rows = [true, …, false, …]: BP2 through them
 * needs only δ from the layers above, which the calling thread computes first), at least 2 (BP2
 * runs through layers 1 and up), and BP2's pipeline has blocks; else 0.
 */
export function bp2InStep(rows: readonly boolean[], m: number, threads: number): number {
  const top = rows.indexOf(false) < 0 ? rows.length : rows.indexOf(false);
  return top >= 2 && rows.indexOf(true, top) < 0 && pipelineBlocks(m, threads) > 0 ? top : 0;
}

/**
 * BP3 + BP4 + the SGD step for every layer after a forward pass split by rows (`rows[l]`: layer
 * l's neurons were split by layerRows), pinned: one task per thread, holding its rows of each
 * split layer, walked as the forward pass walked them; the other layers (small: rowLayers) go to
 * the calling thread, which fed them forward. δ must be in place — or, with `through` ≥ 2
 * (bp2InStep), δ^(through−1) only: the job first runs BP2 back through layers through − 1 … 1 as
 * deltasRows does (a pipeline per layer, each thread on its rows of w, before its step changes
 * them), and a thread's step of a layer whose δ comes from a pipeline waits until the calling
 * thread, the pipelines' last range, has finished it (Pool.callAfter). One job instead of one per
 * layer plus the step: the threads that finish their pipeline early go on with a step whose δ is
 * ready, and the calling thread starts with the small layers' step while the pipeline fills.
 */
export function stepSgdPinned(pool: Pool, n: Layout, m: number, scale: number, decay: number, l1: number, rows: readonly boolean[], through = 0): void {
  const { plan: p, sizes: s } = n, T = pool.size, L = rows.length;
  const ranges = rows.map((split, l) => (split ? layerRows(s[l + 1], T) : null));
  const B = through >= 2 ? pipelineBlocks(m, T) : 0;
  const step = (l: number, t: number, after: number) => {
    const [j0, j1, down] = ranges[l]?.[t] ?? [0, t === 0 ? s[l + 1] : 0, 0];
    if (j1 <= j0) return;
    const args = [p.w[l], p.b[l], p.delta[l], p.a[l], s[l], s[l + 1], m, scale, decay, l1, j0, j1, down];
    if (after > 0) pool.callAfter(0, after, "bp4sgdRows", ...args);
    else pool.call("bp4sgdRows", ...args);
  };
  pool.begin();
  for (let t = 0; t < T; t++) {
    // The layers that are not split, on the calling thread (first: their δ is ready, and the pipeline is filling).
    for (let l = 0; l < L; l++) if (!ranges[l]) step(l, t, 0);
    // BP2 through layers through − 1 … 1: pipeline k computes δ^(through − 2 − k); every task has made k·B calls before it.
    for (let l = B ? through - 1 : 0, k = 0; l >= 1; l--, k++) pipelineCalls(pool, n, l, m, B, t, ranges[l]![t], k * B);
    // The split layers' steps: δ^(through − 1) and up are ready; δ^l below it once the calling thread has finished pipeline through − 2 − l.
    for (let l = L - 1; l >= 0; l--) {
      if (!ranges[l]) continue;
      step(l, t, t > 0 && B && l < through - 1 ? (through - 1 - l) * B : 0);
    }
    pool.endTask();
  }
  pool.runPinned();
}

/** Element ranges of a vector of len values: `parts` pieces at multiples of 4 (the last takes the rest). */
export function elementRanges(len: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  for (let t = 0; t < parts; t++) {
    const a = Math.floor((t * len) / parts / 4) * 4, b = t === parts - 1 ? len : Math.floor(((t + 1) * len) / parts / 4) * 4;
    if (b > a) out.push([a, b]);
  }
  return out;
}

/**
 * The momentum or Adam step over all parameters on the pool: the weights in 4-aligned element
 * ranges (so every element takes the code path it takes in one whole call), the biases as one
 * task. `weights` and `biases` are the kernel's arguments after its pointers and length.
 */
export function stepOptimizer(pool: Pool, n: Layout, kernel: "momentum" | "adam", weights: number[], biases: number[]): void {
  const p = n.plan, wb = p.weightsLen * 4;
  pool.begin();
  for (const [a, b] of elementRanges(p.weightsLen, TASKS_PER_THREAD * pool.size)) {
    if (kernel === "momentum") pool.call("momentum", p.params + 4 * a, p.opt1 + 4 * a, p.grads + 4 * a, b - a, ...weights);
    else pool.call("adam", p.params + 4 * a, p.opt1 + 4 * a, p.opt2 + 4 * a, p.grads + 4 * a, b - a, ...weights);
    pool.endTask();
  }
  if (kernel === "momentum") pool.call("momentum", p.params + wb, p.opt1 + wb, p.grads + wb, p.biasesLen, ...biases);
  else pool.call("adam", p.params + wb, p.opt1 + wb, p.opt2 + wb, p.grads + wb, p.biasesLen, ...biases);
  pool.run();
}
