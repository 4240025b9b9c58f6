// Typed errors. Each names the argument, what was expected and what was received,
// so a message reads like: `train(data): data[12].input has length 783, expected 784`.
//
// Every class carries its name as a literal string (on its prototype, like the built-in
// errors), never `new.target.name`: minifiers rename classes, and a `ShapeError` must print
// as `ShapeError`, not `E`, in a minified bundle too. The same names key ERRORS, by which
// src/errors-wire.ts rebuilds an error that crossed a thread (the worker).

/** Base class of every error nabla throws on purpose. */
export class NablaError extends Error {
  /** The argument (or path inside it) that was wrong, e.g. `data[12].input`. */
  declare readonly argument: string;
  /** What was expected, in words. */
  declare readonly expected: string;
  /** What was received, in words. */
  declare readonly received: string;
  constructor(where: string, argument: string, expected: string, received: string, extra = "") {
    super(`${where}: ${argument} must be ${expected}, received ${received}${extra ? `. ${extra}` : ""}`);
    this.argument = argument;
    this.expected = expected;
    this.received = received;
  }
}

/** A vector, matrix or layer list has the wrong length or shape. */
export class ShapeError extends NablaError {}
/** Data holds NaN, ±Infinity, an out-of-range label or is empty. */
export class DataError extends NablaError {}
/** An option is unknown, of the wrong type or out of range. */
export class OptionError extends NablaError {}
/** A saved model (JSON) is malformed or does not match. */
export class ModelFormatError extends NablaError {}
/** The requested backend cannot run on this engine. */
export class BackendError extends NablaError {}
/** The network was disposed and cannot be used any more. */
export class DisposedError extends NablaError {
  constructor(where: string) {
    super(where, "this network", "a live network", "one on which dispose() was called");
  }
}

/** Short description of a value for error messages: `an array of length 3`, `NaN`, `"relu"`. */
export function describe(v: unknown): string {
  if (v == null || typeof v === "number") return String(v); // "null", "undefined", "NaN", "-1.5"
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  if (typeof v === "bigint" || typeof v === "boolean") return `${typeof v} ${String(v)}`;
  if (typeof v === "function") return "a function";
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  return `an object (${Object.keys(v as object).slice(0, 5).join(", ") || "no keys"})`;
}

/**
 * Training produced NaN or ±Infinity. The network has been restored to the state it had
 * at the start of the failing epoch (weights, biases, optimizer state and generator);
 * `history` holds the epochs completed before it.
 */
export class DivergenceError extends NablaError {
  declare readonly epoch: number;
  /** 0-based mini-batch where the non-finite cost appeared, or -1 when found in the weights at the end of the epoch. */
  declare readonly batch: number;
  declare readonly eta: number;
  declare readonly history: readonly unknown[];
  constructor(where: string, epoch: number, batch: number, eta: number, history: readonly unknown[]) {
    const at = batch >= 0 ? `mini-batch ${batch} of epoch ${epoch}` : `the weights at the end of epoch ${epoch}`;
    super(where, "the training", "finite (cost and weights)", `NaN or Infinity in ${at} with learning rate η = ${eta}`,
      `The learning rate is the likely cause: try a smaller one (e.g. η/10). The network was restored to its state at the start of epoch ${epoch}`);
    this.epoch = epoch;
    this.batch = batch;
    this.eta = eta;
    this.history = history;
  }
}

/** A dataset file (IDX, CSV, PGM, …) is missing, truncated or not in the expected format. */
export class DatasetError extends NablaError {}

/** Every error class by its (literal) name; the names are also each prototype's `name`. */
export const ERRORS = {
  NablaError, ShapeError, DataError, OptionError, ModelFormatError, BackendError, DisposedError, DivergenceError, DatasetError,
} as const;
for (const [name, C] of Object.entries(ERRORS)) {
  Object.defineProperty(C.prototype, "name", { value: name, writable: true, configurable: true, enumerable: false });
}
