// The memory plan of one network: where every buffer lives in its linear memory.
// The Network owns all of them; kernels only read and write at these offsets.
//
//   [ params | opt1 | opt2 | snapshot | grads | batch buffers ]
//     params   = all weights w^1..w^L (row-major, (n_l, n_(l−1)) each), then all biases b^1..b^L
//     opt1/2   = optimizer state in the same layout (momentum velocity; Adam's m and v)
//     snapshot = copy of params+opt1+opt2 taken at the start of each epoch (divergence guard)
//     grads    = nablaW, nablaB in the params layout
//     batch    = a^0..a^L (m × n_l each, batch-major), δ^1..δ^L (m × n_l), y (m × n_L)
// params, opt1 and opt2 are contiguous so one copy snapshots or restores them.

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
  /** One past the last byte used. */
  readonly end: number;
}

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

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
  return {
    sizes, weightsLen, biasesLen, paramsLen, params, opt1, opt2, snapshot, grads,
    w: wOff.map((o) => params + o), b: bOff.map((o) => params + o),
    nablaW: wOff.map((o) => grads + o), nablaB: bOff.map((o) => grads + o),
    capacity, a, delta, y, end: p,
  };
}
