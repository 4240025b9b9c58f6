// The memory plan of one network: where every buffer lives in its linear memory.
// The Network owns all of them; kernels only read and write at these offsets.
//
//   [ params | opt1 | opt2 | snapshot | grads | batch buffers ]
//     params   = all weights w^1..w^L (row-major, (n_l, n_(l−1)) each), then all biases b^1..b^L
//     opt1/2   = optimizer state in the same layout (momentum velocity; Adam's m and v)
//     snapshot = copy of params+opt1+opt2 taken at the start of each epoch (divergence guard)
//     grads    = nablaW, nablaB in the params layout
//     batch    = a^0..a^L (m × n_l each, batch-major), δ^1..δ^L (m × n_l), y (m × n_L),
//                bytes (m × n_0 u8: byte inputs land here, kernels.loadBytes widens them into a^0),
//                then per hidden layer the dropout mask μ^l and the dropped activations ã^l = a^l ⊙ μ^l
//                (m × n_l each; used only when the network has dropout, in training)
// params, opt1 and opt2 are contiguous so one copy snapshots or restores them.
// The Arena (below) owns one network's kernels and memory and lays them out by a plan.
import { NablaError, OptionError } from "./errors.js";
import type { Kernels } from "./kernels.js";
import type { Threads } from "./threads/option.js";
import type { Preprocessing } from "./preprocessing.js";

export const PAGE = 65536;
/** Largest linear memory a wasm32 module can address: 4 GiB. */
export const MAX_BYTES = 65536 * PAGE;

export interface Plan {
  readonly sizes: readonly number[];
  /** Parameter counts: all weights, all biases, both. */
  readonly weightsLen: number;
  readonly biasesLen: number;
  readonly paramsLen: number;
  /** Byte offsets of the blocks. */
  readonly params: number;
  readonly opt1: number;
  readonly opt2: number;
  readonly snapshot: number;
  readonly grads: number;
  /** Byte offsets of w^l, b^l, ∇w^l, ∇b^l within their blocks, l = 0..L−1 (layer l+1 in Nielsen's numbering). */
  readonly w: readonly number[];
  readonly b: readonly number[];
  readonly nablaW: readonly number[];
  readonly nablaB: readonly number[];
  /** Samples the batch buffers hold. */
  readonly capacity: number;
  /** a[0] is the input batch; a[l+1] = σ(z) of layer l. delta[l] pairs with a[l+1]. */
  readonly a: readonly number[];
  readonly delta: readonly number[];
  readonly y: number;
  /** Staging of a batch of byte inputs (capacity × n_0 bytes). */
  readonly bytes: number;
  /** Dropout, per layer index of `a` (hidden layers 1..L−1; −1 elsewhere): the mask μ^l and ã^l = a^l ⊙ μ^l. */
  readonly mask: readonly number[];
  readonly dropped: readonly number[];
  /** One past the last byte used. */
  readonly end: number;
}

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** A view on no buffer: the Arena's views before their first use. */
const EMPTY = new Uint8Array(0) as unknown;

/** `v`, or a new view of type C on `buffer` if v is on another (memory grown, or not made yet). */
function view<T extends ArrayBufferView>(v: T, C: new (b: ArrayBufferLike) => T, buffer: ArrayBufferLike): T {
  return v.buffer === buffer ? v : new C(buffer);
}

/** Parameter count Σ n_l (n_(l−1) + 1) of a network with these layer sizes. */
export function parameterCount(sizes: readonly number[]): number {
  let n = 0;
  for (let l = 1; l < sizes.length; l++) n += sizes[l] * (sizes[l - 1] + 1);
  return n;
}

/** Lays out a network's buffers from byte offset `base`, with batch buffers for `capacity` samples. */
export function plan(sizes: readonly number[], base: number, capacity: number): Plan {
  const L = sizes.length - 1;
  let weightsLen = 0, biasesLen = 0;
  const wOff: number[] = [], bOff: number[] = [];
  for (let l = 0; l < L; l++) {
    wOff.push(weightsLen * 4);
    weightsLen += sizes[l + 1] * sizes[l];
  }
  for (let l = 0; l < L; l++) {
    bOff.push(weightsLen * 4 + biasesLen * 4);
    biasesLen += sizes[l + 1];
  }
  const paramsLen = weightsLen + biasesLen;
  const block = align16(paramsLen * 4);
  const params = align16(base);
  const opt1 = params + block, opt2 = opt1 + block, snapshot = opt2 + block, grads = snapshot + 3 * block;
  let p = grads + block;
  const a: number[] = [], delta: number[] = [];
  for (let l = 0; l <= L; l++) { a.push(p); p = align16(p + capacity * sizes[l] * 4); }
  for (let l = 1; l <= L; l++) { delta.push(p); p = align16(p + capacity * sizes[l] * 4); }
  const y = p;
  p = align16(p + capacity * sizes[L] * 4);
  const bytes = p;
  p = align16(p + capacity * sizes[0]);
  const mask: number[] = [-1], dropped: number[] = [-1];
  for (let l = 1; l < L; l++) {
    mask.push(p); p = align16(p + capacity * sizes[l] * 4);
    dropped.push(p); p = align16(p + capacity * sizes[l] * 4);
  }
  mask.push(-1);
  dropped.push(-1);
  return {
    sizes, weightsLen, biasesLen, paramsLen, params, opt1, opt2, snapshot, grads,
    w: wOff.map((o) => params + o), b: bOff.map((o) => params + o),
    nablaW: wOff.map((o) => grads + o), nablaB: bOff.map((o) => grads + o),
    capacity, a, delta, y, bytes, mask, dropped, end: p,
  };
}

