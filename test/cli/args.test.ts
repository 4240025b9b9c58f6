// Command line: help texts, flag parsing, and exit codes 2 (usage) and 1 (runtime) with messages, not stack traces.
import { describe, it, expect } from "vitest";
import { writeFileSync } from "node:fs";
import { parse, Values, UsageError, closest } from "../../src/cli/args.js";
import { TRAIN_OPTIONS, trainSettings } from "../../src/cli/train.js";
import { defaultLearningRate } from "../../src/defaults.js";
import { EVAL_OPTIONS } from "../../src/cli/eval.js";
import { PREDICT_OPTIONS } from "../../src/cli/predict.js";
import { TRAIN_HELP, EVAL_HELP, PREDICT_HELP, MAIN_HELP } from "../../src/cli/help.js";
import { nabla, tempDir } from "./helpers.js";

const settings = (args: string[], data = { inputs: 784, classes: 10 }) =>
  trainSettings(new Values("train", parse("train", args, TRAIN_OPTIONS).values), data);

describe("help", () => {
  it("nabla, nabla --help and nabla help print the overview", async () => {
    for (const args of [[], ["--help"], ["-h"], ["help"]]) {
      const r = await nabla(args);
      expect(r.code).toBe(0);
      expect(r.out).toBe(MAIN_HELP);
    }
    expect(MAIN_HELP).toMatch(/nabla train/);
    expect(MAIN_HELP).toMatch(/nabla eval/);
    expect(MAIN_HELP).toMatch(/nabla predict/);
  });

  it("each command's --help lists every option it accepts", async () => {
    const cases: [string, string, object][] = [["train", TRAIN_HELP, TRAIN_OPTIONS], ["eval", EVAL_HELP, EVAL_OPTIONS], ["predict", PREDICT_HELP, PREDICT_OPTIONS]];
    for (const [cmd, text, opts] of cases) {
      const r = await nabla([cmd, "--help"]);
      expect(r.code).toBe(0);
      expect(r.out).toBe(text);
      expect((await nabla(["help", cmd])).out).toBe(text);
      for (const k of Object.keys(opts)) expect(text, `${cmd} --help mentions --${k}`).toContain(`--${k}`);
    }
  });
});

