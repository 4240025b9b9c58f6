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

/**
 * The default learning rate for this optimizer and network, from the table of docs/algorithms.md
 * (§8, "Defaults"), momentum at μ = 0.9:
 *
 *   output   cost            hidden layers          SGD    momentum   Adam
 *   sigmoid  quadratic       all sigmoid            3.0    0.1        0.001   (network.py)
 *   sigmoid  quadratic       others                 0.5    0.01       0.001
 *   sigmoid  cross-entropy   all sigmoid            0.5    0.03       0.001   (network2.py)
 *   sigmoid  cross-entropy   others                 0.1    0.01       0.001
 *   softmax  log-likelihood  any                    0.1    0.01       0.001
 *   other (linear, tanh, relu, leaky-relu: regression)  0.1  0.03     0.001
 *
 * For momentum with μ ≠ 0.9 the table's value is scaled by (1 − μ)/0.1, which keeps the
 * effective step η/(1 − μ) of the measured setting, and capped at the SGD value.
 * @param activations the activation of each weight layer, the output last
 */
export function defaultLearningRate(optimizer: "sgd" | "momentum" | "adam", activations: readonly Activation[], cost: Cost,
                                    mu: number = DEFAULTS.mu): number {
  if (optimizer === "adam") return 0.001;
  const output = activations.at(-1), sigmoids = activations.slice(0, -1).every((a) => a === "sigmoid");
  const [sgd, momentum] = output === "sigmoid" && cost === "quadratic" ? (sigmoids ? [3.0, 0.1] : [0.5, 0.01])
    : output === "sigmoid" && cost === "cross-entropy" ? (sigmoids ? [0.5, 0.03] : [0.1, 0.01])
    : [0.1, output === "softmax" ? 0.01 : 0.03];
  return optimizer === "sgd" ? sgd : Math.min(sgd, Number((momentum * ((1 - mu) / (1 - DEFAULTS.mu))).toPrecision(6)));
}
