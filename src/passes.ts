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
import type { Arena } from "./arena.js";
import type { Optimizer } from "./options.js";

/** Feedforward of the m samples in a^0, layer by layer: a^(l+1) = σ(w^l a^l + b^l). */
export function forward(n: Arena, m: number): void {
  const { k, plan: p, sizes: s, acts } = n;
  for (let l = 0; l < s.length - 1; l++) k.forward(p.a[l + 1], p.w[l], p.b[l], p.a[l], s[l], s[l + 1], m, acts[l]);
}

/** BP1–BP4 for the m samples fed forward, targets in y: fills nablaW, nablaB (summed over the batch). */
export function backward(n: Arena, m: number): void {
  const { k, plan: p, sizes: s, acts, cost } = n, L = s.length - 1;
  k.bp1(p.delta[L - 1], p.a[L], p.y, s[L], m, acts[L - 1], cost);
  for (let l = L - 1; l >= 0; l--) {
    k.bp3(p.nablaB[l], p.delta[l], s[l + 1], m);
    k.bp4(p.nablaW[l], p.delta[l], p.a[l], s[l], s[l + 1], m);
    if (l > 0) k.bp2(p.delta[l - 1], p.delta[l], p.w[l], p.a[l], s[l], s[l + 1], m, acts[l - 1]);
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
  k.bp1(p.delta[L - 1], p.a[L], p.y, s[L], m, acts[L - 1], cost);
  for (let l = L - 1; l >= 0; l--) {
    // δ^(l−1) needs w^l before the step changes it.
    if (l > 0) k.bp2(p.delta[l - 1], p.delta[l], p.w[l], p.a[l], s[l], s[l + 1], m, acts[l - 1]);
    k.bp4sgd(p.w[l], p.b[l], p.delta[l], p.a[l], s[l], s[l + 1], m, scale, decay, l1s);
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
  if (opt.name === "momentum") {
    k.momentum(p.params, p.opt1, p.grads, p.weightsLen, opt.mu, scale, decay, l1s);
    k.momentum(p.params + wb, p.opt1 + wb, p.grads + wb, p.biasesLen, opt.mu, scale, 1, 0);
  } else {
    const lrt = (eta * Math.sqrt(1 - opt.beta2 ** t)) / (1 - opt.beta1 ** t);
    k.adam(p.params, p.opt1, p.opt2, p.grads, p.weightsLen, 1 / m, lrt, opt.beta1, opt.beta2, opt.epsilon, decay, l1s);
    k.adam(p.params + wb, p.opt1 + wb, p.opt2 + wb, p.grads + wb, p.biasesLen, 1 / m, lrt, opt.beta1, opt.beta2, opt.epsilon, 1, 0);
  }
}

/** Σ_x C_x over the m samples fed forward (targets in y). */
export function cost(n: Arena, m: number): number {
  const p = n.plan, L = n.sizes.length - 1;
  return n.k.cost(p.a[L], p.y, n.sizes[L], m, n.cost);
}
