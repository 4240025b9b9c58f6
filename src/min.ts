// nabla/min (dist/min/nabla.js, made by scripts/build-min.mjs): the library for pages without a
// bundler, minified — everything `nabla` exports. NetworkWorker is in nabla/min/worker
// (dist/min/worker.js), as in `nabla/worker`; the two are built together with code
// splitting, so a page importing both shares one copy of the error classes (a chunk both
// import), and a page computing on its main thread does not load the worker client.
export * from "./index.js";
