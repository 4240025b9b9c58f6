// The Network: Nielsen's network.py in shape — SGD (train, over the epoch generator of
// src/epochs.ts) → update_mini_batch (src/passes.ts: forward, backward, update, each one kernel
// call per layer over a whole mini-batch) → backprop(x, y) — plus the public API around it.
//
//   src/model.ts      what a network is: sizes, activations, cost, init, limits
//   src/arena.ts      where its buffers live in linear memory
//   src/passes.ts     feedforward, BP1–BP4, the update (network.py's core)
//   src/epochs.ts     the one epoch loop
//   src/batches.ts    rows in and out of linear memory, evaluation
//   src/serialize.ts  toJSON / parseModel
import { activationCode, costCode, type Activation, type BackendName, type Cost } from "./kernels.js";
import { createKernels, kernelsOf, buildOf, supports } from "./wasm.js";
import { threadsImpl, autoAlone } from "./threads/option.js";
import { Arena } from "./arena.js";
import { Random } from "./random.js";
import { toRows, inputVector, type Data, type Rows, type Vector } from "./data.js";
import { Dataset } from "./dataset.js";
import { resolveNetworkOptions, resolveTrainOptions, checkKeys, type NetworkOptions, type TrainOptions, type EpochStats } from "./options.js";
import { gaussianBiases, initScale, type Init } from "./model.js";
import type { Task } from "./task.js";
import { preprocessingJSON, type Preprocessing } from "./preprocessing.js";
import type { parseBinary, toBinary } from "./binary.js";
import { parseModel, toJSON, matrices, vectors, walkLayers, type NetworkJSON, type ParsedModel } from "./serialize.js";
import { forward, backward, forwardChunks } from "./passes.js";
import { epochs, checkIdle, type EpochEvent, type Trainee } from "./epochs.js";
import { load, evaluateRows, evaluation, CHUNK, type Evaluation } from "./batches.js";
import { predictRow, predictRows, probabilityRow, checkProbabilities, type Prediction } from "./predict.js";
import { summaryText } from "./summary.js";
import { DataError, DisposedError, NablaError, OptionError, ShapeError, describe } from "./errors.js";
import { failWith } from "./check.js";

export type { Evaluation } from "./batches.js";
export type { EpochEvent, Verdict } from "./epochs.js";

/** ∂C_x/∂w and ∂C_x/∂b for one example, shaped like `weights` and `biases`. */
export interface Gradient {
  nablaW: number[][][];
  nablaB: number[][];
}

/**
 * The binary form's code (src/binary.ts), registered when that module loads: the Node entry
 * loads it, a page imports "nabla/binary" (it is left out of the page bundle's size budget).
 */
let binaryForm: { toBinary: typeof toBinary; parseBinary: typeof parseBinary } | null = null;
export function registerBinaryForm(form: typeof binaryForm): void { binaryForm = form; }
function binary(where: string): NonNullable<typeof binaryForm> {
  if (!binaryForm) throw new OptionError(where, "the binary form", 'loaded: import "nabla/binary" first (the Node entry loads it)', "not loaded");
  return binaryForm;
}

/**
 * The models fromJSON hands to the constructor, keyed by the options object fromJSON made for
 * that one call: no other constructor call (e.g. one a getter runs in between) can see it.
 */
const restoring = new WeakMap<object, ParsedModel>();

export class Network {
  // (The public fields are set once, together, by the constructor.)
  /** Neurons per layer, input first: [784, 30, 10]. */
  declare readonly sizes: readonly number[];
  /** Activation of each weight layer, the output layer last. */
  declare readonly activations: readonly Activation[];
  declare readonly cost: Cost;
  declare readonly init: Init;
  /** The seed the network was created with (drawn at random when none was given). */
  declare readonly seed: number;
  /** The backend computing: "wasm-relaxed", "wasm-simd", "wasm-scalar" or "js". */
  declare readonly backend: BackendName;
  /** What the outputs mean: "classification", "binary", "multi-label" or "regression" (src/task.ts). */
  declare readonly task: Task;
  /** Dropout probability per hidden layer, used in training only; null for none. */
  declare readonly dropout: readonly number[] | null;
  readonly #pre: Preprocessing | null;

