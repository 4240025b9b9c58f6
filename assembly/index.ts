// nabla's kernels: one file per equation family. Exports only.
export { heapBase, build } from "./ptr";
export { forward } from "./forward";
export { bp1 } from "./bp1";
export { bp2 } from "./bp2";
export { bp3, bp3Rows } from "./bp3";
export { bp4, bp4Rows, bp4sgd, bp4sgdRows, setScratchSlot } from "./bp4";
export { sgd } from "./sgd";
export { momentum } from "./momentum";
export { adam } from "./adam";
export { cost } from "./cost";
export { allFinite } from "./finite";
export { loadBytes } from "./load";
