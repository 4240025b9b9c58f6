// A pool of helper threads that run kernel calls on a network's shared linear memory.
//
// Every thread (the calling one and each helper) has its own instance of the same threaded
// WebAssembly module over the same shared memory. A job is a list of tasks; a task is a short
// list of kernel calls run in order by one thread (e.g. forward through every layer for samples
// s0..s1, or bp4sgd on rows j0..j1 of one layer). Threads take tasks from a shared counter, the
// calling thread too, and the calling thread waits (Atomics.wait) until every task is done.
//
// Determinism: a task's result depends only on its own arguments, never on which thread runs it
// or when — the planner (src/threads/plan.ts) splits the work so that each output value is
// written by exactly one task, computed in the same order as one thread computes it. So the
// dynamic assignment of tasks to threads changes the speed, never a bit of the result.
//
// The control block is a SharedArrayBuffer of its own (not in linear memory, which may grow):
//   Int32 header:  SEQ (job number; −1 ends the helpers), COUNT (tasks), NEXT ((job tag << 16) | next task),
//                  DONE (tasks finished), ERROR (0, or 1 + index of a helper whose call threw), READY (helpers
//                  instantiated), DIE (test hook: 1 + index of a helper that exits at its next task),
//                  PINNED (0: tasks are claimed from NEXT; else the thread count: thread i's tasks are
//                  i, i + PINNED, …), JOB (a pinned job's number, 31 bits, for CLAIMS)
//   Int32 claims:  per task, the JOB of the pinned job that claimed it
//   Int32 flags:   per task, the calls it has finished in this pinned job (for calls that wait on another task's)
//   Int32 tasks:   [first call, end call] per task
//   Float64 calls: [kernel, 15 arguments] per call;  Float64 results: one per call (a kernel's return value)
// A task is claimed with a compare-and-swap on NEXT, whose high bits carry the job's tag, so a
// helper that wakes late for an old job can never claim a task of the next one. In a pinned job
// (runPinned) task t belongs to thread t mod size, so that successive jobs give a thread the same
// rows of the weights (it keeps them in its cache; src/threads/plan.ts): each thread claims its
// own tasks first, then any left unclaimed (a thread that is late — no core — delays nothing).
// A pinned task is claimed by a compare-and-swap of its CLAIMS slot from an earlier JOB to this
// one (publishing the job sets its tasks' slots to the job before): every task of a job is
// claimed before the job ends, so a helper still serving an old job finds nothing older than its
// JOB to claim. A helper reads SEQ, then PINNED, COUNT and JOB, then
// NEXT: if NEXT has a newer tag, the next job's publication began in between (it stores NEXT
// first and SEQ last) and the helper serves that job from the top.
// A call of a pinned job may wait for another task's progress (callAfter): before it runs, the
// thread waits until that task's FLAGS slot counts the given number of finished calls; every such
// call counts in its own task's slot when done. A call waits only on calls before it in the
// job's order of dependencies (src/threads/plan.ts: in a pipeline, range i's block b on range
// i − 1's; in stepSgdPinned, a step on the calling thread's pipelines, task 0), and each task is
// claimed first by its own thread: with every thread on its own task, some thread always holds a
// call that can run. (A task waiting on task 0 needs the calling thread to take its task:
// callerWorks.) A wait ends with a ThreadFailure after the timeout without progress, or when a
// helper's call failed.

import type { KernelName, THREAD_KERNEL_NAMES } from "../kernels.js";

/** Header slots of the control block (Int32 indices). */
export const SEQ = 0, COUNT = 1, NEXT = 2, DONE = 3, ERROR = 4, READY = 5, DIE = 6, PINNED = 7, JOB = 8;
const HEADER = 16;
/** Limits of one job. */
export const MAX_TASKS = 1024, MAX_CALLS = 2048;
/** Float64 slots per call: the kernel's index, then up to 15 arguments. */
export const CALL = 16;
/**
 * A call's kernel index plus AFTER: it waits first (slot 14: the task it waits on, slot 15: that
 * task's finished calls it waits for), and counts in its task's FLAGS slot when done (callAfter).
 */
