// nabla's public API.
export { Network, type Gradient, type Evaluation, type EpochEvent, type Verdict } from "./network.js";
export { dataset, Dataset, type DatasetOptions, type ByteData } from "./dataset.js";
export type { NetworkOptions, TrainOptions, EpochStats, Init, OptimizerOption } from "./options.js";
export type { Data, Sample, TensorData, Vector } from "./data.js";
export type { Activation, Cost, BackendName } from "./kernels.js";
export type { NetworkJSON } from "./serialize.js";
export { TASKS, type Task } from "./task.js";
export type { Prediction } from "./predict.js";
export { DEFAULTS, defaultLearningRate } from "./defaults.js";
export { MIN_STD } from "./preprocessing.js";
export { init, availableBackends } from "./wasm.js";
export {
  NablaError, ShapeError, DataError, OptionError, ModelFormatError, BackendError, DisposedError, DivergenceError,
} from "./errors.js";