describe("flags", () => {
  it("defaults are Nielsen's chapter-1 run", () => {
    const s = settings([]);
    expect(s.sizes).toEqual([784, 30, 10]);
    expect(s).toMatchObject({ activation: "sigmoid", cost: "quadratic", batch: 10, eta: 3.0, epochs: 30, optimizer: "sgd", lambda: 0, l1: 0, seed: 1, backend: "wasm",
      earlyStopping: 0, schedule: 0, shuffle: true, monitor: false });
  });

  it("reads every network and training setting", () => {
    const s = settings(["--hidden", "256,128", "--activation", "relu,tanh", "--output", "softmax", "--cost", "log-likelihood",
      "--init", "he", "--optimizer", "momentum", "--momentum", "0.5", "--lambda", "5", "--l1", "0.1", "--epochs", "7",
      "--batch", "32", "--eta", "0.05", "--seed", "42", "--backend", "js", "--threads", "3", "--early-stopping", "3", "--schedule", "2",
      "--no-shuffle", "--monitor"]);
    expect(s).toEqual({
      sizes: [784, 256, 128, 10], activation: ["relu", "tanh"], output: "softmax", cost: "log-likelihood", init: "he",
      optimizer: { name: "momentum", mu: 0.5 }, lambda: 5, l1: 0.1, epochs: 7, batch: 32, eta: 0.05, seed: 42, backend: "js", threads: 3, earlyStopping: 3,
      schedule: 2, shuffle: false, monitor: true, restoreBest: true, validationSplit: 0,
    });
    expect(settings([]).threads).toBe("auto");
    expect(settings(["--threads", "auto"]).threads).toBe("auto");
    expect(settings(["--sizes", "4,8,3"], { inputs: 4, classes: 3 }).sizes).toEqual([4, 8, 3]);
    expect(settings(["--hidden", ""], { inputs: 4, classes: 3 }).sizes).toEqual([4, 3]);
    expect(settings(["--optimizer", "adam"]).eta).toBe(0.001);
    // Before the data is loaded, sizes are not compared with it.
    expect(trainSettings(new Values("train", parse("train", ["--sizes", "5,3"], TRAIN_OPTIONS).values), null).sizes).toEqual([5, 3]);
    // η defaults come from the library's table (src/defaults.ts), by optimizer and network.
    expect(settings(["--optimizer", "momentum"]).eta).toBe(defaultLearningRate("momentum", ["sigmoid", "sigmoid"], "quadratic"));
    expect(settings(["--activation", "relu", "--cost", "log-likelihood"]).eta).toBe(defaultLearningRate("sgd", ["relu", "softmax"], "log-likelihood"));
    expect(settings(["--hidden", "8"], { inputs: 3, classes: 1, task: "regression" } as never).eta).toBe(defaultLearningRate("sgd", ["sigmoid", "linear"], "quadratic"));
    expect(settings(["--early-stopping", "2", "--no-restore-best"]).restoreBest).toBe(false);
    expect(settings(["--dropout", "0.5"]).dropout).toBe(0.5);
    expect(settings(["--hidden", "20,10", "--dropout", "0.5,0.2"]).dropout).toEqual([0.5, 0.2]);
    expect(() => settings(["--hidden", "20,10", "--dropout", "0.5,0.2,0.1"])).toThrow(/--dropout lists 3 probabilities but the network has 2 hidden layers/);
    expect(() => settings(["--dropout", "1"])).toThrow(/--dropout must be a probability in \[0, 1\)/);
    expect(settings(["--validation-split", "0.1"]).validationSplit).toBe(0.1);
  });

  const usage = (args: string[], re: RegExp) => {
    try { settings(args); } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).toMatch(re);
      return;
    }
    throw new Error(`expected a UsageError for ${args.join(" ")}`);
  };

  it("bad values name the flag and what it must be", () => {
    usage(["--epochs", "0"], /--epochs must be an integer ≥ 1, got "0"/);
    usage(["--epochs", "2.5"], /--epochs/);
    usage(["--eta", "fast"], /--eta must be a number > 0, got "fast"/);
    usage(["--eta", "-1"], /--eta/);
    usage(["--activation", "relu,swish"], /--activation must be one of sigmoid, tanh, relu/);
    usage(["--cost", "mse"], /--cost must be one of quadratic, cross-entropy, log-likelihood/);
    usage(["--sizes", "784,0,10"], /--sizes must be a comma-separated list/);
    usage(["--sizes", "100,30,10"], /--sizes starts with 100 but the data has 784 inputs/);
    usage(["--sizes", "784,30,5"], /ends with 5 outputs but the data has 10 classes/);
    usage(["--sizes", "784,10", "--hidden", "5"], /not both/);
    usage(["--seed", "-3"], /--seed/);
    usage(["--threads", "0"], /--threads must be an integer from 1 to 256, got "0"/);
    usage(["--threads", "many"], /--threads/);
    usage(["--momentum", "0.9"], /--optimizer momentum/);
    usage(["--backend", "gpu"], /--backend must be one of wasm, wasm-relaxed/);
    usage(["--nope"], /unknown option --nope/);
    usage(["--epoch", "3"], /unknown option --epoch \(did you mean --epochs\?\)/);
    expect(closest("lamda", Object.keys(TRAIN_OPTIONS))).toBe("lambda");
  });

  it("usage errors exit with 2 and point at --help; the library's option errors become usage errors", async () => {
    for (const args of [["train", "--epochs", "zero"], ["train", "--bogus"], ["trian"], ["train", "extra"], ["eval"], ["predict", "m.json"],
      ["train", "--cost", "cross-entropy", "--output", "softmax", "--train-size", "20", "--test-size", "0"], ["help", "nope"]]) {
      const r = await nabla(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toMatch(/^nabla/);
      expect(r.err).toMatch(/--help/);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(r.out).toBe("");
    }
    expect((await nabla(["trian"])).err).toContain("did you mean train?");
    expect((await nabla(["train", "--cost", "cross-entropy", "--output", "softmax", "--train-size", "20", "--test-size", "0"])).err)
      .toMatch(/--output must be "sigmoid" with the cross-entropy cost/);
  });

  it("runtime errors exit with 1 and a message naming the file, without a stack trace", async () => {
    const t = tempDir();
    try {
      writeFileSync(t.path("bad.json"), "{ not json");
      writeFileSync(t.path("im.idx"), new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 5]));
      const cases: [string[], RegExp][] = [
        [["eval", t.path("missing.json")], /missing\.json.*no such file/],
        [["eval", t.path("bad.json")], /bad\.json.*does not parse/],
        [["train", "--data", `idx:${t.path("im.idx")},${t.path("im.idx")}`], /im\.idx.*0x00000803.*0x00000801/],
        [["train", "--data", `idx:${t.path("nothere")},${t.path("im.idx")}`], /nothere.*no such file/],
        [["train", "--data", `fashion-mnist:${t.dir}`], /apt-get install -y dataset-fashion-mnist/],
        [["train", "--data", "csv:" + t.path("nope.csv")], /nope\.csv.*no such file/],
      ];
      for (const [args, re] of cases) {
        const r = await nabla(args);
        expect(r.code, args.join(" ")).toBe(1);
        expect(r.err).toMatch(re);
        expect(r.err).not.toMatch(/\n\s+at /);
      }
      const nodir = await nabla(["train", "--save", t.path("no/such/dir/m.json")]);
      expect(nodir.code).toBe(2);
      expect(nodir.err).toMatch(/--save .*m\.json: cannot write in .*no such directory/);
      const label = await nabla(["train", "--label", "3"]);
      expect(label.code).toBe(2);
      expect(label.err).toMatch(/--label applies to CSV data/);
      const bad = await nabla(["train", "--data", "parquet:x"]);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/--data must be mnist, fashion-mnist/);
    } finally {
      t.cleanup();
    }
  });
});
