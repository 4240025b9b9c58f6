// The Network: Nielsen's network.py in shape (SGD → update_mini_batch → backprop),
// with each step one kernel call per layer over a whole mini-batch.
//
//   feedforward  z^l = w^l a^(l−1) + b^l,  a^l = σ(z^l)          kernels.forward
//   BP1          δ^L = ∇_a C ⊙ σ'(z^L)                           kernels.bp1
//   BP2          δ^l = ((w^(l+1))^T δ^(l+1)) ⊙ σ'(z^l)            kernels.bp2
//   BP3          ∂C/∂b^l_j = δ^l_j          (summed over the batch) kernels.bp3
//   BP4          ∂C/∂w^l_jk = a^(l−1)_k δ^l_j (summed over the batch) kernels.bp4
//   update       w → (1−ηλ/n) w − (η/m) Σ_x ∇w,  b → b − (η/m) Σ_x ∇b   kernels.sgd
//
// Layer index l here runs 0..L−1 over the weight layers: l = 0 is Nielsen's layer 2.
import { activationCode, costCode, type Activation, type BackendName, type Cost, type Kernels } from "./kernels.js";
import { createKernels } from "./wasm.js";
import { plan, parameterCount, MAX_BYTES, PAGE, type Plan } from "./arena.js";
import { Random } from "./random.js";
import { plateau, EARLY_STOP, SCHEDULE_DONE } from "./plateau.js";
import { toRows, argmax, finite32, type Data, type Rows, type Vector } from "./data.js";
import {
  checkSizes, resolveNetworkOptions, resolveTrainOptions, checkKeys,
  type NetworkOptions, type TrainOptions, type EpochStats, type Init, type Optimizer,
} from "./options.js";
import { parseModel, type NetworkJSON, type ParsedModel } from "./serialize.js";
import { DataError, DivergenceError, DisposedError, NablaError, OptionError, ShapeError, describe } from "./errors.js";

/** ∂C_x/∂w and ∂C_x/∂b for one example, shaped like `weights` and `biases`. */
export interface Gradient {
  nablaW: number[][][];
  nablaB: number[][];
}

export interface Evaluation {
  /** Samples whose largest output is the right class. */
  correct: number;
  total: number;
  accuracy: number;
  /** Mean cost per sample (without the regularization term). */
  cost: number;
}

/** Samples per forward call in evaluate / feedforwardBatch. */
const CHUNK = 256;
/** When set, the constructor restores this model instead of drawing random weights (see fromJSON). */
let restoring: ParsedModel | null = null;

export class Network {
  /** Neurons per layer, input first: [784, 30, 10]. */
  readonly sizes: readonly number[];
  /** Activation of each weight layer, the output layer last. */
  readonly activations: readonly Activation[];
  readonly cost: Cost;
  readonly init: Init;
  /** The seed the network was created with (drawn at random when none was given). */
  readonly seed: number;
  /** The backend computing: "wasm-relaxed", "wasm-simd", "wasm-scalar" or "js". */
  readonly backend: BackendName;

  #k: Kernels | null;
  #plan: Plan;
  #F: Float32Array;
  #rng: Random;
  #acts: number[];
  #cost: number;
  /** Which optimizer's state opt1/opt2 hold, and Adam's step count t. */
  #opt: { name: Optimizer["name"]; t: number } = { name: "sgd", t: 0 };

