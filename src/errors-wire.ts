// Errors across threads (NetworkWorker, src/worker/protocol.ts): an error as plain data and
// back, as an instance of nabla's class of the same name (ERRORS, src/errors.ts). A module of
// its own, so a page that does not use the worker does not load it.
import { ERRORS, NablaError, describe } from "./errors.js";

/**
 * An error as plain data, for postMessage (structured clone keeps only Error's message and
 * a few built-in names, dropping the class and its fields): the class name, the message and
 * the error's own fields (argument, expected, received; DivergenceError's epoch, batch, eta,
 * history; …).
 */
export interface SerializedError {
  name: string;
  message: string;
  fields?: Record<string, unknown>;
}

/** `e` as plain data that survives structured clone (see fromSerialized). */
export function toSerialized(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { name: "Error", message: typeof e === "string" ? e : describe(e) };
  const out: SerializedError = { name: e.name, message: e.message };
  if (e instanceof NablaError) {
    out.fields = {};
    // Own data fields (argument, expected, received, epoch, history, …); a value that cannot
    // be cloned (a function, say) is left out rather than failing the whole message.
    for (const [k, v] of Object.entries(e)) {
      try { out.fields[k] = structuredClone(v); } catch { /* left out */ }
    }
  }
  return out;
}

/**
 * The error `s` describes: an instance of nabla's class of that name (so `instanceof
 * ShapeError` and `instanceof NablaError` hold, and a DivergenceError has its epoch and
 * history), or of the built-in class of that name (TypeError, RangeError, …), or an Error
 * with that name; with the same message and fields.
 */
export function fromSerialized(s: SerializedError): Error {
  const builtin = (globalThis as Record<string, unknown>)[s.name];
  const C = Object.hasOwn(ERRORS, s.name) ? ERRORS[s.name as keyof typeof ERRORS]
    : typeof builtin === "function" && (builtin === Error || builtin.prototype instanceof Error) ? builtin as typeof Error : Error;
  // Reflect.construct(Error, …, C): an object of class C with the message and a stack,
  // without running C's constructor (whose arguments build the message, which we already have).
  const e: Error = Reflect.construct(Error, [s.message], C);
  if (e.name !== s.name) e.name = s.name;
  if (s.fields) Object.assign(e, s.fields);
  return e;
}
