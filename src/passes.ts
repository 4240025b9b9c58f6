// network.py's core, one kernel call per layer over a whole mini-batch of m samples whose
// inputs are in a^0 (and targets in y). Layer index l runs 0..L−1 over the weight layers:
// l = 0 is Nielsen's layer 2.
//
//   feedforward  z^l = w^l a^(l−1) + b^l,  a^l = σ(z^l)          kernels.forward
//   BP1          δ^L = ∇_a C ⊙ σ'(z^L)                           kernels.bp1
//   BP2          δ^l = ((w^(l+1))^T δ^(l+1)) ⊙ σ'(z^l)            kernels.bp2
//   BP3          ∂C/∂b^l_j = δ^l_j          (summed over the batch) kernels.bp3
//   BP4          ∂C/∂w^l_jk = a^(l−1)_k δ^l_j (summed over the batch) kernels.bp4
//   update       w → (1−ηλ/n) w − (η/m) Σ_x ∇w,  b → b − (η/m) Σ_x ∇b   kernels.sgd
//
// The buffers are the arena's (src/arena.ts); the caller loads a^0 and y, and owns the
// optimizer state's step count.
//
// With helper threads (arena.pool, src/threads/), each pass whose work pays for a barrier runs
// split across them (src/threads/plan.ts): by samples (forward, BP1, BP2) or by rows (BP3, BP4,
// the fused SGD step) or by elements (momentum, Adam) — each value computed by one thread in the
// order one thread computes it, so the results are bit-identical to the passes below. A training
// pass's forward tasks go on with BP1 and BP2 for their samples (two jobs per batch: forward +
// δ, then the step).
// Dropout (Nielsen ch. 3, inverted): in a training pass of a network with dropout, hidden layer
// l's activations are multiplied by a mask μ^l drawn from the network's generator (0 with
// probability p_l, else 1/(1 − p_l)) into ã^l, which the next layer and BP4 read; BP2 computes
// σ' from the undropped a^l and then δ^l ⊙= μ^l. Inference never drops. A training pass with
// dropout runs on the calling thread alone (the masks come from one generator, in one order).
import type { Arena } from "./arena.js";
import type { Optimizer } from "./options.js";
import type { Random } from "./random.js";
import { BackendError } from "./errors.js";
import { fillMask } from "./dropout.js";
import { THREAD_WORK, perSample, perSampleBp2, type Threads } from "./threads/option.js";

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

/** The activations layer l+1 and BP4 read for layer l: ã^l in a training pass with dropout at l, else a^l. */
const input = (n: Arena, l: number): number => (n.dropping && l > 0 && n.dropout![l - 1] > 0 ? n.plan.dropped[l] : n.plan.a[l]);

/**
 * Arenas whose last forward pass was a training pass split across the helper threads: its
 * tasks computed BP1 and the BP2 chain too (per sample, like the forward pass), so the backward
 * pass that follows starts at BP3/BP4. Every forward pass sets or clears it.
 */
const deltasDone = new WeakSet<Arena>();

/**
 * Feedforward of the m samples in a^0, layer by layer: a^(l+1) = σ(w^l a^l + b^l). With `rng`
 * (a training pass) and dropout, hidden activations are dropped with masks drawn from rng.
 */
export function forward(n: Arena, m: number, rng: Random | null = null): void {
  n.dropping = rng !== null && n.dropout !== null;
  if (n.pool !== null && forwardPool(n, m, rng !== null)) return;
  const { k, plan: p, sizes: s, acts } = n, L = s.length - 1;
  for (let l = 0; l < L; l++) {
    k.forward(p.a[l + 1], p.w[l], p.b[l], input(n, l), s[l], s[l + 1], m, acts[l]);
    if (n.dropping && l + 1 < L && n.dropout![l] > 0) {
      const len = m * s[l + 1];
      fillMask(rng!, n.F, p.mask[l + 1] >>> 2, len, n.dropout![l]);
      k.dropout(p.dropped[l + 1], p.a[l + 1], p.mask[l + 1], len);
    }
  }
}

