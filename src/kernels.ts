// The kernel interface shared by every backend: the three WebAssembly builds and
// the pure-JS baseline. All pointers are byte offsets into `memory.buffer`, all
// buffers f32 and row-major; activations are batch-major (m, n) and weights (nOut, nIn).
// The numeric codes match assembly/activations.ts and assembly/bp1.ts.

export const ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky-relu", "linear", "softmax"] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const COSTS = ["quadratic", "cross-entropy", "log-likelihood"] as const;
export type Cost = (typeof COSTS)[number];

export const activationCode = (a: Activation): number => ACTIVATIONS.indexOf(a);
export const costCode = (c: Cost): number => COSTS.indexOf(c);

export type BackendName = "wasm-relaxed" | "wasm-simd" | "wasm-scalar" | "js";

/**
 * The one list of kernel names: every backend provides each (assembly/index.ts exports them,
 * src/baseline/index.ts implements them), and src/wasm.ts maps a wasm instance's exports by
 * this list, refusing an instance that lacks one.
 */
export const KERNEL_NAMES = [
  "heapBase", "forward", "bp1", "bp2", "bp3", "bp4", "bp4sgd", "sgd", "momentum", "adam", "cost", "allFinite", "loadBytes", "dropout",
] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];
/**
 * What the threaded builds (assembly/threads.ts, src/threads/) export besides KERNEL_NAMES: one
 * thread's share of a layer's rows (BP3, BP4, the fused SGD step), and a thread's scratch slot.
 */
export const THREAD_KERNEL_NAMES = ["forwardRows", "bp2Rows", "bp3Rows", "bp4Rows", "bp4sgdRows", "setScratchSlot"] as const;

/**
 * Linear memory as the kernels see it: a WebAssembly.Memory (wasm builds) or a PlainMemory
 * (src/baseline/memory.ts, the js backend, which needs no WebAssembly).
 */
export interface Memory {
  /** The bytes. Replaced by a new buffer (the old one detached) when the memory grows. */
  readonly buffer: ArrayBufferLike;
  /** Grows by `pages` pages of 64 KiB; returns the previous size in pages; throws a RangeError when it cannot. */
  grow(pages: number): number;
}

export interface Kernels {
  /** Which backend computes. */
  readonly name: BackendName;
  /** The linear memory every pointer refers to. Views on its buffer detach when it grows. */
  readonly memory: Memory;
  /** First byte the host may use. */
  heapBase(): number;
  /** a = σ(aPrev · wᵀ + b). a (m,nOut), w (nOut,nIn), b (nOut), aPrev (m,nIn). */
  forward(a: number, w: number, b: number, aPrev: number, nIn: number, nOut: number, m: number, act: number): void;
  /** BP1: δ^L = ∇_a C ⊙ σ'(z^L). delta, a, y (m,n). */
  bp1(delta: number, a: number, y: number, n: number, m: number, act: number, cost: number): void;
  /** BP2: δ^l = (w^(l+1)ᵀ δ^(l+1)) ⊙ σ'(z^l). delta (m,n), deltaNext (m,nNext), wNext (nNext,n), a (m,n). */
  bp2(delta: number, deltaNext: number, wNext: number, a: number, n: number, nNext: number, m: number, act: number): void;
  /** BP3: nablaB = Σ_s δ[s,:]. nablaB (n), delta (m,n). Overwrites. */
  bp3(nablaB: number, delta: number, n: number, m: number): void;
  /** BP4: nablaW = δᵀ aPrev. nablaW (nOut,nIn), delta (m,nOut), aPrev (m,nIn). Overwrites. */
  bp4(nablaW: number, delta: number, aPrev: number, nIn: number, nOut: number, m: number): void;
  /**
   * BP3 + BP4 + the SGD step of one layer, without writing the gradients: b = b − scale·Σ_s δ[s,:],
   * w = decay·w − scale·δᵀ aPrev − l1·sgn(w). w (nOut,nIn), b (nOut), delta (m,nOut), aPrev (m,nIn).
   * Same result as bp3 + bp4, then sgd on w (scale, decay, l1) and on b (scale, 1, 0).
   */
  bp4sgd(w: number, b: number, delta: number, aPrev: number, nIn: number, nOut: number, m: number,
         scale: number, decay: number, l1: number): void;
  /** w = decay·w − scale·g − l1·sgn(w). */
  sgd(w: number, g: number, len: number, scale: number, decay: number, l1: number): void;
  /** v = μv − scale·g; w = decay·w + v − l1·sgn(w). */
  momentum(w: number, v: number, g: number, len: number, mu: number, scale: number, decay: number, l1: number): void;
  /** Adam step with bias corrections folded into lrt. */
  adam(w: number, m1: number, m2: number, g: number, len: number, gScale: number, lrt: number,
       beta1: number, beta2: number, eps: number, decay: number, l1: number): void;
  /** Σ_x C_x over m samples (f64). a, y (m,n). */
  cost(a: number, y: number, n: number, m: number, kind: number): number;
  /** 1 if all len values at p are finite, else 0. */
  allFinite(p: number, len: number): number;
  /** dst[i] = f32(src[i]) · scale for len bytes at src: byte inputs (e.g. pixels × 1/255) widened into a batch. dst (len f32). */
  loadBytes(dst: number, src: number, len: number, scale: number): void;
  /** Inverted dropout: out = x ⊙ mask over len values (out may be x); mask holds 0 or 1/(1 − p). */
  dropout(out: number, x: number, mask: number, len: number): void;
}
