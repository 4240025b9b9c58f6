// The worker side of NetworkWorker: one Network per worker, driven by messages.
// Loaded as a module worker in browsers (new Worker(url, { type: "module" })) and with
// worker_threads in Node; the same file serves both.
//
// Training runs epoch by epoch (one net.train call per epoch, the same computation as
// one call for all epochs: each epoch's order depends only on the generator state), returning to the event loop between
// epochs so that a cancel message, or the caller's onEpoch verdict, is seen there.
import { Network } from "../network.js";
import { init, BACKENDS, type BackendOption } from "../wasm.js";
import { resolveTrainOptions } from "../options.js";
import { plateau, EARLY_STOP, SCHEDULE_DONE } from "../plateau.js";
import { DivergenceError, NablaError, OptionError } from "../errors.js";
import type { EpochStats, TrainOptions } from "../options.js";
import type { Data } from "../data.js";
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
let net: Network | null = null;
/** The running train call: its id, whether cancel was asked, and the resolver of an awaited onEpoch verdict. */
let running: { id: number; cancelled: boolean; verdict: ((go: boolean) => void) | null } | null = null;

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

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

async function train(id: number, data: Data, options: WorkerTrainOptions = {}): Promise<EpochStats[]> {
  const where = "train(data, options)";
  const n = live(where);
  if (running) throw new NablaError(where, "the network", "idle (one train call at a time)", "a train call still running");
  const { waitEpoch = false, progress = false, ...rest } = options ?? {};
  const o = resolveTrainOptions(where, rest);
  // Each epoch is one train call; the schedule and early stopping are applied here, between calls.
  const { earlyStopping: _s, schedule: _p, epochs: _e, learningRate: _l, ...each } = rest;
  if ((o.earlyStopping || o.patience) && rest.testData === undefined) {
    throw new OptionError(where, "options.testData", "test data (early stopping and the schedule watch test accuracy)", "none");
  }
  const history: EpochStats[] = [];
  if (o.epochs === 0) {
    n.train(data, { ...each, epochs: 0 }); // validates the data as one call would
    return history;
  }
  running = { id, cancelled: false, verdict: null };
  try {
    const watch = plateau(o.eta, o.earlyStopping, o.patience);
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      let stats: EpochStats;
      try {
        [stats] = n.train(data, {
          ...each,
          epochs: 1,
          learningRate: watch.eta,
          onProgress: progress ? (done, total) => port.post({ id, event: "progress", done, total, epoch }) : undefined,
        });
      } catch (e) {
        if (e instanceof DivergenceError) throw new DivergenceError(where, epoch, e.batch, e.eta, history);
        throw e;
      }
      stats.epoch = epoch;
      history.push(stats);
      port.post({ id, event: "epoch", stats, wait: waitEpoch });
      if (waitEpoch) {
        const go = await new Promise<boolean>((r) => { running!.verdict = r; });
        if (!go) break;
      } else {
        await tick();
      }
      if (running.cancelled) break;
      if (rest.testData !== undefined) { // the same tracker as Network.train (test/worker.test.ts checks they agree)
        const verdict = watch.next(stats.accuracy!);
        if (verdict === EARLY_STOP || verdict === SCHEDULE_DONE) break;
      }
    }
    return history;
  } finally {
    running = null;
  }
}

function describeNet(n: Network) {
  return { sizes: [...n.sizes], activations: [...n.activations], cost: n.cost, init: n.init, seed: n.seed, backend: n.backend };
}

async function handle(req: Request): Promise<void> {
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
      v(args[0] === true);
    }
    return;
  }
  try {
    let result: unknown, transfer: Transferable[] | undefined;
    switch (op) {
      case "create":
        net?.dispose();
        net = null;
        await loadBackend(args[1]);
        net = new Network(args[0] as number[], args[1] as never);
        result = describeNet(net);
        break;
      case "fromJSON":
        net?.dispose();
        net = null;
        await loadBackend(args[1]);
        net = Network.fromJSON(args[0], args[1] as never);
        result = describeNet(net);
        break;
      case "train":
        result = await train(id, args[0] as Data, args[1] as WorkerTrainOptions);
        break;
      case "evaluate":
        result = live("evaluate(data)").evaluate(args[0] as Data);
        break;
      case "feedforward": {
        const out = live("feedforward(x)").feedforward(args[0] as Float32Array);
        result = out;
        transfer = [out.buffer];
        break;
      }
      case "feedforwardBatch": {
        const out = live("feedforwardBatch(inputs)").feedforwardBatch(args[0] as Float32Array);
        result = out;
        transfer = [out.buffer];
        break;
      }
      case "toJSON":
        result = live("toJSON()").toJSON();
        break;
      default:
        throw new Error(`nabla worker: unknown request ${JSON.stringify(op)}`);
    }
    port.post({ id, ok: true, result }, transfer);
  } catch (e) {
    port.post({ id, ok: false, error: toWire(e) });
  }
}

/** Loads the wasm build options.backend names, if it is one (init() at start loaded the default). */
async function loadBackend(options: unknown): Promise<void> {
  const backend = (options as { backend?: unknown } | undefined)?.backend;
  if (typeof backend === "string" && (BACKENDS as readonly string[]).includes(backend)) await init([backend as BackendOption]);
}

void (async () => {
  port = await connect();
  try {
    await init();
  } catch (e) {
    return port.post({ id: 0, ok: false, error: toWire(e) }); // the client's create() rejects with it
  }
  port.listen((req) => void handle(req));
  port.post({ id: 0, ok: true, result: "ready" });
})();
