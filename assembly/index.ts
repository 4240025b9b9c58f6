// nabla's kernels: one file per equation family. Exports only.
export { heapBase, build } from "./ptr";
export { forward } from "./forward";
export { bp1 } from "./bp1";
export { bp2 } from "./bp2";
export { bp3 } from "./bp3";
export { bp4, bp4sgd } from "./bp4";
export { sgd } from "./sgd";
export { momentum } from "./momentum";
export { adam } from "./adam";
export { cost } from "./cost";
export { allFinite } from "./finite";
export { loadBytes } from "./load";
export { dropout } from "./dropout";
