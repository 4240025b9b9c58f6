// Helper threads in Node: worker_threads running the task loop of src/threads/helper-source.ts.
// Registered by the Node entry (src/node.ts), so the browser bundle never imports node:worker_threads.
import { Worker, MessageChannel, receiveMessageOnPort } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { SERVE_SOURCE } from "./helper-source.js";
import { LAYOUT, TASK_KERNELS, type Spawn } from "./pool.js";
import { AUTO_CAP } from "./option.js";

/** A Node helper: the shared task loop (helper-source.ts), its failures reported on a port. CommonJS, run with eval. */
const HELPER_SOURCE = `"use strict";
const { workerData } = require("node:worker_threads");
const { module, memory, control, port, index, kernels, layout } = workerData;
${SERVE_SOURCE}
serve(module, memory, control, index, kernels, layout, () => process.exit(70), (message) => port.postMessage(message));
`;

export const spawnNode: Spawn = (index, module, memory, control, onExit) => {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(HELPER_SOURCE, {
    eval: true,
    workerData: { module, memory, control, port: port2, index, kernels: TASK_KERNELS, layout: LAYOUT },
    transferList: [port2],
    // Not the process's command-line flags: e.g. `--input-type=module` would make HELPER_SOURCE
    // (CommonJS) fail to start. V8's flags (such as relaxed SIMD's) are per process anyway.
    execArgv: [],
    // A helper holds no JavaScript data of its own: small heaps.
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8, stackSizeMb: 1 },
    stdout: false,
    stderr: false,
  });
  // Helper threads never keep the process alive.
  worker.unref();
  port1.unref();
  worker.on("exit", onExit);
  worker.on("error", () => { /* reported through the control block and the port */ });
  return {
    terminate: () => {
      port1.close();
      void worker.terminate();
    },
    takeError: () => {
      let last: string | null = null;
      for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) last = String(m.message);
      return last;
    },
  };
};

/** The thread count "auto" resolves to: the cores the platform reports, at most AUTO_CAP. */
export const nodeCores = (): number => Math.min(AUTO_CAP, availableParallelism());
