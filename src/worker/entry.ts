// The worker side of NetworkWorker: one Network per worker, driven by messages.
// Loaded as a module worker in browsers (new Worker(url, { type: "module" })) and with
// worker_threads in Node; the same file serves both.
//
// Training iterates the network's one epoch generator (net.epochs, src/epochs.ts), returning to
// the event loop after each epoch so that a cancel message, or the caller's onEpoch verdict, is
// seen there. A data set (src/dataset.ts) arrives once and is kept by id for later calls.
import { Network } from "../network.js";
import { init, BACKENDS, buildOf, decodeBuild, type BackendOption } from "../wasm.js";
import { NablaError, BackendError, describe } from "../errors.js";
import { registerThreadsImpl, autoAlone, AUTO_CAP, THREAD_WORK, perSample, perSampleBp2 } from "../threads/option.js";
import { registerThreadPasses } from "../passes.js";
import { activationCode } from "../kernels.js";
import type { EpochStats, TrainOptions } from "../options.js";
import type { Data } from "../data.js";
import { fromWireDataset, type Dataset } from "../dataset.js";
import { toWire, type Reply, type Request } from "./protocol.js";

type Post = (msg: Reply, transfer?: Transferable[]) => void;

interface Port {
  post: Post;
  listen(fn: (msg: Request) => void): void;
}

async function connect(): Promise<Port> {
  const g = globalThis as unknown as {
    WorkerGlobalScope?: unknown;
    postMessage(m: unknown, t?: Transferable[]): void;
    addEventListener(type: "message", fn: (e: { data: Request }) => void): void;
  };
  if (g.WorkerGlobalScope === undefined) {
    // Node: worker_threads (hidden from bundlers, which never take this branch).
    const spec = "node:worker_threads";
    node = "../node.js";
    const { parentPort } = (await import(/* webpackIgnore: true */ /* @vite-ignore */ spec)) as typeof import("node:worker_threads");
    if (!parentPort) throw new Error("nabla worker entry: not running in a worker");
    return {
      post: (m, t) => parentPort.postMessage(m, t as never),
      listen: (fn) => parentPort.on("message", fn),
    };
  }
  return {
    post: (m, t) => g.postMessage(m, t ?? []),
    listen: (fn) => g.addEventListener("message", (e) => fn(e.data)),
  };
}

// No top-level await: bundlers may emit workers as classic scripts (Vite's default "iife").
let port: Port;
/** In Node: the Node entry, imported for threads (it registers worker_threads helpers); hidden from bundlers. */
let node = "";
let net: Network | null = null;
/** The running train call: its id, whether cancel was asked, and the resolver of an awaited onEpoch verdict. */
let running: { id: number; cancelled: boolean; verdict: ((go: boolean | "threw") => void) | null } | null = null;

/**
 * Back to the event loop at once, so that a cancel message sent during the epoch is seen:
 * setImmediate in Node, a message to itself in browsers. (setTimeout(r, 0) waits ≥ 1 ms, and
 * ≥ 4 ms once nested: 5–15% of a 25 ms epoch of [784,30,10].)
 */
const tick: () => Promise<void> = typeof setImmediate === "function"
  ? () => new Promise<void>((r) => setImmediate(r))
  : (() => {
      const c = new MessageChannel(), waiting: (() => void)[] = [];
      c.port1.onmessage = () => waiting.shift()?.();
      return () => new Promise<void>((r) => { waiting.push(r); c.port2.postMessage(0); });
    })();

function live(where: string): Network {
  if (!net) throw new NablaError(where, "the worker", "a network (create one first)", "none");
  return net;
}

interface WorkerTrainOptions extends Omit<TrainOptions, "onEpoch" | "onProgress"> {
  /** Set by the client: the caller has an onEpoch, so wait for its verdict after each epoch. */
  waitEpoch?: boolean;
  /** Set by the client: the caller has an onProgress, so send progress events. */
  progress?: boolean;
}

