// Peak resident memory of one 60,000-sample training epoch of [784,30,10] (m=10), in a process
// of its own so nothing else inflates it. The data are synthetic (seeded uniform pixels and
// labels; MNIST's size, not its content): the point is what training adds on top of the dataset.
// With "bytes" as second argument the inputs are a Uint8Array made into a data set (scale 1/255,
// transfer: true): the set stays bytes and each batch is widened in wasm (kernels.loadBytes).
// Run: node --import tsx bench/memory.ts [backend] [floats|bytes]  → prints one JSON line.
import "../src/node.js"; // registers every wasm build, as `import "nabla"` does in Node
import { Network } from "../src/network.js";
import { Random } from "../src/random.js";
import { dataset } from "../src/dataset.js";

const backend = (process.argv[2] ?? "wasm") as "wasm";
const bytes = process.argv[3] === "bytes";
const count = 60_000, nIn = 784;
const mib = (bytes: number) => +(bytes / 2 ** 20).toFixed(1);
const rssStart = process.memoryUsage().rss;
const inputs = bytes ? new Uint8Array(count * nIn) : new Float32Array(count * nIn);
const labels = new Uint8Array(count);
const rng = new Random(7);
for (let i = 0; i < inputs.length; i++) inputs[i] = bytes ? rng.int(256) : rng.next();
for (let i = 0; i < count; i++) labels[i] = rng.int(10);
const rssData = process.memoryUsage().rss;
const net = new Network([784, 30, 10], { seed: 1, backend });
const t0 = performance.now();
const datasetBytes = inputs.byteLength;
const data = bytes ? dataset({ inputs: inputs as Uint8Array, labels }, { inputs: nIn, outputs: 10, scale: 1 / 255, transfer: true })
  : { inputs: inputs as Float32Array, labels };
const [stats] = net.train(data, { epochs: 1, batchSize: 10, learningRate: 3 });
const seconds = (performance.now() - t0) / 1000;
const peak = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify({
  backend: net.backend, samples: count, inputs: bytes ? "Uint8Array data set (scale 1/255, transfer)" : "Float32Array tensors", datasetMiB: mib(datasetBytes),
  rssStartMiB: mib(rssStart), rssWithDataMiB: mib(rssData), peakRssMiB: mib(peak),
  limitMiB: mib(1.5 * datasetBytes + 64 * 2 ** 20),
  withinLimit: peak <= 1.5 * datasetBytes + 64 * 2 ** 20,
  epochSeconds: +seconds.toFixed(3), samplesPerSecond: Math.round(stats.samplesPerSecond),
}));