/**
 * One network's memory: its kernels, their linear memory and the plan of the buffers in it,
 * with the activation and cost codes the passes (src/passes.ts) hand to the kernels.
 * The batch buffers grow on demand (ensure); parameters never move.
 */
export class Arena {
  readonly k: Kernels;
  readonly sizes: readonly number[];
  /** Activation code of each weight layer (assembly/activations.ts), output last. */
  readonly acts: readonly number[];
  /** Cost code (assembly/bp1.ts). */
  readonly cost: number;
  /** Helper threads sharing this memory (src/threads/), or null: the passes then run on the calling thread alone. */
  pool: Threads | null = null;
  /** The input standardization every loaded batch gets (src/preprocessing.ts), or null. */
  pre: Preprocessing | null = null;
  /** Dropout probability per hidden layer (training only), or null. */
  dropout: readonly number[] | null = null;
  /** Whether the last forward pass dropped neurons (a training pass with dropout): the backward pass then applies the same masks. */
  dropping = false;
  #plan: Plan;
  // Views on linear memory, each made on first use and again after the memory grew.
  #F = EMPTY as Float32Array;
  #U8 = EMPTY as Uint8Array;
  #U32 = EMPTY as Uint32Array;

  constructor(where: string, k: Kernels, sizes: readonly number[], acts: readonly number[], cost: number) {
    this.k = k;
    this.sizes = sizes;
    this.acts = acts;
    this.cost = cost;
    this.#plan = plan(sizes, k.heapBase(), 1);
    this.#grow(where, this.#plan.end);
  }

  /** Where every buffer is now (the batch buffers move when they grow: read it again after a call that may grow them). */
  get plan(): Plan {
    return this.#plan;
  }

  /** The f32 view of linear memory, re-taken if the memory grew. */
  get F(): Float32Array {
    return (this.#F = view(this.#F, Float32Array, this.k.memory.buffer));
  }

  /** The byte view of linear memory, re-taken if the memory grew. */
  get U8(): Uint8Array {
    return (this.#U8 = view(this.#U8, Uint8Array, this.k.memory.buffer));
  }

  /** The 32-bit word view of linear memory, re-taken if the memory grew. */
  get U32(): Uint32Array {
    return (this.#U32 = view(this.#U32, Uint32Array, this.k.memory.buffer));
  }

  #grow(where: string, bytes: number): void {
    const memory = this.k.memory;
    const have = memory.buffer.byteLength;
    if (bytes > have) {
      try {
        memory.grow(Math.ceil((bytes - have) / PAGE));
      } catch {
        throw new NablaError(where, "the network's memory", `${(bytes / 2 ** 20).toFixed(1)} MiB of linear memory`,
          "a refusal from the engine (out of memory)");
      }
    }
  }

  /** Makes the batch buffers hold at least m samples (parameters stay where they are). */
  ensure(where: string, m: number): void {
    if (m <= this.#plan.capacity) return;
    const p = plan(this.sizes, this.k.heapBase(), m);
    if (p.end > MAX_BYTES) {
      throw new OptionError(where, "batch size", "a batch whose activations fit in 4 GiB", `${m} samples (${(p.end / 2 ** 30).toFixed(1)} GiB)`);
    }
    this.#grow(where, p.end);
    this.#plan = p;
  }

  /** The blocks (params, opt1, opt2) the last snapshot holds. */
  #snapped = 3;

  /**
   * Copies parameters and the first `states` blocks of optimizer state (0 for plain SGD, 1 for
   * momentum, 2 for Adam) into the snapshot block (the divergence guard's copy); the blocks
   * beyond are left out — an optimizer that keeps no state there does not change them.
   */
  snapshot(states = 2): void {
    const p = this.#plan;
    this.#snapped = 1 + states;
    this.U8.copyWithin(p.snapshot, p.params, p.params + this.#snapped * (p.opt1 - p.params));
  }

  /** Copies the snapshot back over parameters and the optimizer state it holds. */
  restore(): void {
    const p = this.#plan;
    this.U8.copyWithin(p.params, p.snapshot, p.snapshot + this.#snapped * (p.opt1 - p.params));
  }
}