/** BP2 for layer l−1 from δ^l, then the dropout mask of layer l (when this pass dropped it). */
function bp2(n: Arena, l: number, m: number): void {
  const { k, plan: p, sizes: s, acts } = n;
  k.bp2(p.delta[l - 1], p.delta[l], p.w[l], p.a[l], s[l], s[l + 1], m, acts[l - 1]);
  if (n.dropping && n.dropout![l - 1] > 0) k.dropout(p.delta[l - 1], p.delta[l - 1], p.mask[l], m * s[l]);
}

/** BP1–BP4 for the m samples fed forward, targets in y: fills nablaW, nablaB (summed over the batch). */
export function backward(n: Arena, m: number): void {
  if (n.pool !== null && backwardPool(n, m)) return;
  const { k, plan: p, sizes: s, acts, cost } = n, L = s.length - 1;
  k.bp1(p.delta[L - 1], p.a[L], p.y, s[L], m, acts[L - 1], cost);
  for (let l = L - 1; l >= 0; l--) {
    k.bp3(p.nablaB[l], p.delta[l], s[l + 1], m);
    k.bp4(p.nablaW[l], p.delta[l], input(n, l), s[l], s[l + 1], m);
    if (l > 0) bp2(n, l, m);
  }
}

/**
 * BP1–BP4 fused with the plain SGD step (kernels.bp4sgd does BP3, BP4 and the update of one
 * layer in a single pass, so ∇w never goes through memory); n = training-set size, for the
 * regularization terms. Bit-identical to backward then update with "sgd" (test/fused.test.ts).
 */
export function backwardSgd(net: Arena, m: number, eta: number, lambda: number, l1: number, n: number): void {
  const { k, plan: p, sizes: s, acts, cost } = net, L = s.length - 1;
  const scale = eta / m, decay = 1 - (eta * lambda) / n, l1s = (eta * l1) / n;
  if (net.pool !== null && sgdPool(net, m, scale, decay, l1s)) return;
  k.bp1(p.delta[L - 1], p.a[L], p.y, s[L], m, acts[L - 1], cost);
  for (let l = L - 1; l >= 0; l--) {
    // δ^(l−1) needs w^l before the step changes it.
    if (l > 0) bp2(net, l, m);
    k.bp4sgd(p.w[l], p.b[l], p.delta[l], input(net, l), s[l], s[l + 1], m, scale, decay, l1s);
  }
}

/**
 * One momentum or Adam step from the summed gradients of m samples; n = training-set size,
 * t = Adam's step count after this step. (Plain SGD is fused into backwardSgd; kernels.sgd
 * stays as its unfused reference, tested against it in test/fused.test.ts.)
 */
export function update(net: Arena, m: number, eta: number, lambda: number, l1: number, n: number, opt: Optimizer, t: number): void {
  const { k, plan: p } = net;
  const scale = eta / m, decay = 1 - (eta * lambda) / n, l1s = (eta * l1) / n;
  const wb = p.weightsLen * 4; // byte offset of the biases within each block
  if (net.pool !== null && updatePool(net, m, eta, scale, decay, l1s, opt, t)) return;
  if (opt.name === "momentum") {
    k.momentum(p.params, p.opt1, p.grads, p.weightsLen, opt.mu, scale, decay, l1s);
    k.momentum(p.params + wb, p.opt1 + wb, p.grads + wb, p.biasesLen, opt.mu, scale, 1, 0);
  } else {
    const lrt = (eta * Math.sqrt(1 - opt.beta2 ** t)) / (1 - opt.beta1 ** t);
    k.adam(p.params, p.opt1, p.opt2, p.grads, p.weightsLen, 1 / m, lrt, opt.beta1, opt.beta2, opt.epsilon, decay, l1s);
    k.adam(p.params + wb, p.opt1 + wb, p.opt2 + wb, p.grads + wb, p.biasesLen, 1 / m, lrt, opt.beta1, opt.beta2, opt.epsilon, 1, 0);
  }
}