/** The caller's onEpoch threw: the run is failed (the network goes back to that epoch's start). */
const CALLBACK_THREW = new Error("onEpoch threw on the calling thread");

async function train(id: number, data: Data, options: WorkerTrainOptions = {}): Promise<EpochStats[]> {
  const where = "train(data, options)";
  const n = live(where);
  if (running) throw new NablaError(where, "the network", "idle (one train call at a time)", "a train call still running");
  const { waitEpoch = false, progress = false, ...rest } = options ?? {};
  if (rest.testData !== undefined) rest.testData = dataArg(where, rest.testData);
  const run = n.epochs(data, rest); // checks data and options now
  const history: EpochStats[] = [];
  running = { id, cancelled: false, verdict: null };
  try {
    for (let r = run.next(); !r.done; r = run.next()) {
      const e = r.value;
      if (e.type === "progress") {
        if (progress) port.post({ id, event: "progress", done: e.done, total: e.total, epoch: e.epoch });
        continue;
      }
      history.push(e.stats);
      port.post({ id, event: "epoch", stats: e.stats, wait: waitEpoch });
      let go: boolean | "threw" = true;
      if (waitEpoch) go = await new Promise<boolean | "threw">((r) => { running!.verdict = r; });
      else await tick();
      if (go === "threw") run.throw(CALLBACK_THREW); // restores the epoch's start, rethrows
      if (!go || running.cancelled) {
        run.return([]);
        break;
      }
    }
    return history;
  } finally {
    running = null;
  }
}

/** Data sets sent once (op "dataset"), by id; train/evaluate/feedforwardBatch name them as { dataset: id }. */
const datasets = new Map<number, Dataset>();

/** The data a request names: a kept data set for { dataset: id }, else the data as sent. */
function dataArg(where: string, v: unknown): Data {
  if (v !== null && typeof v === "object" && !Array.isArray(v) && typeof (v as { dataset?: unknown }).dataset === "number") {
    const d = datasets.get((v as { dataset: number }).dataset);
    if (!d) throw new NablaError(where, "data", "a data set sent to this worker", "an unknown data set id");
    return d;
  }
  return v as Data;
}

function describeNet(n: Network) {
  return { sizes: [...n.sizes], activations: [...n.activations], cost: n.cost, init: n.init, seed: n.seed, backend: n.backend, threads: n.threads };
}

async function handle(req: Request): Promise<void> {
  // Anything can be posted to a worker: a malformed message gets an error reply (id -1 when it
  // has none), never an exception that would end the worker.
  if (req === null || typeof req !== "object" || !Number.isSafeInteger(req.id) || typeof req.op !== "string" || !Array.isArray(req.args)) {
    const id = req !== null && typeof req === "object" && Number.isSafeInteger(req.id) ? req.id : -1;
    return port.post({ id, ok: false, error: toWire(new NablaError("nabla worker", "the message", "a request { id, op, args }", describe(req))) });
  }
  const { id, op, args } = req;
  // Messages to a running train call are answered by it, not here.
  if (op === "cancel") {
    if (running) running.cancelled = true;
    running?.verdict?.(false);
    port.post({ id, ok: true, result: running !== null });
    return;
  }
  if (op === "continue") {
    // The verdict of the caller's onEpoch, for the train call with this id (a late one is ignored).
    if (running?.id === id && running.verdict) {
      const v = running.verdict;
      running.verdict = null;
      v(args[0] === "threw" ? "threw" : args[0] === true);
    }
    return;
  }
  try {
    let result: unknown, transfer: Transferable[] | undefined;
    switch (op) {
      case "create":
      case "fromJSON":
        {
          const [model, sizes] = op === "create" ? [null, args[0]] : withSizes(args[0]);
          result = describeNet(await make(args[1], sizes, () => op === "create" ? new Network(args[0] as number[], args[1] as never)
            : Network.fromJSON(model, args[1] as never)));
        }
        break;
      case "dataset": // a data set, sent once; later calls name it by its id
        datasets.set(args[0] as number, fromWireDataset("NetworkWorker", args[1]));
        result = true;
        break;
      case "train":
        result = await train(id, dataArg("train(data, options)", args[0]), args[1] as WorkerTrainOptions);
        break;
      case "evaluate":
        result = live("evaluate(data)").evaluate(dataArg("evaluate(data)", args[0]));
        break;
      case "feedforward": {
        const out = live("feedforward(x)").feedforward(args[0] as Float32Array);
        result = out;
        transfer = [out.buffer];
        break;
      }
      case "feedforwardBatch": {
        const out = live("feedforwardBatch(inputs)").feedforwardBatch(dataArg("feedforwardBatch(inputs)", args[0]) as never);
        result = out;
        transfer = [out.buffer];
        break;
      }
      case "toJSON":
        result = live("toJSON()").toJSON();
        break;
      default:
        throw new NablaError("nabla worker", "the message's op", "a known request", describe(op));
    }
    port.post({ id, ok: true, result }, transfer);
  } catch (e) {
    // A failed call may have ended the network's helper threads: its thread count goes along.
    port.post({ id, ok: false, error: toWire(e), threads: net?.threads });
  }
}

