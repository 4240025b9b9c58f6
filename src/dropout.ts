// Dropout masks from the network's one seeded generator (src/random.ts), so a run with dropout
// is bit-reproducible and resumes exactly from toJSON() (the generator state is saved).
// The kernel that applies a mask is kernels.dropout (assembly/dropout.ts).
import type { Random } from "./random.js";
import { describe } from "./errors.js";
import { checkNumber, type Fail } from "./check.js";

/** Largest dropout probability accepted: p = 1 would drop every neuron (and scale by 1/0). */
export const MAX_DROPOUT = 0.95;

/**
 * Fills F[from .. from+len) with an inverted-dropout mask: each value independently 0 with
 * probability p (the neuron is dropped), else 1/(1 − p). One 32-bit draw per value:
 * kept when nextU32() ≥ p·2^32.
 */
export function fillMask(rng: Random, F: Float32Array, from: number, len: number, p: number): void {
  const cut = Math.floor(p * 4294967296), keep = Math.fround(1 / (1 - p));
  for (let i = 0; i < len; i++) F[from + i] = rng.nextU32() >= cut ? keep : 0;
}

/**
 * The dropout option: a number p for every hidden layer, or one p per hidden layer (hidden
 * layers only: inputs and outputs are never dropped). Each p in [0, MAX_DROPOUT]. Returns one
 * p per hidden layer, or null when absent or every p is 0. `fail(arg, expected, received)`
 * reports a bad value (arg relative to the option: "dropout", "dropout[1]").
 */
export function checkDropout(v: unknown, hiddenLayers: number, fail: Fail): number[] | null {
  if (v === undefined) return null;
  const check = (x: unknown, at: string): number => checkNumber(x, (p) => p >= 0 && p <= MAX_DROPOUT, at, `a dropout probability p in [0, ${MAX_DROPOUT}]`, fail);
  let ps: number[];
  if (Array.isArray(v)) {
    if (v.length !== hiddenLayers) fail("dropout", `one probability per hidden layer (${hiddenLayers})`, describe(v));
    ps = [];
    for (let l = 0; l < hiddenLayers; l++) ps.push(check(v[l], `dropout[${l}]`));
  } else {
    const p = check(v, "dropout");
    if (hiddenLayers === 0 && p > 0) fail("dropout", "0 or absent (the network has no hidden layer to drop)", describe(v));
    ps = new Array(hiddenLayers).fill(p);
  }
  return ps.some((p) => p > 0) ? ps : null;
}
