// The part of threads every bundle carries (a page's included): the `threads` option, the
// interface the passes call, and the hook through which an entry that can start helper
// threads (src/node.ts) plugs in the rest of src/threads/. A page registers nothing, so it
// carries none of the pool, the planner or the threaded builds (test/size.test.ts).
import { OptionError, describe } from "../errors.js";
import type { Plan } from "../arena.js";
import type { Loader } from "../passes.js";

/** `threads`: 1 (default), a whole number up to 256, or "auto" (the cores the platform reports, at most 16). */
export type ThreadsOption = number | "auto";
export const MAX_THREADS = 256;
export const AUTO_CAP = 16;

/** Checks the `threads` option. */
export function checkThreads(where: string, arg: string, v: unknown): ThreadsOption {
  if (v === undefined) return 1;
  if (v === "auto") return v;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > MAX_THREADS) {
    throw new OptionError(where, arg, `a whole number from 1 to ${MAX_THREADS}, or "auto"`, describe(v));
  }
  return v;
}

/** What the work split needs of a network (src/arena.ts's Arena has it). */
export interface Layout {
  readonly plan: Plan;
  readonly sizes: readonly number[];
  readonly acts: readonly number[];
  readonly cost: number;
}

/**
 * A network's helper threads, as the passes (src/passes.ts) use them: each method runs one job
 * split across the threads (src/threads/plan.ts says how) and waits for it, except forward with
 * wait = false, which the caller joins with finish(). forward with check = true first checks each
 * task's inputs are finite (its result, or finish()'s, is false when one is not). forward with deltas = true (a training pass,
 * targets loaded) also computes BP1 and the BP2 chain, in the same tasks. A failed helper makes a method throw an
 * Error named "ThreadFailure".
 */
export interface Threads {
  /** Threads computing, the calling one included. */
  readonly size: number;
  forward(n: Layout, m: number, check?: boolean, at?: number, wait?: boolean, deltas?: boolean): boolean;
  /** Joins the job forward started with wait = false: false if it checked its inputs and one was not finite. */
  finish(): boolean;
  deltas(n: Layout, m: number): void;
  stepSgd(n: Layout, m: number, scale: number, decay: number, l1: number): void;
  /**
   * Layer l's feedforward by rows of w, pinned to the threads (a training pass split by rows);
   * with `load`, the batch is loaded during the job, in parts the helpers wait for (plan.ts forwardRows).
   */
  forwardRows(n: Layout, l: number, m: number, load: Loader | null): void;
  /** BP2 back through layer l's weights by its rows, pinned as forwardRows (the threads in a pipeline over blocks of samples): δ^(l−1) from δ^l. */
  deltasRows(n: Layout, l: number, m: number): void;
  /**
   * The SGD step after a forward pass split by rows (rows[l]: layer l was), each thread on the rows
   * it fed forward; with `through` (bp2InStep), BP2 back through layers through − 1 … 1 first, in the same job.
   */
  stepSgdPinned(n: Layout, m: number, scale: number, decay: number, l1: number, rows: readonly boolean[], through?: number): void;
  /** How many bottom layers' BP2 stepSgdPinned can run in its job after a pass split as `rows` (plan.ts bp2InStep): 0, or 2 and up. */
  bp2InStep(rows: readonly boolean[], m: number): number;
  gradients(n: Layout, m: number): void;
  stepOptimizer(n: Layout, kernel: "momentum" | "adam", weights: number[], biases: number[]): void;
  /** Ends the helper threads (idempotent). */
  close(): void;
}

/** A threaded instance: the calling thread's exports over a shared memory, and the helpers (null for one thread). */
export interface Threaded {
  exports: WebAssembly.Exports;
  memory: WebAssembly.Memory;
  pool: Threads | null;
}

/** What an entry that can start helper threads registers (src/threads/index.ts makes it). */
export interface ThreadsImpl {
  /** The thread count an option resolves to on this platform (1 where threads are unavailable). */
  resolve(option: ThreadsOption): number;
  /** Whether this build has a threaded counterpart loaded here. */
  has(build: string): boolean;
  /** A threaded instance with threads − 1 helpers; `owner`'s collection ends them. */
  create(build: string, threads: number, owner: object): Threaded;
}

let impl: ThreadsImpl | null = null;

export function registerThreadsImpl(i: ThreadsImpl): void {
  impl = i;
}

/** The registered implementation, or null (a page: every network computes on one thread). */
export function threadsImpl(): ThreadsImpl | null {
  return impl;
}

/**
 * Work thresholds, in multiply-adds. `min`: below it a job runs on the calling thread alone — a
 * job costs one barrier (≈ 1 µs when the helpers are awake, as they are between the jobs of a
 * call since they spin SPIN_MS (src/threads/pool.ts) before sleeping; 40–250 µs when they must be
 * woken), and splitting saves half the job's time (≈ 20 G multiply-adds/s on one core here).
 * `auto`: `threads: "auto"` gives a network helper threads only when one sample's pass times a
 * batch of 64 reaches it — on a quiet machine [784,30,10] with idle helpers ran at 0.89× of one
 * thread (the helpers share the cores). `chunk`: feedforwardBatch with threads loads its rows in
 * chunks of at least this much work (two jobs each; src/threads/passes.ts chunksPool; at most
 * 4,096 rows) — [784,30,10] over 10,000 digits measured 1.24× at 6 M, 1.37× at 12 M, 1.50× at 32 M
 * and 1.54× at 48 M (3 Dec, 07:53: bench/threads.ts's feedforwardBatch row at each setting). Fields, so
 * tests can lower `min` to exercise the pool on small networks (it changes speed, never values).
 */
export const THREAD_WORK = { min: 1_000_000, auto: 8_000_000, chunk: 48_000_000 };

/** Multiply-adds of one sample through every layer (forward; BP4 is the same). */
export function perSample(sizes: readonly number[]): number {
  let f = 0;
  for (let l = 1; l < sizes.length; l++) f += sizes[l] * sizes[l - 1];
  return f;
}

/**
 * Whether `threads: "auto"` leaves a network of these sizes on one thread: its passes at a batch
 * of 64 do not reach THREAD_WORK.auto (split, such networks measured slower than alone).
 */
export function autoAlone(sizes: readonly number[]): boolean {
  return perSample(sizes) * 64 < THREAD_WORK.auto;
}

/** Multiply-adds of one sample's BP2 chain (every layer but the first). */
export function perSampleBp2(sizes: readonly number[]): number {
  let f = 0;
  for (let l = 2; l < sizes.length; l++) f += sizes[l] * sizes[l - 1];
  return f;
}
