// The threaded builds' exports (asconfig.json targets *-threads): every kernel of index.ts, plus
// the row-range variants one thread's share of the work calls (src/threads/plan.ts) and the
// choice of a thread's scratch slot. The single-thread builds export index.ts alone, so these
// cost a page that does not use threads nothing. Exports only.
export * from "./index";
export { bp3Rows } from "./bp3";
export { forwardRows } from "./forward";
export { bp2Rows } from "./bp2";
export { bp4Rows, bp4sgdRows, setScratchSlot } from "./bp4";
