// nabla/min (dist/min/nabla.js, made by scripts/build-min.mjs): the library for pages without a
// bundler, as one minified file — everything `nabla` exports, and NetworkWorker — so that the
// error classes a worker's errors are rebuilt as are the ones the page imports. (A page that
// only trains in a worker imports nabla/min/worker instead: the client alone, with the error classes.)
export * from "./index.js";
export { NetworkWorker, createTrainer, type NetworkWorkerOptions, type WorkerTrainOptions } from "./worker/index.js";
