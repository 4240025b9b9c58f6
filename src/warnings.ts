// Training that has collapsed says so. After each epoch from the second on, the epoch loop
// passes the history of a few signals here; a non-empty answer becomes the epoch's `warnings`.
//
//   at chance   classification tasks: the watched accuracy (test accuracy, else the accuracy of
//               the training forward passes) is within CHANCE_MARGIN of always guessing the most
//               frequent class, in each of the last two epochs; regression: r2 ≤ R2_CHANCE
//               (no better than predicting the mean) in each of the last two epochs
//   saturated   the training cost moved by less than STUCK_RELATIVE (relative) between the last
//               two epochs while at least SATURATED_SHARE of the outputs sit within SATURATION_EPS
//               of 0 or 1 and the watched metric is in the lower half between chance and perfect
//               (a converged, confident network also has a flat cost and saturated outputs, but a
//               good metric)
//
// Either fires a warning that names the likely cause, from what is known of the run:
//   - η above the default for this optimizer and output (docs/algorithms.md, "Defaults"):
//     "η too large"
//   - sigmoid outputs at 0 or 1 (the share of saturated outputs ≥ SATURATED_SHARE, or the cost
//     stuck at its saturation value): "saturated sigmoid" (σ'(z) ≈ 0, so those neurons stop learning)
//   - ReLU hidden layers and outputs that no longer depend on the input: "dead ReLUs"
// Measured on collapsing and healthy MNIST runs in test/warnings.test.ts.

/** What the loop knows after one epoch. */
export interface EpochSignal {
  /** Mean training cost of the epoch. */
  cost: number;
  /** Watched accuracy (classification tasks). */
  accuracy?: number;
  /** Accuracy of always guessing the most frequent class, on the same data as `accuracy`. */
  chance?: number;
  /** Watched r2 (regression). */
  r2?: number;
  /** Share of output values within SATURATION_EPS of 0 or 1 (sigmoid and softmax outputs), on the same data. */
  saturated?: number;
}

export interface WarningContext {
  eta: number;
  optimizer: "sgd" | "momentum" | "adam";
  /** The default η for this optimizer and network (src/defaults.ts). */
  defaultEta: number;
  /** Activation of each weight layer, the output last. */
  activations: readonly string[];
}

export const CHANCE_MARGIN = 0.05;
export const R2_CHANCE = 0.01;
export const STUCK_RELATIVE = 1e-3;
export const SATURATION_EPS = 1e-3;
export const SATURATED_SHARE = 0.9;

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Warnings for the last epoch of `history` (empty before the second epoch, and for a healthy run). */
export function trainingWarnings(history: readonly EpochSignal[], ctx: WarningContext): string[] {
  if (history.length < 2) return [];
  const [prev, last] = history.slice(-2);
  const symptoms: string[] = [];
  // (A comparison with an absent metric, undefined or NaN, is false.)
  const atChance = (e: EpochSignal) => e.accuracy! <= e.chance! + CHANCE_MARGIN;
  if (atChance(last) && atChance(prev)) {
    symptoms.push(`accuracy ${pct(last.accuracy!)} is at chance (always guessing the most frequent class scores ${pct(last.chance!)}) after ${history.length} epochs`);
  }
  if (last.r2! <= R2_CHANCE && prev.r2! <= R2_CHANCE) {
    symptoms.push(`r2 ${last.r2!.toFixed(3)} is no better than predicting the mean after ${history.length} epochs`);
  }
  const stuck = Number.isFinite(last.cost) && last.cost > 1e-6 && Math.abs(last.cost - prev.cost) <= STUCK_RELATIVE * Math.abs(prev.cost);
  const saturated = last.saturated! >= SATURATED_SHARE;
  const poor = last.accuracy !== undefined && last.chance !== undefined ? last.accuracy < (1 + last.chance) / 2
    : last.r2 !== undefined ? last.r2 < 0.5 : true;
  if (symptoms.length === 0 && !(stuck && saturated && poor)) return [];
  if (stuck) symptoms.push(`the training cost has stopped moving (${prev.cost.toPrecision(4)} → ${last.cost.toPrecision(4)})`);

  const output = ctx.activations.at(-1)!, hidden = ctx.activations.slice(0, -1);
  const causes: string[] = [];
  if (ctx.eta > ctx.defaultEta) {
    causes.push(`the learning rate η = ${ctx.eta} is too large for ${ctx.optimizer} with this network (its default here is ${ctx.defaultEta})`);
  }
  const sigmoidOut = output === "sigmoid";
  if ((sigmoidOut || output === "softmax") && saturated) {
    causes.push(`${pct(last.saturated!)} of the ${output} outputs are saturated at 0 or 1 (σ'(z) ≈ 0 there, so they stop learning)`);
  } else if (sigmoidOut && stuck) {
    causes.push("saturated sigmoid neurons (σ'(z) ≈ 0, so they stop learning)");
  }
  if (hidden.some((a) => a === "relu") && !saturated && stuck) {
    causes.push("dead ReLUs (hidden neurons whose z stays below 0 pass no gradient)");
  }
  if (causes.length === 0) causes.push(`a learning rate that does not suit the network (η = ${ctx.eta}; the default here is ${ctx.defaultEta})`);
  return [`Training looks stuck: ${symptoms.join("; ")}. Likely cause: ${causes.join("; ")}. Try a smaller learning rate (e.g. η = ${ctx.defaultEta <= ctx.eta / 2 ? ctx.defaultEta : +(ctx.eta / 10).toPrecision(3)}).`];
}
