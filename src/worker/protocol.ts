// The messages between a NetworkWorker (calling thread) and its worker (entry.ts).
// Requests carry an id; the worker answers each with a result or an error, and sends
// "progress" / "epoch" events for a running train call under the same id.
import { toSerialized, fromSerialized, type SerializedError } from "../errors-wire.js";

export type Op = "create" | "fromJSON" | "train" | "evaluate" | "feedforward" | "feedforwardBatch" | "toJSON" | "cancel" | "continue" | "dataset";

export interface Request {
  id: number;
  op: Op;
  args: unknown[];
}

/** An error as it crosses the thread boundary (structured clone drops the class): src/errors.ts. */
export type WireError = SerializedError;

export type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: WireError; threads?: number }
  | { id: number; event: "progress"; done: number; total: number; epoch: number }
  | { id: number; event: "epoch"; stats: unknown; wait: boolean };

/** The error as plain data, and back as the same class (by its literal name) on the other side. */
export { toSerialized as toWire, fromSerialized as fromWire };
