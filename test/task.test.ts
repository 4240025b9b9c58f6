// The task (src/task.ts): inference from the output layer, the pairing check, target ranges.
import { describe, it, expect } from "vitest";
import { inferTask, resolveTask, checkTargets } from "../src/task.js";
import { DataError, OptionError } from "../src/errors.js";

describe("task inference", () => {
  it("one sigmoid output → binary; linear → regression; several outputs → classification; multi-label never", () => {
    expect(inferTask("sigmoid", 1)).toBe("binary");
    expect(inferTask("linear", 1)).toBe("regression");
    expect(inferTask("linear", 3)).toBe("regression");
    expect(inferTask("sigmoid", 10)).toBe("classification"); // Nielsen's [784, 30, 10]
    expect(inferTask("softmax", 10)).toBe("classification");
    expect(inferTask("tanh", 1)).toBe("regression"); // argmax of one value cannot pick a class
    expect(inferTask("relu", 1)).toBe("regression");
  });
});

describe("the task must fit the output layer", () => {
  const where = "new Network(sizes, options)";
  it.each([
    ["binary", "sigmoid", "quadratic", 3, /"binary" for a network with 3 "sigmoid" outputs/],
    ["binary", "softmax", "log-likelihood", 1, /"binary" needs exactly one "sigmoid" output/],
    ["multi-label", "softmax", "log-likelihood", 4, /"multi-label" for a network with 4 "softmax" outputs with the "log-likelihood" cost/],
    ["multi-label", "sigmoid", "cross-entropy", 1, /use "binary"/],
    ["classification", "sigmoid", "quadratic", 1, /two or more outputs/],
    ["regression", "softmax", "log-likelihood", 3, /softmax outputs always sum to 1/],
  ] as const)("%s with %s (%s), %i outputs → OptionError naming both", (task, output, cost, nOut, message) => {
    const e = (() => { try { resolveTask(where, "options.task", task, output, cost, nOut); } catch (e) { return e; } })();
    expect(e).toBeInstanceOf(OptionError);
    expect((e as OptionError).argument).toBe("options.task");
    expect((e as Error).message).toMatch(message);
  });

  it("accepts the fitting pairs and refuses unknown names", () => {
    expect(resolveTask(where, "options.task", "multi-label", "sigmoid", "cross-entropy", 5)).toBe("multi-label");
    expect(resolveTask(where, "options.task", "regression", "sigmoid", "quadratic", 2)).toBe("regression");
    expect(resolveTask(where, "options.task", "classification", "linear", "quadratic", 3)).toBe("classification");
    expect(resolveTask(where, "options.task", undefined, "linear", "quadratic", 3)).toBe("regression");
    expect(() => resolveTask(where, "options.task", "multilabel", "sigmoid", "quadratic", 3)).toThrow(/one of "classification", "binary", "multi-label", "regression"/);
  });
});

describe("targets in the task's range", () => {
  it("multi-label targets are 0 or 1, binary ones in [0, 1]; the error names the sample and output", () => {
    expect(() => checkTargets("train(data, options)", "data", "multi-label", Float32Array.of(0, 1, 1, 0.5), 2))
      .toThrow(/data\[1\] \(target \[1\]\) must be 0 or 1 \(a multi-label target\), received 0.5/);
    const e = (() => { try { checkTargets("evaluate(data)", "data", "binary", Float32Array.of(1, 0, 2), 1); } catch (e) { return e; } })();
    expect(e).toBeInstanceOf(DataError);
    expect((e as DataError).argument).toBe("data[2] (target)");
    expect((e as DataError).message).toMatch(/use task: "regression"/);
    expect(() => checkTargets("evaluate(data)", "data", "binary", Float32Array.of(0.25, -0.01), 1)).toThrow(/data\[1\] \(target\)/);
    expect(() => checkTargets("evaluate(data)", "data", "binary", Float32Array.of(0.25, 0.5), 1)).not.toThrow(); // soft labels
    expect(() => checkTargets("evaluate(data)", "data", "regression", Float32Array.of(3.7, -2), 1)).not.toThrow();
    expect(() => checkTargets("evaluate(data)", "data", "binary", Float32Array.of(1, 0, 1), 1)).not.toThrow();
  });
});