// The passes on the pool, each returning false when the job is too small to split (the pass then
// runs above, on the calling thread). Kept apart from the passes so that the one-thread path
// computes no work estimate and allocates nothing per batch (a closure's captured variables
// would make every call allocate a context).

function forwardPool(n: Arena, m: number, training: boolean): boolean {
  deltasDone.delete(n);
  const t = pool(n, m * perSample(n.sizes));
  if (!t) return false;
  // A training pass (targets loaded): BP1 and BP2 in the same tasks, one job fewer per batch.
  onPool(n, () => t.forward(n, m, false, 0, true, training));
  if (training) deltasDone.add(n);
  return true;
}

function backwardPool(n: Arena, m: number): boolean {
  if (!pool(n, m * perSample(n.sizes))) return false;
  deltas(n, m);
  onPool(n, () => n.pool!.gradients(n, m));
  return true;
}

function sgdPool(net: Arena, m: number, scale: number, decay: number, l1s: number): boolean {
  if (!pool(net, m * perSample(net.sizes))) return false;
  // All δ first (BP2 reads the weights before any step), then every layer's step by rows.
  deltas(net, m);
  onPool(net, () => net.pool!.stepSgd(net, m, scale, decay, l1s));
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
 * Feedforward of count rows in chunks of up to `chunk` samples: load(start, m, at) puts rows
 * start..start+m in the batch rows at..at+m, store(start, m, at) takes their outputs. With
 * helper threads the chunks are halved and pipelined over the two halves of the batch buffers:
 * while the helpers run chunk c, this thread loads chunk c+1 into the other half, then joins
 * chunk c (loading rows is a copy only this thread can make — the caller's array is not
 * shared). Each output row depends on its own input row only, so the chunking changes nothing
 * in the results; and the buffers are not grown for it (evaluate's chunks, whose cost sums do
 * depend on them, stay as they are).
 */
export function forwardChunks(n: Arena, where: string, count: number, chunk: number,
                              load: (start: number, m: number, at: number) => void, store: (start: number, m: number, at: number) => void): void {
  n.ensure(where, chunk);
  const t = chunk >= 4 ? pool(n, (chunk >> 1) * perSample(n.sizes)) : null;
  if (!t) {
    for (let start = 0; start < count; start += chunk) {
      const m = Math.min(chunk, count - start);
      load(start, m, 0);
      forward(n, m);
      store(start, m, 0);
    }
    return;
  }
  chunk >>= 1;
  load(0, Math.min(chunk, count), 0);
  for (let start = 0, half = 0; start < count; start += chunk, half ^= 1) {
    const m = Math.min(chunk, count - start), next = start + chunk;
    onPool(n, () => t.forward(n, m, false, half * chunk, false));
    try {
      if (next < count) load(next, Math.min(chunk, count - next), (half ^ 1) * chunk);
    } finally {
      onPool(n, () => t.finish()); // never leave a job running, even when the next chunk's data is bad
    }
    store(start, m, half * chunk);
  }
}

/** BP1 and the BP2 chain: already done when the training forward pass ran on the pool, else on the pool by samples when the chain's work pays for it, else here. */
function deltas(n: Arena, m: number): void {
  if (deltasDone.delete(n)) return;
  const t = pool(n, m * perSampleBp2(n.sizes));
  if (t) return onPool(n, () => t.deltas(n, m));
  const { k, plan: p, sizes: s, acts, cost } = n, L = s.length - 1;
  k.bp1(p.delta[L - 1], p.a[L], p.y, s[L], m, acts[L - 1], cost);
  for (let l = L - 1; l > 0; l--) k.bp2(p.delta[l - 1], p.delta[l], p.w[l], p.a[l], s[l], s[l + 1], m, acts[l - 1]);
}

/** Σ_x C_x over the m samples fed forward (targets in y). */
export function cost(n: Arena, m: number): number {
  const p = n.plan, L = n.sizes.length - 1;
  return n.k.cost(p.a[L], p.y, n.sizes[L], m, n.cost);
}
