// From output rows (count rows of n_out float32, the network's a^L) to what the task predicts:
//
//   classification  the class index: argmax_j a_j (the first on ties)
//   binary          1 if a ≥ 0.5, else 0
//   multi-label     one 0/1 per output: a_j ≥ 0.5
//   regression      the output values themselves
//
// and, where the outputs are probabilities, those probabilities:
//
//   classification with a softmax output   the distribution a (sums to 1)
//   binary                                 P(class 1) = a
//   multi-label                            P(label j) = a_j, per output
//
// A classification network without a softmax output (Nielsen's sigmoid outputs) and a regression
// network have no probabilities: asking for them is an OptionError, not a normalized guess.
import type { Activation } from "./kernels.js";
import type { Task } from "./task.js";
import { argmax } from "./metrics.js";
import { OptionError } from "./errors.js";

/** One sample's prediction: a class index (classification, binary) or a row (multi-label 0/1, regression values). */
export type Prediction = number | number[];

/** The prediction for row r of out (rows of nOut). */
export function predictRow(task: Task, out: ArrayLike<number>, r: number, nOut: number): Prediction {
  const at = r * nOut;
  switch (task) {
    case "classification":
      return argmax(out, at, nOut);
    case "binary":
      return out[at] >= 0.5 ? 1 : 0;
    case "multi-label": {
      const row = new Array<number>(nOut);
      for (let j = 0; j < nOut; j++) row[j] = out[at + j] >= 0.5 ? 1 : 0;
      return row;
    }
    case "regression":
      return row(out, at, nOut);
  }
}

/** n values of out from at, as an array. */
const row = (out: ArrayLike<number>, at: number, n: number): number[] => Array.from({ length: n }, (_, j) => out[at + j]);

/** The predictions of all count rows of out. */
export function predictRows(task: Task, out: ArrayLike<number>, count: number, nOut: number): Prediction[] {
  const result = new Array<Prediction>(count);
  for (let r = 0; r < count; r++) result[r] = predictRow(task, out, r, nOut);
  return result;
}

/** Refuses predictProba where the outputs are not probabilities (see the file comment). */
export function checkProbabilities(where: string, task: Task, output: Activation): void {
  if (task === "regression") {
    throw new OptionError(where, "the network's task", "a classification task (predictProba gives class probabilities)",
      '"regression": use predict() for the values');
  }
  if (task === "classification" && output !== "softmax") {
    throw new OptionError(where, "the network's output activation", '"softmax" (only softmax outputs are class probabilities)',
      `${JSON.stringify(output)}: use predict() for the class, or feedforward() for the raw outputs`);
  }
}

/** Probabilities of row r: P(class 1) for binary, else the row (softmax distribution or per-label sigmoid). */
export function probabilityRow(task: Task, out: ArrayLike<number>, r: number, nOut: number): number | number[] {
  return task === "binary" ? out[r] : row(out, r * nOut, nOut);
}
