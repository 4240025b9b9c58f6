// Every default of the library and the CLI, in one place (docs/algorithms.md, "Defaults", shows
// this table with the measurements behind it). The learning rate depends on the optimizer and on
// the network: Nielsen's η = 3.0 suits his sigmoid/quadratic network and plain SGD, and makes the
// other combinations collapse to chance. Each η below was measured on real MNIST digits
// (bench/defaults.ts: 4000 training / 1000 test digits, [784, 30, 10] or [784, 30, 1], 5 epochs,
// seeds 1 and 2), choosing a value that learns on both seeds over the best single result.
import type { Activation, Cost } from "./kernels.js";
import type { Init } from "./options.js";

export const DEFAULTS = {
  /** Epochs of a bare `train(data)` and of `nabla train` (network.py's 30). */
  epochs: 30,
  /** Mini-batch size m (network.py's 10). */
  batchSize: 10,
  /** Weight initializer: network2.py's N(0, 1/√n_in). */
  init: "scaled" as Init,
  cost: "quadratic" as Cost,
  /** Hidden activation. */
  activation: "sigmoid" as Activation,
  optimizer: "sgd" as const,
  /** Momentum coefficient μ. */
  mu: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  lambda: 0,
  l1: 0,
  shuffle: true,
} as const;

/** One row of the learning-rate table: which networks it covers, and η per optimizer (momentum at μ = 0.9). */
export interface EtaRow {
  readonly matches: (hidden: readonly Activation[], output: Activation, cost: Cost) => boolean;
  readonly sgd: number;
  readonly momentum: number;
  readonly adam: number;
}

const allSigmoid = (hidden: readonly Activation[]) => hidden.every((a) => a === "sigmoid");
const row = (matches: EtaRow["matches"], sgd: number, momentum: number, adam: number): EtaRow => ({ matches, sgd, momentum, adam });

/** The learning-rate table (docs/algorithms.md §8); the first matching row applies. */
export const ETA_TABLE: readonly EtaRow[] = [
  // sigmoid output, quadratic cost, sigmoid hidden layers (network.py)
  row((h, o, c) => o === "sigmoid" && c === "quadratic" && allSigmoid(h), 3.0, 0.1, 0.001),
  // sigmoid output, quadratic cost, other hidden layers
  row((_h, o, c) => o === "sigmoid" && c === "quadratic", 0.5, 0.01, 0.001),
  // sigmoid output, cross-entropy cost, sigmoid hidden layers (network2.py)
  row((h, o, c) => o === "sigmoid" && c === "cross-entropy" && allSigmoid(h), 0.5, 0.03, 0.001),
  // sigmoid output, cross-entropy cost, other hidden layers
  row((_h, o, c) => o === "sigmoid" && c === "cross-entropy", 0.1, 0.01, 0.001),
  // softmax output, log-likelihood cost
  row((_h, o) => o === "softmax", 0.1, 0.01, 0.001),
  // any other output (linear, tanh, relu, leaky-relu: regression)
  row(() => true, 0.1, 0.03, 0.001),
];

/**
 * The default learning rate for this optimizer and network. For momentum with μ ≠ 0.9 the
 * table's value is scaled by (1 − μ)/0.1, which keeps the effective step η/(1 − μ) of the
 * measured setting, and capped at the SGD value.
 * @param activations the activation of each weight layer, the output last
 */
export function defaultLearningRate(optimizer: "sgd" | "momentum" | "adam", activations: readonly Activation[], cost: Cost,
                                    mu: number = DEFAULTS.mu): number {
  const row = etaRow(activations, cost);
  if (optimizer !== "momentum") return row[optimizer];
  return Math.min(row.sgd, Number((row.momentum * ((1 - mu) / (1 - DEFAULTS.mu))).toPrecision(6)));
}

/** The table row that applies to a network. */
export function etaRow(activations: readonly Activation[], cost: Cost): EtaRow {
  const hidden = activations.slice(0, -1), output = activations.at(-1)!;
  return ETA_TABLE.find((r) => r.matches(hidden, output, cost))!;
}