export const AFTER = 128;
const TASKS0 = HEADER; // Int32 index of the task table
const CLAIMS0 = TASKS0 + 2 * MAX_TASKS; // Int32 index of the claims
const FLAGS0 = CLAIMS0 + MAX_TASKS; // Int32 index of the tasks' finished-call counts
const CALLS0 = (FLAGS0 + MAX_TASKS) * 4; // byte offset of the calls
const RESULTS0 = CALLS0 + MAX_CALLS * CALL * 8;
export const CONTROL_BYTES = RESULTS0 + MAX_CALLS * 8;
/**
 * How long a helper that has no task checks for the next job before it sleeps in Atomics.wait,
 * in ms. A sleeping thread's wake-up costs 40–250 µs here (BENCHMARKS.md, "Barrier cost"), more
 * than a small job's work; between the jobs of a call the calling thread's serial work (loading
 * the next batch, the cost) lasts tens of µs, so a helper that spins this long is awake for the
 * next job. After a call the helpers sleep within this time: an idle network uses no CPU.
 */
export const SPIN_MS = 0.5;
/**
 * How long the calling thread, its own tasks done, checks for the job's end before it sleeps, in
 * ms. Longer than any wake-up: were it to sleep, its own wake-up would delay the next job past
 * the helpers' SPIN_MS, they would sleep too, and every job would then pay two wake-ups (measured:
 * ≈ 0.5 ms per job, whatever its size, once in that state). Bounded, for a machine whose cores are
 * taken by other processes (the helper holding the last task may be waiting for one).
 */
export const WAIT_SPIN_MS = 2;
/** Layout numbers a helper needs (sent to it, so the helper source has no copy of them). */
export const LAYOUT = { SEQ, COUNT, NEXT, DONE, ERROR, READY, DIE, PINNED, JOB, TASKS0, CLAIMS0, FLAGS0, CALLS0, RESULTS0, CALL, AFTER, MAX_CALLS, SPIN_MS, WAIT_SPIN_MS };

/**
 * The kernels a task may call, by index: the exports of the threaded builds. Sample ranges
 * need no kernels of their own (a range of rows of a batch-major buffer is a pointer and a
 * count), row ranges do (bp3Rows, bp4Rows, bp4sgdRows).
 */
export const TASK_KERNELS = ["forward", "forwardRows", "bp1", "bp2", "bp2Rows", "bp3Rows", "bp4Rows", "bp4sgdRows", "momentum", "adam", "sgd", "allFinite"] as const satisfies
  readonly (KernelName | (typeof THREAD_KERNEL_NAMES)[number])[];
export type TaskKernel = (typeof TASK_KERNELS)[number];
const index = new Map<TaskKernel, number>(TASK_KERNELS.map((k, i) => [k, i]));

/** How long a wait may see no progress before the job is declared failed (a helper died or hangs). */
let timeoutMs = 30_000;
/** Sets the no-progress timeout (tests use a short one). Returns the previous value. */
export function setThreadTimeout(ms: number): number {
  const before = timeoutMs;
  timeoutMs = ms;
  return before;
}

/**
 * Claims task t of pinned job `job` (its CLAIMS slot goes from an earlier job's number to this
 * one; numbers compare as 31-bit serial numbers, so they may wrap). False: already claimed.
 * The helpers' copy is in src/threads/helper-source.ts.
 */
function claim(ctl: Int32Array, t: number, job: number): boolean {
  const v = Atomics.load(ctl, CLAIMS0 + t);
  return ((job - v) & 0x7fffffff) !== 0 && ((job - v) & 0x40000000) === 0 && Atomics.compareExchange(ctl, CLAIMS0 + t, v, job) === v;
}

/** What the pool needs from the platform to run one helper thread. */
export interface Helper {
  /** Ends the thread (asynchronously; it never runs another task). */
  terminate(): void;
  /** The message of the helper's last failure, read synchronously, or null. */
  takeError(): string | null;
}

/** Starts helper number i (1-based; 0 is the calling thread): it instantiates the module over memory and serves jobs from control. */
export type Spawn = (i: number, module: WebAssembly.Module, memory: WebAssembly.Memory, control: SharedArrayBuffer,
                     onExit: (code: number) => void) => Helper;

