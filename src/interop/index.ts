// nabla/interop: the way to and from other engines. ONNX (ONNX Runtime, PyTorch via
// onnx2torch, …) and TensorFlow.js layers models, both ways. A sub-export, so pages that do
// not use it do not load it. See docs/interop.md.
export { toONNX, fromONNX, onnxToJSON, IR_VERSION, OPSET } from "./onnx.js";
export { toTfjs, fromTfjs, tfjsToJSON, type TfjsArtifacts, type WeightSpec } from "./tfjs.js";
export type { ImportOptions, ImportedJSON, Preprocessing } from "./common.js";