  /**
   * A network with the given layer sizes, weights drawn from the seeded generator.
   * @param sizes neurons per layer, input first, at least two layers
   */
  constructor(sizes: readonly number[], options: NetworkOptions = {}) {
    const where = "new Network(sizes, options)";
    const restore = restoring;
    restoring = null;
    const s = checkSizes(where, "sizes", sizes);
    const o = resolveNetworkOptions(where, s.length - 1, options);
    if (restore) {
      o.cost = restore.cost;
      o.activations = restore.activations;
      o.init = restore.init;
      if (restore.seed !== undefined && (options as NetworkOptions).seed === undefined) o.seed = restore.seed;
    }
    const need = plan(s, 1024, 1).end;
    if (need > MAX_BYTES) {
      throw new ShapeError(where, "sizes", "a network that fits in 4 GiB of WebAssembly memory",
        `${JSON.stringify(s)}, which would need ${(need / 2 ** 30).toFixed(1)} GiB (${parameterCount(s)} parameters, 7 buffers of each)`);
    }
    this.sizes = Object.freeze(s);
    this.activations = Object.freeze(o.activations);
    this.cost = o.cost;
    this.init = o.init;
    this.seed = o.seed;
    this.#acts = o.activations.map(activationCode);
    this.#cost = costCode(o.cost);
    try {
      this.#k = createKernels(o.backend, where);
    } catch (e) {
      if (e instanceof NablaError) throw e;
      // V8 reserves ~10 GiB of address space per WebAssembly.Memory: about 12,900 live networks fill 64-bit user space.
      throw new NablaError(where, "the network's memory", "a new WebAssembly memory", `a refusal from the engine (${(e as Error).message})`,
        "Every live network holds its own memory until it is garbage-collected: dispose() networks you no longer need and drop references to them");
    }
    this.backend = this.#k.name;
    this.#plan = plan(s, this.#k.heapBase(), 1);
    this.#F = new Float32Array(this.#k.memory.buffer);
    this.#grow(where, this.#plan.end);
    this.#rng = new Random(restore?.rng ?? o.seed);
    if (restore) {
      this.#heap().set(restore.params, this.#plan.params >>> 2);
      if (restore.optimizer) {
        const F = this.#heap();
        this.#opt = { name: restore.optimizer.name, t: restore.optimizer.t };
        F.set(restore.optimizer.state1, this.#plan.opt1 >>> 2);
        if (restore.optimizer.state2) F.set(restore.optimizer.state2, this.#plan.opt2 >>> 2);
      }
    } else {
      this.#initialize();
    }
  }

  // ---- memory ---------------------------------------------------------------------------

  /** The kernels, or a DisposedError. */
  #live(where: string): Kernels {
    if (!this.#k) throw new DisposedError(where);
    return this.#k;
  }

  /** The f32 view of linear memory, re-taken if the memory grew. */
  #heap(): Float32Array {
    const buf = this.#k!.memory.buffer;
    if (this.#F.buffer !== buf) this.#F = new Float32Array(buf);
    return this.#F;
  }

  #grow(where: string, bytes: number): void {
    const memory = this.#k!.memory;
    const have = memory.buffer.byteLength;
    if (bytes > have) {
      try {
        memory.grow(Math.ceil((bytes - have) / PAGE));
      } catch {
        throw new NablaError(where, "the network's memory", `${(bytes / 2 ** 20).toFixed(1)} MiB of WebAssembly memory`,
          "a refusal from the engine (out of memory)");
      }
    }
    this.#heap();
  }

  /** Makes the batch buffers hold at least m samples (parameters stay where they are). */
  #ensureCapacity(where: string, m: number): void {
    if (m <= this.#plan.capacity) return;
    const p = plan(this.sizes, this.#k!.heapBase(), m);
    if (p.end > MAX_BYTES) {
      throw new OptionError(where, "batch size", "a batch whose activations fit in 4 GiB", `${m} samples (${(p.end / 2 ** 30).toFixed(1)} GiB)`);
    }
    this.#grow(where, p.end);
    this.#plan = p;
  }

  #initialize(): void {
    const F = this.#heap(), p = this.#plan, sizes = this.sizes, rng = this.#rng;
    // As network.py: all biases first, then all weights, each row-major.
    const gaussianBiases = this.init === "nielsen" || this.init === "scaled";
    if (gaussianBiases) rng.gaussians(F, p.b[0] >>> 2, p.biasesLen, 1);
    else F.fill(0, p.b[0] >>> 2, (p.b[0] >>> 2) + p.biasesLen);
    for (let l = 0; l < sizes.length - 1; l++) {
      const nIn = sizes[l], nOut = sizes[l + 1];
      const std = this.init === "nielsen" ? 1 : this.init === "scaled" ? 1 / Math.sqrt(nIn)
        : this.init === "glorot" ? Math.sqrt(2 / (nIn + nOut)) : Math.sqrt(2 / nIn);
      rng.gaussians(F, p.w[l] >>> 2, nIn * nOut, std);
    }
  }

  // ---- the algorithm ----------------------------------------------------------------------

  /** Feedforward of the m samples in a[0], layer by layer. */
  #forward(m: number): void {
    const k = this.#k!, p = this.#plan, s = this.sizes;
    for (let l = 0; l < s.length - 1; l++) {
      k.forward(p.a[l + 1], p.w[l], p.b[l], p.a[l], s[l], s[l + 1], m, this.#acts[l]);
    }
  }

  /** BP1–BP4 for the m samples whose activations and targets are in place: fills nablaW, nablaB (summed over the batch). */
  #backward(m: number): void {
    const k = this.#k!, p = this.#plan, s = this.sizes, L = s.length - 1;
    k.bp1(p.delta[L - 1], p.a[L], p.y, s[L], m, this.#acts[L - 1], this.#cost);
    for (let l = L - 1; l >= 0; l--) {
      k.bp3(p.nablaB[l], p.delta[l], s[l + 1], m);
      k.bp4(p.nablaW[l], p.delta[l], p.a[l], s[l], s[l + 1], m);
      if (l > 0) k.bp2(p.delta[l - 1], p.delta[l], p.w[l], p.a[l], s[l], s[l + 1], m, this.#acts[l - 1]);
    }
  }

  /**
   * BP1–BP4 fused with the plain SGD step (kernels.bp4sgd does BP3, BP4 and the update of one
   * layer in a single pass, so ∇w never goes through memory). Bit-identical to #backward then
   * #update with "sgd" (test/fused.test.ts).
   */
  #backwardSgd(m: number, eta: number, lambda: number, l1: number, n: number): void {
    const k = this.#k!, p = this.#plan, s = this.sizes, L = s.length - 1;
    const scale = eta / m, decay = 1 - (eta * lambda) / n, l1s = (eta * l1) / n;
    k.bp1(p.delta[L - 1], p.a[L], p.y, s[L], m, this.#acts[L - 1], this.#cost);
    for (let l = L - 1; l >= 0; l--) {
      // δ^(l−1) needs w^l before the step changes it.
      if (l > 0) k.bp2(p.delta[l - 1], p.delta[l], p.w[l], p.a[l], s[l], s[l + 1], m, this.#acts[l - 1]);
      k.bp4sgd(p.w[l], p.b[l], p.delta[l], p.a[l], s[l], s[l + 1], m, scale, decay, l1s);
    }
  }

  /**
   * One momentum or Adam step from the summed gradients of m samples, n = training-set size.
   * (Plain SGD is fused into #backwardSgd; kernels.sgd stays as its unfused reference, tested
   * against it in test/fused.test.ts.)
   */
  #update(m: number, eta: number, lambda: number, l1: number, n: number, opt: Optimizer): void {
    const k = this.#k!, p = this.#plan;
    const scale = eta / m, decay = 1 - (eta * lambda) / n, l1s = (eta * l1) / n;
    const wb = p.weightsLen * 4; // byte offset of the biases within each block
    if (opt.name === "momentum") {
      k.momentum(p.params, p.opt1, p.grads, p.weightsLen, opt.mu, scale, decay, l1s);
      k.momentum(p.params + wb, p.opt1 + wb, p.grads + wb, p.biasesLen, opt.mu, scale, 1, 0);
    } else {
      const t = ++this.#opt.t;
      const lrt = (eta * Math.sqrt(1 - opt.beta2 ** t)) / (1 - opt.beta1 ** t);
      k.adam(p.params, p.opt1, p.opt2, p.grads, p.weightsLen, 1 / m, lrt, opt.beta1, opt.beta2, opt.epsilon, decay, l1s);
      k.adam(p.params + wb, p.opt1 + wb, p.opt2 + wb, p.grads + wb, p.biasesLen, 1 / m, lrt, opt.beta1, opt.beta2, opt.epsilon, 1, 0);
    }
  }

  /**
   * Copies rows idx[start .. start+m) of the data into a[0] and y (one-hot for class labels; none
   * without targets). With idx, `views` holds each row's view, made once per train() call
   * (rowViews), so the per-row copies allocate nothing; without idx the rows are contiguous.
   */
  #load(rows: Rows, idx: Uint32Array | null, start: number, m: number, views: RowViews | null = null): void {
    const F = this.#heap(), nIn = this.sizes[0], nOut = this.sizes[this.sizes.length - 1];
    const x0 = this.#plan.a[0] >>> 2, y0 = this.#plan.y >>> 2;
    const { inputs, outputs, labels } = rows;
    // Float32Array → Float32Array set() is a memcpy: one per batch in order, one per row when shuffled.
    if (!idx) {
      F.set(inputs.subarray(start * nIn, (start + m) * nIn), x0);
      if (outputs) F.set(outputs.subarray(start * nOut, (start + m) * nOut), y0);
    } else {
      const { x, y } = views!;
      for (let r = 0; r < m; r++) {
        const i = idx[start + r];
        F.set(x[i], x0 + r * nIn);
        if (y) F.set(y[i], y0 + r * nOut);
      }
    }
    if (!outputs && labels) {
      F.fill(0, y0, y0 + m * nOut);
      for (let r = 0; r < m; r++) F[y0 + r * nOut + labels![idx ? idx[start + r] : start + r]] = 1;
    }
  }

  /** How many of the m loaded samples the network classifies right (argmax of a^L). */
  #countCorrect(rows: Rows, start: number, m: number): number {
    const F = this.#heap(), nOut = this.sizes[this.sizes.length - 1], aL = this.#plan.a[this.sizes.length - 1] >>> 2;
    let correct = 0;
    for (let r = 0; r < m; r++) {
      const guess = argmax(F, aL + r * nOut, nOut);
      const truth = rows.labels ? rows.labels[start + r] : argmax(rows.outputs!, (start + r) * nOut, nOut);
      if (guess === truth) correct++;
    }
    return correct;
  }

