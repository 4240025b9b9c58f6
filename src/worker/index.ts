// NetworkWorker: a Network that lives in a Web Worker (browsers) or a worker_threads
// Worker (Node), so training never blocks the page. Every method returns a promise;
// onEpoch / onProgress run on the calling thread. The worker script is ./entry.js next to
// this file, located with `new URL(..., import.meta.url)` (Vite and webpack bundle it
// without configuration; elsewhere pass `worker`).
import type { NetworkOptions, TrainOptions, EpochStats, Init } from "../options.js";
import type { Evaluation } from "../network.js";
import type { Data, Vector } from "../data.js";
import type { Activation, BackendName, Cost } from "../kernels.js";
import type { NetworkJSON } from "../serialize.js";
import { NablaError, OptionError } from "../errors.js";
import { fromWire, type Op, type Reply } from "./protocol.js";
import type { Dataset, WireDataset } from "../dataset.js";

/** Dataset's wire method (src/dataset.ts WIRE), by its registered symbol: no import of the library here. */
const WIRE = Symbol.for("nabla.dataset.wire");
const isDataset = (d: unknown): d is Dataset & { [WIRE](): WireDataset } =>
  d !== null && typeof d === "object" && typeof (d as Record<symbol, unknown>)[WIRE] === "function";

// What this engine can run, for a page that lists backends before it starts a worker. Only
// the feature probes come along: bundlers (and dist/min/worker.js) leave the library out.
export { availableBackends } from "../probes.js";
// The error classes a failed call rejects with, for pages that import only this client.
export {
  NablaError, ShapeError, DataError, OptionError, ModelFormatError, BackendError, DisposedError, DivergenceError,
} from "../errors.js";

/** The parts of a Web Worker or a worker_threads Worker that NetworkWorker uses. */
interface Endpoint {
  post(msg: unknown, transfer: Transferable[]): void;
  terminate(): void;
  /** Node only: let the process exit while no call is pending. */
  hold?(busy: boolean): void;
}

export interface NetworkWorkerOptions extends NetworkOptions {
  /**
   * Where the worker comes from. Default: a new module worker running ./entry.js next to
   * this module. Give a URL (or string) of entry.js when a bundler did not copy it, or a
   * Worker you made with `new Worker(url, { type: "module" })`.
   */
  worker?: URL | string | Worker;
}

export interface WorkerTrainOptions extends Omit<TrainOptions, "onProgress"> {
  /** Called on this thread about 100 times per epoch. */
  onProgress?: (done: number, total: number, epoch: number) => void;
  /**
   * Move (transfer) the typed arrays' buffers of data and testData to the worker instead of
   * copying them. Faster for large data; the arrays here become empty (detached). Default false.
   */
  transfer?: boolean;
}

type Pending = {
  where: string;
  resolve(v: unknown): void;
  reject(e: Error): void;
  onEvent?(r: Reply): void;
};

const IS_WEB = typeof Worker === "function";

async function spawn(where: string, source: NetworkWorkerOptions["worker"], onMessage: (r: Reply) => void,
                     onFail: (e: Error) => void): Promise<Endpoint> {
  if (IS_WEB) {
    const w: Worker = source instanceof Worker ? source
      : source !== undefined ? new Worker(source, { type: "module" })
      : new Worker(new URL("./entry.js", import.meta.url), { type: "module" });
    w.addEventListener("message", (e) => onMessage(e.data));
    w.addEventListener("error", (e) => onFail(new NablaError(where, "the worker script", "a script that loads",
      `an error: ${e.message || "it could not be loaded (serve nabla's worker entry.js next to the importing script, or pass options.worker; see docs/web.md)"}`)));
    w.addEventListener("messageerror", () => onFail(new Error(`${where}: a message from the worker could not be read`)));
    return { post: (m, t) => w.postMessage(m, t), terminate: () => w.terminate() };
  }
  // Node: worker_threads, loaded lazily and hidden from bundlers (they never take this branch).
  const spec = "node:worker_threads";
  const wt = (await import(/* webpackIgnore: true */ /* @vite-ignore */ spec)) as typeof import("node:worker_threads");
  if (source !== undefined && !(source instanceof URL) && typeof source !== "string") {
    throw new OptionError(where, "options.worker", "a URL or path of entry.js (in Node)", "a Worker object");
  }
  // The file name in a variable: bundlers would otherwise emit an unbundled copy of entry.js
  // (Vite does, for `new URL("<literal>", import.meta.url)`) that no page ever loads.
  const entry = "./entry.js";
  const w = new wt.Worker(source ?? new URL(entry, import.meta.url));
  w.on("message", onMessage);
  w.on("error", (e) => onFail(e instanceof Error ? e : new Error(String(e))));
  w.on("exit", (code) => onFail(new Error(`${where}: the worker exited (code ${code})`)));
  return {
    post: (m, t) => w.postMessage(m, t as never),
    terminate: () => void w.terminate(),
    hold: (busy) => (busy ? w.ref() : w.unref()),
  };
}

