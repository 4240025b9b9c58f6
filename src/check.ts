// The checks the option and model parsers share (issue 11: one checker per rule): each reports
// a broken rule through a `Fail`, so every caller throws its own error class (OptionError,
// ShapeError, ModelFormatError) naming its own argument. A module of its own, apart from
// src/errors.ts, so that the NetworkWorker client (which shares the error classes) does not
// carry it.
import { NablaError, describe } from "./errors.js";

/**
 * Reports a broken rule: the argument (e.g. "options.cost", "json.sizes[2]"), what was expected
 * and what was received, in words (describe(v)). Never returns.
 */
export type Fail = (arg: string, expected: string, received: string) => never;

/** The Fail of one call: throws `new C(where, prefix + arg, expected, received)`. */
export const failWith = (C: new (where: string, argument: string, expected: string, received: string) => NablaError,
  where: string, prefix = ""): Fail => (arg, expected, received) => { throw new C(where, prefix + arg, expected, received); };

/** `v` when it is one of `allowed`, else a failure listing them: `one of "sgd", "momentum", "adam"`. */
export const oneOf = <T extends string>(v: unknown, allowed: readonly T[], arg: string, fail: Fail): T =>
  allowed.includes(v as T) ? (v as T) : fail(arg, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`, describe(v));

/** `v` when it is a finite number passing `test`, else a failure saying what was `expected`. */
export const checkNumber = (v: unknown, test: (x: number) => boolean, arg: string, expected: string, fail: Fail): number =>
  typeof v === "number" && Number.isFinite(v) && test(v) ? v : fail(arg, expected, describe(v));

/**
 * fn(), where reading the caller's value may throw something else than a NablaError — a getter
 * or Proxy trap, an engine limit such as nesting too deep — which becomes `refuse(what happened)`:
 * still a typed error, never a raw one.
 */
export function guarded<T>(fn: () => T, refuse: (what: string) => NablaError): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof NablaError) throw e;
    throw refuse(e instanceof Error ? `${e.name}: ${e.message}` : describe(e));
  }
}