  /** Memory, generator and optimizer state; the arena is dropped by dispose(). */
  #s: Trainee & { arena: Arena };
  #disposed = false;

  /**
   * A network with the given layer sizes, weights drawn from the seeded generator.
   * @param sizes neurons per layer, input first, at least two layers
   */
  constructor(sizes: readonly number[], options: NetworkOptions = {}) {
    const where = "new Network(sizes, options)";
    const restore = restoring.get(options);
    const o = resolveNetworkOptions(where, sizes, options);
    // A restored model: everything from the model, but a seed given now (else the saved one, else o's).
    if (restore) Object.assign(o, restore, { seed: options.seed ?? restore.seed ?? o.seed });
    let k, pool = null;
    try {
      // Threads: a threaded build over a shared memory, where this platform and build have one
      // (relaxed SIMD or SIMD); else one thread — silent in results, explicit in net.threads.
      // "auto" gives helper threads only to a network whose passes pay for a barrier at a batch
      // of 64 (THREAD_WORK.auto): a small one computes alone (split, it measured slower).
      const impl = threadsImpl(), build = buildOf(o.backend);
      const threads = impl && !(o.threads === "auto" && autoAlone(o.sizes)) ? impl.resolve(o.threads) : 1;
      if (threads > 1 && build && supports(build) && impl!.has(build)) {
        try {
          const t = impl!.create(build, threads, this);
          k = kernelsOf(`wasm-${build}`, t.exports, where);
          pool = t.pool;
        } catch {
          k = undefined; // no shared memory of that size here: one thread
        }
      }
      k ??= createKernels(o.backend, where);
    } catch (e) {
      if (e instanceof NablaError) throw e;
      // V8 reserves ~10 GiB of address space per WebAssembly.Memory: about 12,900 live networks fill 64-bit user space.
      throw new NablaError(where, "the network's memory", "a new WebAssembly memory", `a refusal from the engine (${(e as Error).message})`,
        "Each live network holds its own memory: dispose() those you no longer need, and drop references to them");
    }
    Object.assign(this, { sizes: Object.freeze(o.sizes), activations: Object.freeze(o.activations), cost: o.cost, init: o.init, seed: o.seed,
      backend: k.name, task: o.task, dropout: o.dropout && Object.freeze([...o.dropout]) });
    this.#pre = o.preprocessing;
    const arena = new Arena(where, k, this.sizes, o.activations.map(activationCode), costCode(o.cost));
    arena.pool = pool;
    arena.pre = this.#pre;
    arena.dropout = this.dropout;
    this.#s = { arena, rng: new Random(restore?.rng ?? o.seed), opt: { name: "sgd", t: 0 }, running: false, live: () => !this.#disposed,
      task: this.task, activations: this.activations };
    if (restore) {
      const F = arena.F, p = arena.plan;
      F.set(restore.params, p.params >>> 2);
      if (restore.optimizer) {
        this.#s.opt = { name: restore.optimizer.name, t: restore.optimizer.t };
        F.set(restore.optimizer.state1, p.opt1 >>> 2);
        if (restore.optimizer.state2) F.set(restore.optimizer.state2, p.opt2 >>> 2);
      }
    } else {
      this.#initialize();
    }
  }

  /** The input standardization x' = (x − mean) / std applied before the first layer (a copy), or null. */
  get preprocessing(): { mean: number[]; std: number[] } | null {
    return this.#pre && preprocessingJSON(this.#pre);
  }

  /** The arena, or a DisposedError. */
  #live(where: string): Arena {
    if (this.#disposed) throw new DisposedError(where);
    return this.#s.arena;
  }

  #initialize(): void {
    const n = this.#s.arena, F = n.F, p = n.plan, sizes = this.sizes, rng = this.#s.rng;
    // As network.py: all biases first, then all weights, each row-major.
    if (gaussianBiases(this.init)) rng.gaussians(F, p.b[0] >>> 2, p.biasesLen, 1);
    else F.fill(0, p.b[0] >>> 2, (p.b[0] >>> 2) + p.biasesLen);
    for (let l = 0; l < sizes.length - 1; l++) {
      rng.gaussians(F, p.w[l] >>> 2, sizes[l] * sizes[l + 1], initScale(this.init, sizes[l], sizes[l + 1]));
    }
  }

  // ---- training ---------------------------------------------------------------------------

  /**
   * Mini-batch stochastic gradient descent (network.py's SGD). Returns one record per epoch.
   * If the cost or a weight becomes NaN/Infinity, throws a DivergenceError after restoring the
   * network to its state at the start of the failing epoch. A throw from onEpoch/onProgress,
   * or data found bad during the call, also restores that state before it is rethrown.
   */
  train(data: Data, options: TrainOptions = {}): EpochStats[] {
    const where = "train(data, options)";
    const run = this.#epochs(where, data, options);
    const o = resolveTrainOptions(where, options, this);
    const history: EpochStats[] = [];
    for (let r = run.next(); !r.done; r = run.next()) {
      const e = r.value;
      let stop = false;
      try {
        if (e.type === "progress") o.onProgress?.(e.done, e.total);
        else {
          history.push(e.stats);
          stop = o.onEpoch?.(e.stats) === false; // a callback may stop training or dispose the network
        }
      } catch (err) {
        run.throw(err); // restores the epoch's start, then rethrows err
      }
      if (stop || this.#disposed) {
        run.return([]);
        break;
      }
    }
    return history;
  }

  /**
   * The epochs of `train(data, options)` one at a time, for callers that drive training
   * themselves (NetworkWorker, `nabla train`): a generator of events — `{ type: "progress",
   * epoch, done, total }` about 100 times per epoch, `{ type: "epoch", stats, verdict, eta }`
   * after each. `return()` stops (mid-epoch: that epoch is undone); `throw(e)` restores the
   * epoch's start and rethrows e. onEpoch/onProgress in options are not called (the caller
   * handles the events). Data and options are checked now, not at the first next(); errors
   * name the call this stands for, `train(data, options)`.
   */
  epochs(data: Data, options: TrainOptions = {}): Generator<EpochEvent, EpochStats[], void> {
    return this.#epochs("train(data, options)", data, options);
  }

  #epochs(where: string, data: Data, options: TrainOptions): Generator<EpochEvent, EpochStats[], void> {
    this.#live(where);
    checkIdle(this.#s, where);
    const o = resolveTrainOptions(where, options, this);
    const nIn = this.sizes[0], nOut = this.sizes[this.sizes.length - 1];
    if (o.validationSplit && options.testData !== undefined) {
      throw new OptionError(where, "options.validationSplit", "absent when options.testData is given (one or the other)", String(o.validationSplit));
    }
    let rows = toRows(where, "data", data, nIn, nOut, this.task);
    let test = options.testData !== undefined ? toRows(where, "options.testData", options.testData, nIn, nOut, this.task) : null;
    if (o.validationSplit) [rows, test] = holdOut(where, rows, o.validationSplit, nIn, nOut);
    if ((o.earlyStopping || o.patience || o.restoreBest) && !test) {
      throw new OptionError(where, "options.testData", "test data or a validationSplit (earlyStopping, schedule and restoreBest watch it)", "none");
    }
    this.#live(where); // a getter in the data may have disposed the network
    return epochs(this.#s, where, rows, test, o);
  }

  // ---- inference --------------------------------------------------------------------------

  /**
   * The task's metrics and the mean cost over data: accuracy for the classification tasks
   * (argmax for "classification", threshold 0.5 for "binary", per label for "multi-label");
   * mse, mae and r2 (and no accuracy) for "regression".
   */
  evaluate(data: Data): Evaluation {
    const where = "evaluate(data)";
    this.#live(where);
    const rows = toRows(where, "data", data, this.sizes[0], this.sizes[this.sizes.length - 1], this.task);
    return evaluation(this.task, evaluateRows(this.#live(where), where, rows, this.task));
  }

  /**
   * What the network predicts for one input: the class index ("classification", "binary"), a 0/1
   * vector ("multi-label") or the output values ("regression"). Preprocessing applies; dropout does not.
   */
  predict(x: Vector): Prediction {
    return predictRow(this.task, this.#outputs("predict(x)", x), 0, this.#nOut);
  }

  /** predict() for many inputs (rows of a Float32Array, or an array of vectors): one prediction per row. */
  predictBatch(inputs: Float32Array | readonly Vector[]): Prediction[] {
    const out = this.#feed("predictBatch(inputs)", inputs, undefined, false);
    return predictRows(this.task, out, out.length / this.#nOut, this.#nOut);
  }

  /**
   * Probabilities for one input: P(class 1) for "binary", the softmax distribution for
   * "classification" with a softmax output, P(label j) per output for "multi-label". An
   * OptionError for regression and for classification without a softmax output (their outputs
   * are not probabilities).
   */
  predictProba(x: Vector): number | number[] {
    return probabilityRow(this.task, this.#outputs(this.#proba("predictProba(x)"), x), 0, this.#nOut);
  }

  /** predictProba() for many inputs: one row (binary: one number) per input. */
  predictProbaBatch(inputs: Float32Array | readonly Vector[]): (number | number[])[] {
    const nOut = this.#nOut, out = this.#feed(this.#proba("predictProbaBatch(inputs)"), inputs, undefined, false);
    return Array.from({ length: out.length / nOut }, (_, r) => probabilityRow(this.task, out, r, nOut));
  }

  /** `where`, after refusing a disposed network and one whose outputs are not probabilities (predictProba*). */
  #proba(where: string): string {
    this.#live(where);
    checkProbabilities(where, this.task, this.activations.at(-1)!);
    return where;
  }

  /** Neurons in the output layer. */
  get #nOut(): number {
    return this.sizes.at(-1)!;
  }

  /** The layers (neurons, activation, parameters, dropout), the task, cost, initializer and backend, as text. */
  summary(): string {
    this.#live("summary()");
    return summaryText({ ...this.#model(), preprocessing: this.#pre !== null, backend: this.backend });
  }

  #outputs(where: string, x: Vector): Float32Array {
    this.#live(where);
    // One row, no targets: other vectors than a Float32Array are checked as they are copied, a Float32Array as it is loaded.
    const rows = oneRow(inputVector(where, "x", x, this.sizes[0]));
    const n = this.#live(where); // a getter in x may have disposed the network
    n.ensure(where, 1);
    load(n, where, rows, null, 0, 1);
    forward(n, 1);
    const aL = n.plan.a[this.sizes.length - 1] >>> 2;
    return n.F.slice(aL, aL + this.#nOut);
  }

  /** Output activations a^L for one input x (a new Float32Array); the network's preprocessing applies. */
  feedforward(x: Vector): Float32Array {
    return this.#outputs("feedforward(x)", x);
  }

  /**
   * Output activations for many inputs at once: `inputs` holds count rows of n_in (or is an
   * array of vectors, or a Dataset). Returns (or fills `out` with) count rows of n_out.
   */
  feedforwardBatch(inputs: Float32Array | readonly Vector[] | Dataset, out?: Float32Array): Float32Array {
    return this.#feed("feedforwardBatch(inputs, out)", inputs, out);
  }

  /** Outputs of many inputs (`sets`: a Dataset is one of the forms accepted; predictBatch takes rows and vectors only). */
  #feed(where: string, inputs: Float32Array | readonly Vector[] | Dataset, out?: Float32Array, sets = true): Float32Array {
    this.#live(where);
    const nIn = this.sizes[0], L = this.sizes.length - 1, nOut = this.sizes[L];
    let rows: Rows;
    if (inputs instanceof Float32Array) {
      if (inputs.length === 0 || inputs.length % nIn !== 0) {
        throw new ShapeError(where, "inputs", `a non-empty Float32Array whose length is a multiple of ${nIn}`, `length ${inputs.length}`);
      }
      // Finiteness is checked in wasm (kernels.allFinite), chunk by chunk, as the rows are loaded:
      // a JS pass over every input would cost as much as the forward pass itself.
      rows = { ...oneRow(inputs), count: inputs.length / nIn, arg: "inputs", at: (i, k) => `inputs[${i}][${k}]` };
    } else if (sets && inputs instanceof Dataset) {
      rows = toRows(where, "inputs", inputs, nIn, nOut);
    } else if (Array.isArray(inputs)) {
      rows = toRows(where, "inputs", inputs.map((x) => [x, 0] as const), nIn, nOut);
    } else {
      throw new DataError(where, "inputs", `a Float32Array of rows of ${nIn} or an array of vectors`, describe(inputs));
    }
    const n = this.#live(where); // a getter or Proxy trap in the inputs may have disposed the network
    const result = out ?? new Float32Array(rows.count * nOut);
    if (result.length !== rows.count * nOut) throw new ShapeError(where, "out", `a Float32Array of length ${rows.count * nOut}`, describe(out));
    const chunk = Math.min(rows.count, Math.max(CHUNK, n.plan.capacity));
    // A bad value is a DataError naming it; rows before its chunk may already be in `out`; the network is unchanged.
    forwardChunks(n, where, rows.count, chunk, (start, m, at, check) => load(n, where, rows, null, start, m, at, check), (start, m, at) => {
      const aL = (n.plan.a[L] >>> 2) + at * nOut;
      result.set(n.F.subarray(aL, aL + m * nOut), start * nOut);
    });
    return result;
  }

  /**
   * Gradient of the cost C_x of ONE example: { nablaW, nablaB } with nablaW[l][j][k] = ∂C_x/∂w^l_jk
   * and nablaB[l][j] = ∂C_x/∂b^l_j (network.py's backprop(x, y)). y is a vector, or a number read
   * as the task reads it: a class index (classification, multi-label) or the one output's value
   * (binary, regression). Dropout does not apply (no mask is drawn).
   */
  backprop(x: Vector, y: Vector | number): Gradient {
    const where = "backprop(x, y)";
    this.#live(where);
    const rows = toRows(where, "example", [[x, y]], this.sizes[0], this.#nOut, this.task);
    const n = this.#live(where);
    n.ensure(where, 1);
    load(n, where, rows, null, 0, 1);
    forward(n, 1);
    backward(n, 1);
    return { nablaW: matrices(n.F, this.sizes, n.plan.nablaW), nablaB: vectors(n.F, this.sizes, n.plan.nablaB) };
  }

  // ---- parameters and saving ----------------------------------------------------------------

  /** weights[l][j][k]: a copy, as nested arrays. Assign nested arrays of the same shape to set them. */
  get weights(): number[][][] {
    const n = this.#live("weights");
    return matrices(n.F, this.sizes, n.plan.w);
  }

  set weights(w: number[][][]) {
    this.#set("set weights", "weights", w, true);
  }

  /** biases[l][j]: a copy, as nested arrays. */
  get biases(): number[][] {
    const n = this.#live("biases");
    return vectors(n.F, this.sizes, n.plan.b);
  }

  set biases(b: number[][]) {
    this.#set("set biases", "biases", b, false);
  }

  /** The setters: v checked against the layer sizes (ShapeError, DataError) before any parameter changes. */
  #set(where: string, arg: string, v: unknown, weights: boolean): void {
    const p = this.#live(where).plan, out = new Float32Array(weights ? p.weightsLen : p.biasesLen);
    let i = 0;
    walkLayers(arg, v, this.sizes, weights, (x) => { out[i++] = x; }, failWith(ShapeError, where), failWith(DataError, where));
    const n = this.#live(where); // a getter in v may have disposed the network
    n.F.set(out, (weights ? n.plan.params : n.plan.b[0]) >>> 2);
  }

  /** The model this network computes (src/model.ts): what toJSON, toBinary and summary describe. */
  #model() {
    const { sizes, activations, cost, init, seed, task, dropout } = this;
    return { sizes, activations, cost, init, seed, task, dropout, preprocessing: this.#pre };
  }

  /** Everything needed to restore the network exactly, optimizer state and generator included. */
  toJSON(): NetworkJSON {
    const n = this.#live("toJSON()");
    return toJSON(this.#model(), n.F, n.plan, this.#s.rng.state, this.#s.opt);
  }

  /**
   * The binary form of `toJSON()`, for networks of any size (JSON text of one above ≈ 25 M
   * parameters exceeds V8's largest string): a small JSON header with everything toJSON has but
   * the parameter-sized arrays, then weights, biases, optimizer state and preprocessing as float32
   * little-endian (layout: src/binary.ts, docs/reliability.md). 4 bytes per value, no JS arrays.
   * `extra`: keys added to the header (e.g. the CLI's "dataset"), ignored by fromBinary.
   */
  toBinary(extra?: Record<string, unknown>): Uint8Array {
    const n = this.#live("toBinary()");
    return binary("toBinary()").toBinary(this.#model(), n.F, n.plan, this.#s.rng.state, this.#s.opt, extra);
  }

  /**
   * A network from `toBinary()` bytes, exactly as saved (bit for bit). The bytes are untrusted:
   * prefix, header (with fromJSON's checks) and the declared sizes against the buffer's length
   * are checked before anything is allocated; every failure is a ModelFormatError.
   */
  static fromBinary(bytes: Uint8Array, options: Pick<NetworkOptions, "backend" | "seed"> = {}): Network {
    return restored("Network.fromBinary(bytes, options)", options, ["backend", "seed"], (where) => binary(where).parseBinary(where, bytes));
  }

  /**
   * A network from `toJSON()` output (object or JSON text), or from Nielsen's network2.py
   * `save()` file. `options` as for the constructor; only `backend` and `seed` apply, the rest
   * comes from the model.
   */
  static fromJSON(json: unknown, options: Pick<NetworkOptions, "backend" | "seed" | "threads"> = {}): Network {
    return restored("Network.fromJSON(json, options)", options, ["backend", "seed", "threads"], (where) => parseModel(where, json));
  }

  /** Releases the network's memory now; any later call throws a DisposedError. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    // The helper threads end now (a network collected without dispose() ends them too: src/threads/index.ts).
    this.#s.arena.pool?.close();
    // Drop the arena (its memory goes with it); the shell left behind has no buffers.
    this.#s = { ...this.#s, arena: null as unknown as Arena };
  }

  /**
   * Threads computing for this network: what `threads` resolved to here — 1 with the scalar or js
   * backend, where shared memory is unavailable (a page that is not cross-origin isolated, a
   * page's main thread), and after a helper thread failed (the network goes on alone).
   */
  get threads(): number {
    return this.#disposed ? 1 : this.#s.arena.pool?.size ?? 1;
  }

  /** True once dispose() was called. */
  get disposed(): boolean {
    return this.#disposed;
  }
}

/**
 * fromJSON / fromBinary: the options (only `keys` apply) and the model `parse` reads, then the
 * network. The caller's options are read once, into an object of this call's own: the model is
 * keyed by it.
 */
function restored(where: string, options: unknown, keys: (keyof NetworkOptions)[], parse: (where: string) => ParsedModel): Network {
  const o = checkKeys(where, "options", options, keys), mine: Record<string, unknown> = {};
  const model = parse(where);
  for (const k of keys) mine[k] = o[k];
  restoring.set(mine, model);
  return new Network(model.sizes, mine);
}

/** A single Float32Array of rows without targets (feedforward, feedforwardBatch): checked as it is loaded. */
function oneRow(inputs: Float32Array): Rows {
  return { count: 1, inputs, scale: 1, outputs: null, labels: null, checked: false, arg: "x", expected: "a finite number", at: (_i, k) => `x[${k}]` };
}

/**
 * validationSplit: the last `fraction` of the rows (at least one, in the given order) become the
 * test rows, the rest the training rows — views on the same buffers, nothing copied.
 */
function holdOut(where: string, rows: Rows, fraction: number, nIn: number, nOut: number): [Rows, Rows] {
  const nTest = Math.max(1, Math.round(rows.count * fraction)), nTrain = rows.count - nTest;
  if (nTrain < 1) {
    throw new OptionError(where, "options.validationSplit", `a fraction that leaves training data (${rows.count} samples)`, String(fraction));
  }
  const part = (from: number, count: number, arg: string): Rows => ({
    ...rows,
    count,
    // Tensor rows: subarrays of the buffers; samples: their own per-row views, sliced.
    inputs: rows.inputs && rows.inputs.subarray(from * nIn, (from + count) * nIn),
    outputs: rows.outputs && rows.outputs.subarray(from * nOut, (from + count) * nOut),
    labels: rows.labels && rows.labels.subarray(from, from + count),
    views: rows.inputs ? undefined : { x: rows.views!.x.slice(from, from + count), y: null },
    words: undefined,
    arg,
    at: (i, k, output) => rows.at(from + i, k, output),
  });
  return [part(0, nTrain, rows.arg), part(nTrain, nTest, `${rows.arg} (validation part)`)];
}
