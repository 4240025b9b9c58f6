// The messages between a NetworkWorker (calling thread) and its worker (entry.ts).
// Requests carry an id; the worker answers each with a result or an error, and sends
// "progress" / "epoch" events for a running train call under the same id.
import {
  NablaError, ShapeError, DataError, OptionError, ModelFormatError, BackendError, DisposedError, DivergenceError,
} from "../errors.js";

export type Op = "create" | "fromJSON" | "train" | "evaluate" | "feedforward" | "feedforwardBatch" | "toJSON" | "cancel" | "continue" | "dataset";

export interface Request {
  id: number;
  op: Op;
  args: unknown[];
}

/** An error as it crosses the thread boundary (structured clone drops the class). */
export interface WireError {
  name: string;
  message: string;
  argument?: string;
  expected?: string;
  received?: string;
  epoch?: number;
  batch?: number;
  eta?: number;
  history?: unknown[];
}

export type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: WireError }
  | { id: number; event: "progress"; done: number; total: number; epoch: number }
  | { id: number; event: "epoch"; stats: unknown; wait: boolean };

export function toWire(e: unknown): WireError {
  if (e instanceof Error) {
    const w: WireError = { name: e.name, message: e.message };
    if (e instanceof NablaError) Object.assign(w, { argument: e.argument, expected: e.expected, received: e.received });
    if (e instanceof DivergenceError) Object.assign(w, { epoch: e.epoch, batch: e.batch, eta: e.eta, history: [...e.history] });
    return w;
  }
  return { name: "Error", message: String(e) };
}

const CLASSES: Record<string, new (w: string, a: string, e: string, r: string) => NablaError> = {
  NablaError, ShapeError, DataError, OptionError, ModelFormatError, BackendError,
};

/** The same error class on this side, with the worker's message (which already names the call). */
export function fromWire(w: WireError): Error {
  let e: Error;
  if (w.name === "DivergenceError") {
    e = new DivergenceError("", w.epoch ?? 0, w.batch ?? 0, w.eta ?? 0, w.history ?? []);
  } else if (w.name === "DisposedError") {
    e = new DisposedError("");
  } else if (w.name in CLASSES) {
    e = new CLASSES[w.name]("", w.argument ?? "", w.expected ?? "", w.received ?? "");
  } else {
    e = new Error(w.message);
    e.name = w.name;
  }
  e.message = w.message;
  return e;
}
