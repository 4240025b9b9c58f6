// NetworkWorker's worker entry (dist/worker/entry.js, unchanged) with test hooks around it, for
// test/browser/threads.test.ts. The page creates it itself and passes it as options.worker;
// messages { hook } are answered here and never reach the entry:
//   { hook: "failStart" }      the next helper Web Workers fail to start (their script throws)
//   { hook: "dieAtNextTask" }  helper 1 leaves (as if killed) when it takes its next task, holding it
//   { hook: "throwAtNextCall" } the next kernel call a helper makes throws
//   { hook: "calls" }          replies { hook: "calls", calls }: kernel calls the helpers ran so far
// Each helper runs nabla's own helper script, with WebAssembly.Instance wrapped to count the
// kernel calls it makes (so the test knows the helpers computed). The no-progress timeout of
// the pool is lowered to 1 s.
// (A page that is not cross-origin isolated has no SharedArrayBuffer, and no helpers.)
// calls[0]: kernel calls the helpers made; calls[1]: 1 = the next one throws.
const calls = new Int32Array(typeof SharedArrayBuffer === "function" ? new SharedArrayBuffer(8) : 8);
let failStart = false, init = null;
const Real = Worker;
self.Worker = class extends Real {
  constructor(url, options) {
    const wrapper = failStart ? `throw new Error("a helper that cannot start (test hook)");` : `
      let calls;
      const RealInstance = WebAssembly.Instance;
      WebAssembly.Instance = function (module, imports) {
        const e = new RealInstance(module, imports).exports, counted = {};
        for (const k in e) {
          counted[k] = typeof e[k] !== "function" || k === "setScratchSlot" ? e[k] : (...a) => {
            Atomics.add(calls, 0, 1);
            if (Atomics.exchange(calls, 1, 0)) throw new Error("a kernel call that throws (test hook)");
            return e[k](...a);
          };
        }
        return { exports: counted };
      };
      importScripts(${JSON.stringify(String(url))});
      const start = onmessage;
      onmessage = (e) => { calls = new Int32Array(e.data.calls); start(e); };`;
    super(URL.createObjectURL(new Blob([wrapper], { type: "text/javascript" })), options);
  }
  postMessage(m, transfer) {
    if (m && m.control) init = m;
    super.postMessage(m && m.control ? { ...m, calls: calls.buffer } : m, transfer);
  }
};
self.addEventListener("message", (e) => {
  const hook = e.data && e.data.hook;
  if (!hook) return;
  e.stopImmediatePropagation();
  if (hook === "failStart") failStart = true;
  if (hook === "dieAtNextTask") Atomics.store(new Int32Array(init.control), init.layout.DIE, 1);
  if (hook === "throwAtNextCall") Atomics.store(calls, 1, 1);
  if (hook === "calls") postMessage({ hook, calls: Atomics.load(calls, 0) });
});
(await import("/dist/threads/pool.js")).setThreadTimeout(1000);
await import("/dist/worker/entry.js");