/**
 * fromJSON's model (an object or JSON text) and the layer sizes it names, so that make() knows
 * whether "auto" gives it threads before it loads their code. Text is parsed here, once, and
 * passed on parsed; text that does not parse goes on as it is, for fromJSON's error.
 */
function withSizes(json: unknown): [model: unknown, sizes: unknown] {
  let model = json;
  if (typeof json === "string") {
    try {
      model = JSON.parse(json);
    } catch {
      return [json, null];
    }
  }
  return [model, (model as { sizes?: unknown } | null)?.sizes ?? null];
}

/**
 * The worker's network, made by `build` (create or fromJSON) after loading what its options
 * need: the wasm build options.backend names (init() at start loaded the default), and, for
 * `threads` other than 1, the threads implementation — worker_threads in Node (the Node
 * entry), nested Web Workers in a cross-origin-isolated page (src/threads/web.ts, loaded only
 * then; elsewhere the network computes on one thread and says so in net.threads).
 */
async function make(options: unknown, sizes: unknown, build: () => Network): Promise<Network> {
  net?.dispose();
  net = null;
  const o = (options ?? {}) as { backend?: BackendOption; threads?: unknown };
  const backend = (BACKENDS as readonly unknown[]).includes(o.backend) ? o.backend! : "wasm";
  await init([backend]);
  let web: typeof import("../threads/web.js") | null = null;
  // ("auto" on a network too small to gain from threads computes alone: nothing to load.)
  if (o.threads !== undefined && o.threads !== 1 && !(o.threads === "auto" && Array.isArray(sizes) && autoAlone(sizes))) {
    if (node) await import(/* webpackIgnore: true */ /* @vite-ignore */ node);
    else if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) {
      await (web = await import("../threads/web.js")).enable({ build: buildOf(backend), register: registerThreadsImpl, registerPasses: registerThreadPasses, decodeBuild, cap: AUTO_CAP, BackendError, THREAD_WORK, perSample, perSampleBp2, SOFTMAX: activationCode("softmax") });
    }
  }
  const n = build();
  try {
    await web?.started(n); // its helper Web Workers serve jobs
  } catch (e) {
    n.dispose();
    throw e;
  }
  return (net = n);
}

void (async () => {
  port = await connect();
  try {
    await init();
  } catch (e) {
    return port.post({ id: 0, ok: false, error: toWire(e) }); // the client's create() rejects with it
  }
  port.listen((req) => void handle(req).catch((e) => port.post({ id: -1, ok: false, error: toWire(e) })));
  port.post({ id: 0, ok: true, result: "ready" });
})();