/** Buffers of the typed arrays in data ({ inputs, outputs, labels } or samples), each once. */
function buffers(data: unknown, into: Set<ArrayBuffer>): void {
  const add = (v: unknown) => {
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer && v.buffer.byteLength > 0) into.add(v.buffer);
  };
  if (Array.isArray(data)) {
    for (const s of data) {
      if (Array.isArray(s)) s.forEach(add);
      else if (s && typeof s === "object") { add((s as { input?: unknown }).input); add((s as { output?: unknown }).output); }
    }
  } else if (data && typeof data === "object") {
    const d = data as Record<string, unknown>;
    add(d.inputs); add(d.outputs); add(d.labels);
  }
}

export class NetworkWorker {
  /** Neurons per layer, input first. */
  readonly sizes!: readonly number[];
  /** Activation of each weight layer, the output layer last. */
  readonly activations!: readonly Activation[];
  readonly cost!: Cost;
  readonly init!: Init;
  readonly seed!: number;
  /** The backend computing in the worker. */
  readonly backend!: BackendName;
  /**
   * Threads computing in the worker (`net.threads` there): what `threads` resolved to — 1 in a
   * page that is not cross-origin isolated, with the scalar and js backends, and after a helper
   * thread failed (docs/web.md).
   */
  readonly threads!: number;

  #ep: Endpoint | null = null;
  #next = 1;
  #pending = new Map<number, Pending>();
  #failed: Error | null = null;
  /** Data sets already sent to the worker, by the id it keeps them under. */
  #datasets = new WeakMap<Dataset, number>();

  private constructor() {}

  /** A network like `new Network(sizes, options)`, in a new worker. */
  static create(sizes: readonly number[], options: NetworkWorkerOptions = {}): Promise<NetworkWorker> {
    return NetworkWorker.#start("NetworkWorker.create(sizes, options)", options, "create", (o) => [sizes, o]);
  }

  /** A network like `Network.fromJSON(json, options)`, in a new worker. */
  static fromJSON(json: unknown, options: Pick<NetworkWorkerOptions, "backend" | "seed" | "threads" | "worker"> = {}): Promise<NetworkWorker> {
    return NetworkWorker.#start("NetworkWorker.fromJSON(json, options)", options, "fromJSON", (o) => [json, o]);
  }

  static async #start(where: string, options: NetworkWorkerOptions, op: Op, args: (o: unknown) => unknown[]): Promise<NetworkWorker> {
    let rest: unknown = options, source: NetworkWorkerOptions["worker"];
    if (options !== null && typeof options === "object" && !Array.isArray(options) && "worker" in options) {
      ({ worker: source, ...rest } = options);
    }
    const t = new NetworkWorker();
    const ready = new Promise((resolve, reject) => t.#pending.set(0, { where, resolve, reject }));
    t.#ep = await spawn(where, source, (r) => t.#receive(r), (e) => t.#fail(e));
    t.#ep.hold?.(true);
    try {
      await ready;
      const d = (await t.#call(where, op, args(rest))) as Record<string, unknown>;
      Object.assign(t, { ...d, sizes: Object.freeze(d.sizes), activations: Object.freeze(d.activations) });
    } catch (e) {
      t.terminate();
      throw e;
    }
    return t;
  }

  #receive(r: Reply): void {
    const p = this.#pending.get(r.id);
    if (!p) return;
    if ("event" in r) return p.onEvent?.(r);
    this.#pending.delete(r.id);
    this.#ep?.hold?.(this.#pending.size > 0);
    if (r.ok) p.resolve(r.result);
    else {
      if (r.threads) (this as { threads: number }).threads = r.threads;
      p.reject(fromWire(r.error));
    }
  }

  #fail(e: Error): void {
    if (this.#failed) return;
    this.#failed = e;
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
    this.#ep?.terminate();
    this.#ep = null;
  }