  #evaluateRows(where: string, rows: Rows): Evaluation {
    const k = this.#k!, L = this.sizes.length - 1;
    const chunk = Math.min(rows.count, Math.max(CHUNK, this.#plan.capacity));
    this.#ensureCapacity(where, chunk);
    let correct = 0, cost = 0;
    for (let start = 0; start < rows.count; start += chunk) {
      const m = Math.min(chunk, rows.count - start);
      this.#load(rows, null, start, m);
      this.#forward(m);
      cost += k.cost(this.#plan.a[L], this.#plan.y, this.sizes[L], m, this.#cost);
      correct += this.#countCorrect(rows, start, m);
    }
    return { correct, total: rows.count, accuracy: correct / rows.count, cost: cost / rows.count };
  }

  // ---- public API -------------------------------------------------------------------------

  /**
   * Mini-batch stochastic gradient descent (network.py's SGD). Returns one record per epoch.
   * If the cost or a weight becomes NaN/Infinity, throws a DivergenceError after restoring the
   * network to its state at the start of the failing epoch.
   */
  train(data: Data, options: TrainOptions = {}): EpochStats[] {
    const where = "train(data, options)";
    const k = this.#live(where);
    const o = resolveTrainOptions(where, options);
    const nIn = this.sizes[0], L = this.sizes.length - 1, nOut = this.sizes[L];
    const rows = toRows(where, "data", data, nIn, nOut);
    const test = options.testData !== undefined ? toRows(where, "options.testData", options.testData, nIn, nOut) : null;
    if ((o.earlyStopping || o.patience) && !test) {
      throw new OptionError(where, "options.testData", "test data (early stopping and the schedule watch test accuracy)", "none");
    }
    // Size the batch buffers once for training and evaluation, so the plan stays fixed below.
    const evalChunk = (r: Rows | null) => (r ? Math.min(r.count, CHUNK) : 0);
    this.#ensureCapacity(where, Math.max(Math.min(o.batchSize, rows.count), evalChunk(test), o.monitorTraining ? evalChunk(rows) : 0));
    const p = this.#plan, n = rows.count, m = o.batchSize;
    // A different optimizer starts from zero state: done in epoch 0 after the snapshot, so a
    // divergence in epoch 0 restores the previous optimizer's state (a failed call changes nothing).
    const switchOptimizer = o.optimizer.name !== this.#opt.name;
    const idx = new Uint32Array(n), views = rowViews(rows, nIn, nOut);
    const stateBytes = p.snapshot - p.params;
    const history: EpochStats[] = [];
    const progressEvery = Math.max(1, Math.ceil(n / m / 100));
    const watch = plateau(o.eta, o.earlyStopping, o.patience);
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const t0 = performance.now(), eta = watch.eta;
      // Snapshot for the divergence guard: parameters, optimizer state, generator, Adam's t.
      new Uint8Array(k.memory.buffer).copyWithin(p.snapshot, p.params, p.params + stateBytes);
      const rngBefore = Uint32Array.from(this.#rng.state), optBefore = { ...this.#opt };
      const restore = (batch: number): never => {
        new Uint8Array(k.memory.buffer).copyWithin(p.params, p.snapshot, p.snapshot + stateBytes);
        this.#rng.state.set(rngBefore);
        this.#opt = optBefore;
        throw new DivergenceError(where, epoch, batch, eta, history);
      };
      if (epoch === 0 && switchOptimizer) {
        this.#heap().fill(0, p.opt1 >>> 2, p.snapshot >>> 2);
        this.#opt = { name: o.optimizer.name, t: 0 };
      }
      // Each epoch's order depends only on the generator state (not on earlier epochs' orders),
      // so training stopped after any epoch and resumed from toJSON() continues exactly.
      for (let i = 0; i < n; i++) idx[i] = i;
      if (o.shuffle) this.#rng.shuffle(idx);
      let costSum = 0;
      for (let start = 0, batch = 0; start < n; start += m, batch++) {
        const mb = Math.min(m, n - start);
        this.#load(rows, idx, start, mb, views);
        this.#forward(mb);
        // this.#plan, not p: an onEpoch/onProgress callback may have grown the batch buffers.
        const c = k.cost(this.#plan.a[L], this.#plan.y, nOut, mb, this.#cost);
        if (!Number.isFinite(c)) restore(batch);
        costSum += c;
        if (o.optimizer.name === "sgd") this.#backwardSgd(mb, eta, o.lambda, o.l1, n);
        else {
          this.#backward(mb);
          this.#update(mb, eta, o.lambda, o.l1, n, o.optimizer);
        }
        if (o.onProgress && batch % progressEvery === 0) {
          o.onProgress(start + mb, n);
          if (this.disposed) return history;
        }
      }
      if (!k.allFinite(p.params, p.paramsLen)) restore(-1);
      const seconds = (performance.now() - t0) / 1000;
      const stats: EpochStats = { epoch, cost: costSum / n, eta, seconds, samplesPerSecond: n / seconds };
      if (o.monitorTraining) {
        const e = this.#evaluateRows(where, rows);
        stats.trainingCost = e.cost;
        stats.trainingAccuracy = e.accuracy;
      }
      if (test) {
        const e = this.#evaluateRows(where, test);
        Object.assign(stats, { testCost: e.cost, correct: e.correct, total: e.total, accuracy: e.accuracy });
      }
      history.push(stats);
      if (o.onEpoch?.(stats) === false || this.disposed) break; // a callback may stop training or dispose the network
      if (test) {
        const verdict = watch.next(stats.accuracy!);
        if (verdict === EARLY_STOP || verdict === SCHEDULE_DONE) break;
      }
    }
    return history;
  }

  /** Accuracy (argmax of the output vs. the label or argmax of y) and mean cost over data. */
  evaluate(data: Data): Evaluation {
    const where = "evaluate(data)";
    this.#live(where);
    const L = this.sizes.length - 1;
    return this.#evaluateRows(where, toRows(where, "data", data, this.sizes[0], this.sizes[L]));
  }

  /** Output activations a^L for one input x (a new Float32Array). */
  feedforward(x: Vector): Float32Array {
    const where = "feedforward(x)";
    this.#live(where);
    // vectorToF32 checks length and float32 finiteness; one row, no targets.
    const rows: Rows = { count: 1, inputs: vectorToF32(where, "x", x, this.sizes[0]), outputs: null, labels: null };
    this.#ensureCapacity(where, 1);
    this.#load(rows, null, 0, 1);
    this.#forward(1);
    const aL = this.#plan.a[this.sizes.length - 1] >>> 2;
    return this.#heap().slice(aL, aL + this.sizes.at(-1)!);
  }

  /**
   * Output activations for many inputs at once: `inputs` holds count rows of n_in (or is an
   * array of vectors). Returns (or fills `out` with) count rows of n_out.
   */
  feedforwardBatch(inputs: Float32Array | readonly Vector[], out?: Float32Array): Float32Array {
    const where = "feedforwardBatch(inputs, out)";
    this.#live(where);
    const nIn = this.sizes[0], L = this.sizes.length - 1, nOut = this.sizes[L];
    let rows: Rows;
    if (inputs instanceof Float32Array) {
      if (inputs.length === 0 || inputs.length % nIn !== 0) {
        throw new ShapeError(where, "inputs", `a non-empty Float32Array whose length is a multiple of ${nIn}`, `length ${inputs.length}`);
      }
      // Finiteness is checked in wasm (kernels.allFinite), chunk by chunk, once the rows are in
      // linear memory: a JS pass over every input would cost as much as the forward pass itself.
      rows = { count: inputs.length / nIn, inputs, outputs: null, labels: null };
    } else if (Array.isArray(inputs)) {
      rows = toRows(where, "inputs", inputs.map((x) => [x, 0] as const), nIn, nOut);
    } else {
      throw new DataError(where, "inputs", `a Float32Array of rows of ${nIn} or an array of vectors`, describe(inputs));
    }
    const k = this.#k!;
    const result = out ?? new Float32Array(rows.count * nOut);
    if (result.length !== rows.count * nOut) throw new ShapeError(where, "out", `a Float32Array of length ${rows.count * nOut}`, describe(out));
    const chunk = Math.min(rows.count, Math.max(CHUNK, this.#plan.capacity));
    this.#ensureCapacity(where, chunk);
    for (let start = 0; start < rows.count; start += chunk) {
      const m = Math.min(chunk, rows.count - start);
      this.#load(rows, null, start, m);
      if (!k.allFinite(this.#plan.a[0], m * nIn)) {
        // Name the first bad value. Rows before this chunk may already be in `out`; the network is unchanged.
        const from = start * nIn, bad = rows.inputs.subarray(from, from + m * nIn).findIndex((v) => !Number.isFinite(v));
        throw new DataError(where, `inputs[${start + Math.floor(bad / nIn)}][${bad % nIn}]`, "a finite number", describe(rows.inputs[from + bad]));
      }
      this.#forward(m);
      const aL = this.#plan.a[L] >>> 2;
      result.set(this.#heap().subarray(aL, aL + m * nOut), start * nOut);
    }
    return result;
  }

  /**
   * Gradient of the cost C_x of ONE example: { nablaW, nablaB } with nablaW[l][j][k] = ∂C_x/∂w^l_jk
   * and nablaB[l][j] = ∂C_x/∂b^l_j (network.py's backprop(x, y)). y is a vector or a class index.
   */
  backprop(x: Vector, y: Vector | number): Gradient {
    const where = "backprop(x, y)";
    this.#live(where);
    const rows = toRows(where, "example", [[x, y]], this.sizes[0], this.sizes.at(-1)!);
    this.#ensureCapacity(where, 1);
    this.#load(rows, null, 0, 1);
    this.#forward(1);
    this.#backward(1);
    const F = this.#heap(), p = this.#plan;
    return { nablaW: this.#matrices(F, p.nablaW), nablaB: this.#vectors(F, p.nablaB) };
  }

  #matrices(F: Float32Array, at: readonly number[]): number[][][] {
    return at.map((off, l) => {
      const nIn = this.sizes[l], nOut = this.sizes[l + 1], base = off >>> 2;
      const m: number[][] = new Array(nOut);
      for (let j = 0; j < nOut; j++) m[j] = Array.from(F.subarray(base + j * nIn, base + (j + 1) * nIn), plusZero);
      return m;
    });
  }

  #vectors(F: Float32Array, at: readonly number[]): number[][] {
    return at.map((off, l) => Array.from(F.subarray(off >>> 2, (off >>> 2) + this.sizes[l + 1]), plusZero));
  }

  /** weights[l][j][k]: a copy, as nested arrays. Assign nested arrays of the same shape to set them. */
  get weights(): number[][][] {
    this.#live("weights");
    return this.#matrices(this.#heap(), this.#plan.w);
  }

  set weights(w: number[][][]) {
    const where = "set weights";
    this.#live(where);
    const flat = flatten(where, "weights", w, this.sizes.slice(1).map((n, l) => [n, this.sizes[l]]));
    this.#heap().set(flat, this.#plan.params >>> 2);
  }

  /** biases[l][j]: a copy, as nested arrays. */
  get biases(): number[][] {
    this.#live("biases");
    return this.#vectors(this.#heap(), this.#plan.b);
  }

  set biases(b: number[][]) {
    const where = "set biases";
    this.#live(where);
    const flat = flatten(where, "biases", b, this.sizes.slice(1).map((n) => [n]));
    this.#heap().set(flat, this.#plan.b[0] >>> 2);
  }

  /** Everything needed to restore the network exactly, optimizer state and generator included. */
  toJSON(): NetworkJSON {
    this.#live("toJSON()");
    const hidden = this.activations.slice(0, -1);
    const json: NetworkJSON = {
      format: "nabla",
      version: 1,
      sizes: [...this.sizes],
      activation: hidden.length > 0 && hidden.every((a) => a === hidden[0]) ? hidden[0] : [...hidden],
      output: this.activations.at(-1)!,
      cost: this.cost,
      init: this.init,
      seed: this.seed,
      weights: this.weights,
      biases: this.biases,
      rng: Array.from(this.#rng.state),
    };
    if (this.#opt.name !== "sgd") {
      const F = this.#heap(), p = this.#plan;
      json.optimizer = {
        name: this.#opt.name,
        t: this.#opt.t,
        state1: Array.from(F.subarray(p.opt1 >>> 2, (p.opt1 >>> 2) + p.paramsLen), plusZero),
      };
      if (this.#opt.name === "adam") json.optimizer.state2 = Array.from(F.subarray(p.opt2 >>> 2, (p.opt2 >>> 2) + p.paramsLen), plusZero);
    }
    return json;
  }

  /**
   * A network from `toJSON()` output (object or JSON text), or from Nielsen's network2.py
   * `save()` file. `options` as for the constructor; only `backend` and `seed` apply, the rest
   * comes from the model.
   */
  static fromJSON(json: unknown, options: Pick<NetworkOptions, "backend" | "seed"> = {}): Network {
    const where = "Network.fromJSON(json, options)";
    const o = checkKeys(where, "options", options, ["backend", "seed"]);
    const model = parseModel(where, json);
    restoring = model;
    try {
      return new Network(model.sizes, { backend: o.backend as NetworkOptions["backend"], seed: o.seed as number | undefined });
    } finally {
      restoring = null;
    }
  }

  /** Releases the network's memory now; any later call throws a DisposedError. */
  dispose(): void {
    this.#k = null;
    this.#F = new Float32Array(0);
  }

  /** True once dispose() was called. */
  get disposed(): boolean {
    return this.#k === null;
  }
}

/** −0 → +0 (JSON text has no −0; toJSON must write what fromJSON will read back). */
const plusZero = (v: number): number => v + 0;

/** One Float32Array view per row of inputs (and outputs), for copying shuffled rows without allocating. */
interface RowViews {
  x: Float32Array[];
  y: Float32Array[] | null;
}

function rowViews(rows: Rows, nIn: number, nOut: number): RowViews {
  const x: Float32Array[] = new Array(rows.count);
  for (let i = 0; i < rows.count; i++) x[i] = rows.inputs.subarray(i * nIn, (i + 1) * nIn);
  let y: Float32Array[] | null = null;
  if (rows.outputs) {
    y = new Array(rows.count);
    for (let i = 0; i < rows.count; i++) y[i] = rows.outputs.subarray(i * nOut, (i + 1) * nOut);
  }
  return { x, y };
}

function vectorToF32(where: string, arg: string, x: unknown, n: number): Float32Array {
  if (!(Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView))) || (x as ArrayLike<number>).length !== n) {
    throw new ShapeError(where, arg, `a vector of length ${n} (the network's input size)`, describe(x));
  }
  const v = x as ArrayLike<number>, out = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const x = v[k];
    if (!finite32(x)) throw new DataError(where, `${arg}[${k}]`, "a finite number (within the float32 range)", describe(x));
    out[k] = x;
  }
  return out;
}

/** Checks nested arrays against per-layer shapes ([rows, cols] or [len]) and flattens them in order. */
function flatten(where: string, arg: string, v: unknown, shapes: number[][]): Float32Array {
  if (!Array.isArray(v) || v.length !== shapes.length) throw new ShapeError(where, arg, `an array of ${shapes.length} layers`, describe(v));
  let total = 0;
  for (const s of shapes) total += s.reduce((a, b) => a * b, 1);
  const out = new Float32Array(total);
  let p = 0;
  const leaf = (x: unknown, path: string) => {
    if (!finite32(x)) throw new DataError(where, path, "a finite number (within the float32 range)", describe(x));
    out[p++] = x;
  };
  shapes.forEach((s, l) => {
    const layer = v[l];
    if (!Array.isArray(layer) || layer.length !== s[0]) throw new ShapeError(where, `${arg}[${l}]`, `an array of ${s[0]}`, describe(layer));
    layer.forEach((row: unknown, j: number) => {
      if (s.length === 1) return leaf(row, `${arg}[${l}][${j}]`);
      if (!Array.isArray(row) || row.length !== s[1]) throw new ShapeError(where, `${arg}[${l}][${j}]`, `an array of ${s[1]}`, describe(row));
      row.forEach((x: unknown, k: number) => leaf(x, `${arg}[${l}][${j}][${k}]`));
    });
  });
  return out;
}
