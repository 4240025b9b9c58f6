// What a network's outputs mean: the task. It decides how targets are read, which metrics
// evaluate() reports, what early stopping watches and what predict() returns.
//
//   "classification"  several outputs, one class per sample (class index or one-hot target);
//                     prediction = argmax of a^L. Nielsen's [784, 30, 10] network.
//   "binary"          one sigmoid output, target 0 or 1; prediction = a^L ≥ 0.5.
//   "multi-label"     several sigmoid outputs, each target 0 or 1; prediction per output ≥ 0.5.
//   "regression"      target values; prediction = a^L itself.
import type { Activation, Cost } from "./kernels.js";
import { DataError, OptionError, describe } from "./errors.js";
import { oneOf, type Fail } from "./check.js";

export const TASKS = ["classification", "binary", "multi-label", "regression"] as const;
export type Task = (typeof TASKS)[number];

/**
 * The task a network has when none is given: a linear output → "regression"; one sigmoid
 * output → "binary"; a softmax output → "classification"; any other single output (tanh, relu,
 * leaky-relu) → "regression" (the
 * argmax of one value is always 0, so one output cannot pick a class); otherwise
 * "classification". "multi-label" is never inferred: it must be asked for.
 */
export function inferTask(output: Activation, nOut: number): Task {
  if (output === "linear") return "regression";
  if (output === "softmax") return "classification";
  if (nOut === 1) return output === "sigmoid" ? "binary" : "regression";
  return "classification";
}

/** The task option: undefined → inferred; otherwise one of TASKS. Throws an OptionError. */
export function resolveTask(where: string, arg: string, v: unknown, output: Activation, cost: Cost, nOut: number): Task {
  return checkTask(v, output, cost, nOut, (_task, expected, received) => { throw new OptionError(where, arg, expected, received); });
}

/**
 * The task given (undefined → inferred), or `fail("task", expected, received)` when it is not a task or
 * contradicts the output layer or the cost, naming both: binary needs one sigmoid output;
 * multi-label several sigmoid outputs; classification at least two outputs; regression any
 * output but softmax (whose outputs always sum to 1).
 */
export function checkTask(v: unknown, output: Activation, cost: Cost, nOut: number, fail: Fail): Task {
  if (v === undefined) return inferTask(output, nOut);
  const task = oneOf(v, TASKS, "task", fail);
  // What the task needs of the output layer, when this one does not have it.
  const needs =
    task === "binary" ? (nOut !== 1 || output !== "sigmoid") && 'exactly one "sigmoid" output'
    : task === "multi-label" ? (nOut < 2 || output !== "sigmoid") && 'two or more "sigmoid" outputs (for one output, use "binary")'
    // (a single softmax output is allowed, if useless: it is what inference gives such a network)
    : task === "classification" ? nOut < 2 && output !== "softmax" && 'two or more outputs, one per class (for one sigmoid output, use "binary")'
    : output === "softmax" && 'an element-wise output such as "linear" (softmax outputs always sum to 1)';
  if (needs) {
    fail("task", `a task that fits the output layer (${JSON.stringify(task)} needs ${needs})`,
      `${JSON.stringify(task)} for a network with ${nOut} ${JSON.stringify(output)} output${nOut === 1 ? "" : "s"} with the ${JSON.stringify(cost)} cost`);
  }
  return task;
}

/** How a task reads a number given as a sample's target: a class index, or the value of the one output. */
export function scalarTarget(task: Task): "class" | "value" {
  return task === "binary" || task === "regression" ? "value" : "class";
}

/**
 * Checks that targets lie in the task's range: "multi-label" targets are 0 or 1; a "binary"
 * target is a probability in [0, 1] (0 or 1, or a soft label; accuracy counts it as class 1 from
 * 0.5). Class indices are checked against n_out where they are read (data.ts); any finite value
 * is a regression target; classification targets are vectors (one-hot or soft). Throws a
 * DataError naming the sample and the output: `data[12] (target [3])`.
 * @param outputs count rows of nOut target values
 */
export function checkTargets(where: string, arg: string, task: Task, outputs: Float32Array, nOut: number): void {
  if (task !== "binary" && task !== "multi-label") return;
  for (let i = 0; i < outputs.length; i++) {
    const v = outputs[i];
    if (task === "binary" ? !(v >= 0 && v <= 1) : v !== 0 && v !== 1) {
      const sample = Math.floor(i / nOut), j = i % nOut;
      throw new DataError(where, `${arg}[${sample}] (target${nOut > 1 ? ` [${j}]` : ""})`,
        task === "binary" ? 'a binary target: 0, 1 or a probability between (for other values, use task: "regression")'
          : "0 or 1 (a multi-label target)", describe(v));
    }
  }
}