  /**
   * A data set as the worker knows it: sent (copied) on first use, then named by its id, so
   * later calls with the same data set send nothing.
   */
  async #data(where: string, d: unknown): Promise<unknown> {
    if (!isDataset(d)) return d;
    let id = this.#datasets.get(d);
    if (id === undefined) {
      id = this.#next; // the worker keeps it under the request's id
      await this.#call(where, "dataset", [id, d[WIRE]()]);
      this.#datasets.set(d, id);
    }
    return { dataset: id };
  }

  #call(where: string, op: Op, args: unknown[], transfer: Transferable[] = [], onEvent?: Pending["onEvent"]): Promise<unknown> {
    if (!this.#ep) {
      return Promise.reject(this.#failed ?? terminated(where));
    }
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      try {
        this.#ep!.post({ id, op, args }, transfer);
      } catch (e) {
        // e.g. a DataCloneError: a function or other value that cannot be sent to a worker.
        return reject(new NablaError(where, "the arguments", "values a worker can receive (numbers, arrays, typed arrays, plain objects)",
          `values it cannot (${(e as Error).message})`));
      }
      this.#pending.set(id, { where, resolve, reject, onEvent });
      this.#ep!.hold?.(true);
    });
  }

  /**
   * Trains in the worker, like `net.train(data, options)`; the page stays responsive.
   * Resolves with one record per epoch. `onEpoch` returning false, or `cancel()`, stops
   * after the current epoch. With `transfer: true` the data's buffers move to the worker.
   */
  async train(data: Data, options: WorkerTrainOptions = {}): Promise<EpochStats[]> {
    const where = "train(data, options)";
    data = (await this.#data(where, data)) as Data;
    let send: unknown = options, onEpoch: TrainOptions["onEpoch"], onProgress: WorkerTrainOptions["onProgress"];
    const transfer = new Set<ArrayBuffer>();
    if (options !== null && typeof options === "object" && !Array.isArray(options)) {
      const o: Record<string, unknown> = { ...options };
      if (typeof o.onEpoch === "function") { onEpoch = o.onEpoch as never; delete o.onEpoch; o.waitEpoch = true; }
      if (typeof o.onProgress === "function") { onProgress = o.onProgress as never; delete o.onProgress; o.progress = true; }
      o.testData = await this.#data(where, o.testData);
      if (o.transfer === true) { buffers(data, transfer); buffers(o.testData, transfer); }
      else if (o.transfer !== undefined && o.transfer !== false) throw new OptionError(where, "options.transfer", "true or false", String(o.transfer));
      delete o.transfer;
      send = o;
    }
    let thrown: unknown = null, threw = false;
    const id = this.#next; // the id #call is about to use
    const call = this.#call(where, "train", [data, send], [...transfer], (r) => {
      if (!("event" in r)) return;
      if (r.event === "progress") onProgress?.(r.done, r.total, r.epoch);
      else if (r.event === "epoch" && r.wait) {
        let go = true;
        try {
          go = onEpoch!(r.stats as EpochStats) !== false;
        } catch (e) {
          thrown = e;
          threw = true;
        }
        // "threw": the worker restores the network to that epoch's start, as train() does in-thread.
        this.#ep?.post({ id, op: "continue", args: [threw ? "threw" : go] }, []);
      }
    });
    let history: EpochStats[];
    try {
      history = (await call) as EpochStats[];
    } catch (e) {
      throw threw ? thrown : e;
    }
    if (threw) throw thrown;
    return history;
  }

  /** Stops a running train call after its current epoch. Resolves true if one was running. */
  cancel(): Promise<boolean> {
    return this.#call("cancel()", "cancel", []) as Promise<boolean>;
  }

  /** Like `net.evaluate(data)`, in the worker. */
  async evaluate(data: Data): Promise<Evaluation> {
    const where = "evaluate(data)";
    return this.#call(where, "evaluate", [await this.#data(where, data)]) as Promise<Evaluation>;
  }

  /** Like `net.feedforward(x)`, in the worker. */
  feedforward(x: Vector): Promise<Float32Array> {
    return this.#call("feedforward(x)", "feedforward", [x]) as Promise<Float32Array>;
  }

  /** Like `net.feedforwardBatch(inputs)`, in the worker (the inputs are copied). */
  async feedforwardBatch(inputs: Float32Array | readonly Vector[] | Dataset): Promise<Float32Array> {
    const where = "feedforwardBatch(inputs)";
    return this.#call(where, "feedforwardBatch", [await this.#data(where, inputs)]) as Promise<Float32Array>;
  }

  /**
   * The model, like `net.toJSON()` (await it: `JSON.stringify(await trainer.toJSON())`).
   * Load it with `Network.fromJSON` or `NetworkWorker.fromJSON`.
   */
  toJSON(): Promise<NetworkJSON> {
    return this.#call("toJSON()", "toJSON", []) as Promise<NetworkJSON>;
  }

  /** Stops the worker now; pending calls reject and later calls throw. */
  terminate(): void {
    const ep = this.#ep;
    this.#ep = null;
    // Each pending call is rejected in its own name: "train(data, options): … cut off by terminate()".
    for (const p of this.#pending.values()) p.reject(terminated(p.where, true));
    this.#pending.clear();
    ep?.terminate();
  }

  /** True once terminate() was called or the worker failed. */
  get terminated(): boolean {
    return this.#ep === null;
  }
}

/** The error of a call on a terminated worker, or of one cut off by terminate() while it ran. */
function terminated(where: string, running = false): NablaError {
  return new NablaError(where, "this NetworkWorker", "a live worker",
    running ? "one on which terminate() was called while this call was running" : "one on which terminate() was called");
}

/** Same as `NetworkWorker.create(sizes, options)`. */
export const createTrainer = (sizes: readonly number[], options?: NetworkWorkerOptions): Promise<NetworkWorker> =>
  NetworkWorker.create(sizes, options);