type Fn = (...args: number[]) => number;

/** A helper thread failed (its call threw, it exited, or no task finished within the timeout). */
export class ThreadFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ThreadFailure";
  }
}

export class Pool {
  /** Threads computing, the calling one included. */
  readonly size: number;
  readonly #ctl: Int32Array;
  readonly #calls: Float64Array;
  readonly #results: Float64Array;
  readonly #fns: Fn[];
  #helpers: Helper[] = [];
  #seq = 0;
  /** The last pinned job's number (JOB). */
  #job = 0;
  #nTasks = 0;
  #nCalls = 0;
  #taskStart = 0;
  /** Set by a helper's exit (delivered between calls): the failure every later job reports. */
  #exited: string | null = null;
  #closed = false;
  /** Jobs and tasks run so far, the tasks the calling thread ran (the rest ran on helpers), and the jobs run pinned. */
  readonly counts = { jobs: 0, tasks: 0, here: 0, pinned: 0 };
  /** Test hook: false leaves every task to the helpers (so tests know the helpers computed). */
  callerWorks = true;

  constructor(size: number, module: WebAssembly.Module, memory: WebAssembly.Memory, exports: Record<string, unknown>, spawn: Spawn) {
    this.size = size;
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    this.#ctl = new Int32Array(control);
    this.#calls = new Float64Array(control, CALLS0, MAX_CALLS * CALL);
    this.#results = new Float64Array(control, RESULTS0, MAX_CALLS);
    this.#fns = TASK_KERNELS.map((k) => exports[k] as Fn);
    for (let i = 1; i < size; i++) {
      this.#helpers.push(spawn(i, module, memory, control, (code) => {
        if (!this.#closed) this.#exited ??= `helper thread ${i} exited (code ${code})`;
      }));
    }
  }

  /** Helpers that have instantiated the module and serve jobs. */
  get ready(): number {
    return Atomics.load(this.#ctl, READY);
  }

  /** Starts writing a job. */
  begin(): this {
    this.#nTasks = 0;
    this.#nCalls = 0;
    this.#taskStart = 0;
    return this;
  }

  /** Appends a kernel call to the current task. Returns the call's index (for result()). */
  call(kernel: TaskKernel, ...args: number[]): number {
    const c = this.#nCalls++;
    if (c >= MAX_CALLS || args.length >= CALL) throw new Error(`nabla threads: a job holds at most ${MAX_CALLS} calls of ${CALL - 1} arguments`);
    const o = c * CALL;
    this.#calls[o] = index.get(kernel)!;
    for (let i = 0; i < args.length; i++) this.#calls[o + 1 + i] = args[i];
    return c;
  }

  /**
   * Appends a kernel call (at most 13 arguments) that waits until task `task` of this pinned job
   * has finished `calls` of its calls (of those appended with callAfter; task −1: no wait), and
   * counts as finished in its own task when done. For pipelines (src/threads/plan.ts deltasRows).
   */
  callAfter(task: number, calls: number, kernel: TaskKernel, ...args: number[]): number {
    if (args.length > CALL - 3) throw new Error(`nabla threads: a call that waits takes at most ${CALL - 3} arguments`);
    const c = this.call(kernel, ...args), o = c * CALL;
    this.#calls[o] += AFTER;
    this.#calls[o + 14] = task;
    this.#calls[o + 15] = calls;
    return c;
  }

  /**
   * Counts `calls` more in task t's FLAGS slot of the started pinned job, as if t had finished
   * them: work this thread does between start() and finish() that callAfter calls wait on (e.g.
   * loading the rows the helpers' first calls read). Task t must have no callAfter calls of its own.
   */
  progress(t: number, calls = 1): void {
    Atomics.add(this.#ctl, FLAGS0 + t, calls);
    Atomics.notify(this.#ctl, FLAGS0 + t); // a helper that has waited past WAIT_SPIN_MS sleeps on it
  }

  /** Ends the current task (the calls since the previous endTask run in order on one thread). */
  endTask(): void {
    if (this.#nCalls === this.#taskStart) return;
    const t = this.#nTasks++;
    if (t >= MAX_TASKS) throw new Error(`nabla threads: a job holds at most ${MAX_TASKS} tasks`);
    this.#ctl[TASKS0 + 2 * t] = this.#taskStart;
    this.#ctl[TASKS0 + 2 * t + 1] = this.#nCalls;
    this.#taskStart = this.#nCalls;
  }

  /** The value kernel call c returned in the last job. */
  result(c: number): number {
    return this.#results[c];
  }

  /**
   * Runs the job: publishes it, takes tasks on this thread too, and waits until all are done.
   * Throws a ThreadFailure when a helper's call threw, a helper exited, or no task finished
   * within the timeout (a helper that died holding a task); the memory may then hold partial results.
   */
  run(): void {
    this.start();
    this.finish();
  }

  /**
   * Runs the job pinned: task t belongs to thread t mod size (this thread: 0, size, 2·size, …) —
   * the same task index, the same thread, in every pinned job whose threads are on cores; each
   * thread then takes what is left of the others'. For jobs whose tasks touch what the same task
   * index touched in the last job (row ranges of the weights): their data stays in one cache.
   * `during`: work for this thread before it takes tasks (e.g. loading what the helpers' first
   * calls wait for, with progress()); the job is finished even when it throws.
   */
  runPinned(during: (() => void) | null = null): void {
    this.start(true);
    this.counts.pinned++;
    try {
      during?.();
    } finally {
      this.finish();
    }
  }

  /**
   * Publishes the job and returns at once: the helpers start on it while this thread does
   * something else (e.g. loads the next chunk of inputs), then calls finish().
   */
  start(pinned = false): void {
    this.endTask();
    if (this.#closed) throw new ThreadFailure("the helper threads were ended (dispose())");
    if (this.#exited) throw new ThreadFailure(this.#exited);
    const ctl = this.#ctl, count = this.#nTasks;
    const seq = (this.#seq = (this.#seq + 1) & 0x7fff);
    // NEXT first: a helper still looking at the last job (its NEXT and COUNT) must not see this
    // job's COUNT with the last job's NEXT — it would claim a task index of this job under the
    // old tag, run it twice and count it twice. Once NEXT carries the new tag, its compare-and-swap fails.
    // A pinned job's NEXT says every task is claimed: no thread claims one.
    Atomics.store(ctl, NEXT, (seq << 16) | (pinned ? count : 0));
    Atomics.store(ctl, PINNED, pinned ? this.size : 0);
    if (pinned) {
      const job = (this.#job = (this.#job + 1) & 0x7fffffff);
      Atomics.store(ctl, JOB, job);
      // Each task's slot one job back: claimable by this job alone, however long ago (in wrapping
      // job numbers) the slot was last used — a task index unused for 2^30 jobs would otherwise look newer.
      for (let t = 0; t < count; t++) {
        Atomics.store(ctl, CLAIMS0 + t, (job - 1) & 0x7fffffff);
        Atomics.store(ctl, FLAGS0 + t, 0);
      }
    }
    Atomics.store(ctl, COUNT, count);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, SEQ, seq);
    if (count > 1 || !this.callerWorks) Atomics.notify(ctl, SEQ);
  }

  /** Takes the started job's remaining tasks on this thread and waits until all are done (see run()). */
  finish(): void {
    const ctl = this.#ctl, count = Atomics.load(ctl, COUNT);
    if (count === 0) return;
    const seq = this.#seq, stride = Atomics.load(ctl, PINNED);
    // A pinned job: this thread's own tasks, then any still unclaimed.
    for (let pass = 0; stride > 0 && this.callerWorks && pass < 2; pass++) {
      for (let t = 0; t < count; t += pass ? 1 : stride) {
        if (!claim(ctl, t, this.#job)) continue;
        this.#runTask(t);
        this.counts.here++;
        Atomics.add(ctl, DONE, 1);
      }
    }
    while (this.callerWorks) {
      const w = Atomics.load(ctl, NEXT), t = w & 0xffff;
      if (t >= count || w >>> 16 !== seq) break;
      if (Atomics.compareExchange(ctl, NEXT, w, w + 1) !== w) continue;
      this.#runTask(t);
      this.counts.here++;
      Atomics.add(ctl, DONE, 1);
    }
    this.counts.jobs++;
    this.counts.tasks += count;
    // A job's last task usually ends within one task's time; the helper that ends it notifies DONE.
    this.#waitUntil(DONE, count, 50, "task", false);
    if (Atomics.load(ctl, ERROR) !== 0) {
      const failure = this.#callFailure();
      Atomics.store(ctl, ERROR, 0);
      throw failure;
    }
  }

  #runTask(t: number): void {
    const C = this.#calls, fns = this.#fns, ctl = this.#ctl;
    for (let c = ctl[TASKS0 + 2 * t], end = ctl[TASKS0 + 2 * t + 1]; c < end; c++) {
      const o = c * CALL, after = C[o] >= AFTER;
      // Counts in FLAGS are not notified: a wait past WAIT_SPIN_MS looks again every 1 ms.
      if (after && C[o + 14] >= 0) this.#waitUntil(FLAGS0 + C[o + 14], C[o + 15], 1, "call", true);
      this.#results[c] = fns[after ? C[o] - AFTER : C[o]](C[o + 1], C[o + 2], C[o + 3], C[o + 4], C[o + 5], C[o + 6], C[o + 7], C[o + 8],
        C[o + 9], C[o + 10], C[o + 11], C[o + 12], C[o + 13], C[o + 14], C[o + 15]) ?? 0;
      if (after) Atomics.add(ctl, FLAGS0 + t, 1);
    }
  }

  /**
   * Waits until control slot `slot` reaches `value` (DONE: the job's tasks; a FLAGS slot: a task's
   * calls): spinning up to WAIT_SPIN_MS, then in Atomics.wait slices of `sliceMs` (a thread that
   * waits longer than that is waiting on one that lost its core: it gives its own core up). A
   * ThreadFailure after the timeout without progress, or — with `stopOnError` — as soon as a
   * helper's call failed (a task waiting on another's calls would otherwise wait for ever).
   */
  #waitUntil(slot: number, value: number, sliceMs: number, what: "task" | "call", stopOnError: boolean): void {
    const ctl = this.#ctl;
    let last = Atomics.load(ctl, slot);
    if (last >= value) return; // usually so for a call's wait (its block is done): no clock read
    const start = performance.now();
    let since = start;
    for (let i = 1; last < value; i++) {
      if ((i & 1023) !== 0) {
        last = Atomics.load(ctl, slot);
        continue;
      }
      if (performance.now() - start > WAIT_SPIN_MS) Atomics.wait(ctl, slot, last, sliceMs);
      const d = Atomics.load(ctl, slot), now = performance.now();
      if (stopOnError && Atomics.load(ctl, ERROR) !== 0) throw this.#callFailure();
      if (d !== last) { last = d; since = now; continue; }
      if (now - since > timeoutMs) {
        throw new ThreadFailure(`no helper thread finished a ${what} for ${(timeoutMs / 1000).toFixed(1)} s: ${this.#exited ?? "a helper thread died or hangs"}`);
      }
    }
  }

  /** The failure ERROR reports: a helper's kernel call threw (its message, read synchronously). */
  #callFailure(): ThreadFailure {
    const i = Atomics.load(this.#ctl, ERROR) - 1;
    return new ThreadFailure(`a kernel call failed in helper thread ${i}: ${this.#helpers[i - 1]?.takeError() ?? "unknown error"}`);
  }

  /** Test hook: the next pinned job's number is n + 1 (job numbers wrap at 2^31). */
  setJobNumber(n: number): void {
    this.#job = n;
  }

  /** Test hook: helper i exits (as if killed) when it takes its next task. */
  killAtNextTask(i: number): void {
    Atomics.store(this.#ctl, DIE, i);
  }

  /** Test hook: ends helper i now (worker.terminate()). */
  terminateHelper(i: number): void {
    this.#helpers[i - 1]?.terminate();
  }

  /** Ends every helper thread. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    Atomics.store(this.#ctl, SEQ, -1);
    Atomics.notify(this.#ctl, SEQ);
    for (const h of this.#helpers) h.terminate();
    this.#helpers = [];
  }

  get closed(): boolean {
    return this.#closed;
  }
}
