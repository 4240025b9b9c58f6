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
// split across them: src/threads/passes.ts, bit-identical to the passes below.
// Dropout (Nielsen ch. 3, inverted): in a training pass of a network with dropout, hidden layer
// l's activations are multiplied by a mask μ^l drawn from the network's generator (0 with
// probability p_l, else 1/(1 − p_l)) into ã^l, which the next layer and BP4 read; BP2 computes
// σ' from the undropped a^l and then δ^l ⊙= μ^l. Inference never drops. A training pass with
// dropout runs on the calling thread alone (the masks come from one generator, in one order).
import type { Arena } from "./arena.js";
import type { Optimizer } from "./options.js";
import type { Random } from "./random.js";
import { fillMask } from "./dropout.js";

/** Rows of a feedforward in chunks: rows start..start+m of the caller's data at batch rows at..at+m. */
export type Rows = (start: number, m: number, at: number) => void;
/** Loads rows as Rows says; `check` false leaves the inputs' finiteness to the caller. */
export type Load = (start: number, m: number, at: number, check: boolean) => void;
/** Loads samples s0..s1 of the batch into rows s0..s1 of a^0 (and y). */
export type Loader = (s0: number, s1: number) => void;

/**
 * The passes on a network's helper threads (src/threads/passes.ts), each returning false when
 * its job is too small to split (the pass then runs here, on the calling thread). Registered by
 * the entries that can start threads (src/node.ts, NetworkWorker's worker), so a page computing
 * on its main thread — which never has threads — does not load them; and apart from the passes,
 * so that the one-thread path computes no work estimate and allocates nothing per batch.
 */
export interface ThreadPasses {
  /** Calls load(s0, s1) for every range of the batch before any kernel reads it, when it returns true. */
  forward(n: Arena, m: number, training: boolean, load: Loader | null): boolean;
  backward(n: Arena, m: number): boolean;
  sgd(n: Arena, m: number, scale: number, decay: number, l1s: number): boolean;
  update(n: Arena, m: number, eta: number, scale: number, decay: number, l1s: number, opt: Optimizer, t: number): boolean;
  chunks(n: Arena, where: string, count: number, chunk: number, load: Load, store: Rows): boolean;
}
let onThreads: ThreadPasses | null = null;
/** Makes the thread passes available (an arena only has a pool where they are registered). */
export function registerThreadPasses(p: ThreadPasses): void {
  onThreads = p;
}

/** The activations layer l+1 and BP4 read for layer l: ã^l in a training pass with dropout at l, else a^l. */
const input = (n: Arena, l: number): number => (n.dropping && l > 0 && n.dropout![l - 1] > 0 ? n.plan.dropped[l] : n.plan.a[l]);

/**
 * Feedforward of the m samples in a^0, layer by layer: a^(l+1) = σ(w^l a^l + b^l). With `rng`
 * (a training pass) and dropout, hidden activations are dropped with masks drawn from rng.
 * `load`, when given, puts the batch into a^0 first — with threads, in parts while the helpers
 * start on the parts already loaded (src/threads/plan.ts forwardRows).
 */
export function forward(n: Arena, m: number, rng: Random | null = null, load: Loader | null = null): void {
  n.dropping = rng !== null && n.dropout !== null;
  if (n.pool !== null && onThreads!.forward(n, m, rng !== null, load)) return;
  load?.(0, m);
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
  if (n.pool !== null && onThreads!.backward(n, m)) return;
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
  if (net.pool !== null && onThreads!.sgd(net, m, scale, decay, l1s)) return;
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
  if (net.pool !== null && onThreads!.update(net, m, eta, scale, decay, l1s, opt, t)) return;
  if (opt.name === "momentum") {
    k.momentum(p.params, p.opt1, p.grads, p.weightsLen, opt.mu, scale, decay, l1s);
    k.momentum(p.params + wb, p.opt1 + wb, p.grads + wb, p.biasesLen, opt.mu, scale, 1, 0);
  } else {
    const lrt = (eta * Math.sqrt(1 - opt.beta2 ** t)) / (1 - opt.beta1 ** t);
    k.adam(p.params, p.opt1, p.opt2, p.grads, p.weightsLen, 1 / m, lrt, opt.beta1, opt.beta2, opt.epsilon, decay, l1s);
    k.adam(p.params + wb, p.opt1 + wb, p.opt2 + wb, p.grads + wb, p.biasesLen, 1 / m, lrt, opt.beta1, opt.beta2, opt.epsilon, 1, 0);
  }
}

/**
 * Feedforward of count rows in chunks of up to `chunk` samples: load(start, m, at, true) puts rows
 * start..start+m in the batch rows at..at+m and checks them, store(start, m, at) takes their
 * outputs. With helper threads (src/threads/passes.ts) the chunks are pipelined and may be larger,
 * and the forward tasks check their own rows (a chunk where one found a bad value is loaded again
 * with the check, which throws). Each output row depends on its own input row only: the chunking changes nothing.
 */
export function forwardChunks(n: Arena, where: string, count: number, chunk: number, load: Load, store: Rows): void {
  if (n.pool !== null && onThreads!.chunks(n, where, count, chunk, load, store)) return;
  n.ensure(where, chunk);
  for (let start = 0; start < count; start += chunk) {
    const m = Math.min(chunk, count - start);
    load(start, m, 0, true);
    forward(n, m);
    store(start, m, 0);
  }
}

/** Σ_x C_x over the m samples fed forward (targets in y). */
export function cost(n: Arena, m: number): number {
  const p = n.plan, L = n.sizes.length - 1;
  return n.k.cost(p.a[L], p.y, n.sizes[L], m, n.cost);
}
