// Measures the learning rates behind the defaults table (docs/algorithms.md, "Defaults"):
// each (hidden activation, output, cost, optimizer) on real MNIST digits (the `mnist` dev
// dependency, the 8000/2000 split of src/data/mnist.ts, shortened by the flags below), for
// several η and seeds; prints one JSON line per run with every epoch's training cost and test
// accuracy. Run: node --import tsx bench/defaults.ts [--train 4000] [--test 1000] [--epochs 5] [--seeds 1,2] [--only name]
import "../src/node.js";
import { Network } from "../src/index.js";
import { mnistSplit } from "../src/data/mnist.js";
import type { Activation, Cost } from "../src/kernels.js";
import type { OptimizerOption } from "../src/options.js";

const arg = (name: string, d: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const TRAIN = Number(arg("train", "4000")), TEST = Number(arg("test", "1000")), EPOCHS = Number(arg("epochs", "5"));
const SEEDS = arg("seeds", "1,2").split(",").map(Number), ONLY = arg("only", "");

interface Config { name: string; sizes: number[]; activation: Activation; output?: Activation; cost: Cost; optimizer: OptimizerOption; etas: number[] }
const CLASSIFY: [string, Activation, Activation | undefined, Cost][] = [
  ["sigmoid/sigmoid/quadratic", "sigmoid", undefined, "quadratic"],
  ["sigmoid/sigmoid/cross-entropy", "sigmoid", undefined, "cross-entropy"],
  ["sigmoid/softmax/log-likelihood", "sigmoid", "softmax", "log-likelihood"],
  ["relu/softmax/log-likelihood", "relu", "softmax", "log-likelihood"],
  ["relu/sigmoid/quadratic", "relu", undefined, "quadratic"],
  ["relu/sigmoid/cross-entropy", "relu", undefined, "cross-entropy"],
  ["tanh/softmax/log-likelihood", "tanh", "softmax", "log-likelihood"],
];
const ETAS: Record<string, number[]> = {
  sgd: [3, 1, 0.5, 0.3, 0.1, 0.03],
  momentum: [3, 0.3, 0.1, 0.03, 0.01],
  adam: [3, 0.1, 0.01, 0.003, 0.001, 0.0003],
};
const configs: Config[] = [];
for (const [name, activation, output, cost] of CLASSIFY) {
  for (const opt of ["sgd", "momentum", "adam"] as const) {
    configs.push({ name: `${name} ${opt}`, sizes: [784, 30, 10], activation, output, cost, optimizer: opt, etas: ETAS[opt] });
  }
}
configs.push({ name: "wide300 sigmoid/sigmoid/quadratic sgd", sizes: [784, 300, 10], activation: "sigmoid", cost: "quadratic", optimizer: "sgd", etas: [3, 1, 0.5, 0.3] });
// Regression: the digit's value / 9 from its pixels, one linear output.
for (const hidden of ["sigmoid", "relu"] as const) {
  for (const opt of ["sgd", "momentum", "adam"] as const) {
    configs.push({ name: `regression ${hidden}/linear/quadratic ${opt}`, sizes: [784, 30, 1], activation: hidden, output: "linear", cost: "quadratic", optimizer: opt, etas: ETAS[opt] });
  }
}

const { train, test } = mnistSplit(TRAIN, TEST);
const asValues = (d: { inputs: Float32Array; labels: Uint8Array }) => ({ inputs: d.inputs, outputs: Float32Array.from(d.labels, (l) => l / 9) });
const regTrain = asValues(train), regTest = asValues(test);
for (const c of configs) {
  if (ONLY && !c.name.includes(ONLY)) continue;
  const regression = c.sizes.at(-1) === 1;
  for (const eta of c.etas) {
    for (const seed of SEEDS) {
      const net = new Network(c.sizes, { seed, activation: c.activation, cost: c.cost, ...(c.output ? { output: c.output } : {}) });
      const row: Record<string, unknown> = { config: c.name, eta, seed };
      try {
        const h = net.train(regression ? regTrain : train, { epochs: EPOCHS, learningRate: eta, optimizer: c.optimizer, testData: regression ? regTest : test });
        row.cost = h.map((s) => +s.cost.toPrecision(4));
        row.testCost = h.map((s) => +s.testCost!.toPrecision(4));
        if (!regression) row.accuracy = h.map((s) => +s.accuracy!.toFixed(4));
      } catch (e) {
        row.error = (e as Error).name;
      }
      console.log(JSON.stringify(row));
    }
  }
}
