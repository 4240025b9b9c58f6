// The demo page: nabla as a page loads it, without a bundler. The network lives in a
// Web Worker (NetworkWorker); this thread only draws, so the page stays smooth while
// the worker trains. It imports the small prebuilt client (nabla/min/worker, 3.4 KB
// gzipped): the library itself is loaded by the worker, never by this thread.
import { NetworkWorker, availableBackends } from "../dist/min/worker.js";
import { drawingPad, paintDigit } from "./draw.js";
import { lineChart } from "./charts.js";

const $ = (id) => document.getElementById(id);
const form = $("settings");
const ui = {
  train: $("train"), stop: $("stop"), reset: $("reset"), download: $("download"), upload: $("upload"),
  uploadButton: $("upload-button"),
  status: $("status"), bar: $("bar"), facts: $("facts"),
};

// ---- state shared with the browser tests (read-only for them) ----------------------------
const demo = (window.nablaDemo = {
  frames: 0,            // requestAnimationFrame callbacks so far (the page keeps painting)
  state: "loading",     // loading | idle | training | error
  errors: [],
  history: [],          // [{ epoch, cost, testCost, accuracy }], epoch 0 = before training
  lastOutput: null,     // the ten activations for the drawing
  lastRun: null,        // { epochs, frames, ms } of the last train call
});
const setState = (s) => { demo.state = s; document.body.dataset.state = s; };

let trainer = null;     // NetworkWorker
let netKey = "";        // the settings the current network was made with
let data = null;        // { trainCount, testCount, labels, pixels }
let testSet = null;     // { inputs: Float32Array, labels: Uint8Array } for evaluation on this side

// ---- the frame counter: an always-running animation loop ---------------------------------
const pulse = $("pulse");
(function frame(t) {
  demo.frames++;
  if (demo.state === "training") pulse.style.transform = `scale(${1 + 0.45 * Math.sin(t / 160)})`;
  else pulse.style.transform = "";
  requestAnimationFrame(frame);
})(0);

// ---- data --------------------------------------------------------------------------------
async function loadDigits() {
  const res = await fetch("../build/demo/mnist.bin");
  if (!res.ok) throw new Error(`could not load the digits (${res.status}); start the page with npm run demo`);
  const buf = new Uint8Array(await res.arrayBuffer());
  const dv = new DataView(buf.buffer);
  if (String.fromCharCode(...buf.subarray(0, 4)) !== "MNST") throw new Error("mnist.bin: not a digits file");
  const trainCount = dv.getUint32(4, true), testCount = dv.getUint32(8, true), n = trainCount + testCount;
  return { trainCount, testCount, labels: buf.subarray(16, 16 + n), pixels: buf.subarray(16 + n) };
}

/** Rows from..from+count as { inputs: Float32Array in [0, 1], labels }. A fresh copy each time (it is transferred). */
function rows(from, count) {
  const inputs = new Float32Array(count * 784), px = data.pixels.subarray(from * 784, (from + count) * 784);
  for (let i = 0; i < inputs.length; i++) inputs[i] = px[i] / 255;
  return { inputs, labels: data.labels.slice(from, from + count) };
}

// ---- settings ----------------------------------------------------------------------------
function settings() {
  // Read the controls directly (FormData skips disabled ones, and they are disabled while busy).
  const f = { get: (k) => form.elements[k].value };
  const cost = f.get("cost");
  const num = (k, d) => { const v = Number(f.get(k)); return Number.isFinite(v) ? v : d; };
  return {
    net: {
      sizes: String(f.get("sizes")).split(",").map(Number),
      options: {
        activation: f.get("activation"),
        cost,
        seed: Math.max(0, Math.floor(num("seed", 1))),
        backend: f.get("backend"),
        // Helper threads where they pay (a network large enough) and the page can have them
        // (cross-origin isolated: the demo server sends COOP/COEP); trainer.threads says what it got.
        threads: "auto",
        init: f.get("activation") === "relu" ? "he" : "scaled",
      },
    },
    train: {
      epochs: Math.max(1, Math.floor(num("epochs", 5))),
      batchSize: Math.max(1, Math.floor(num("batch", 10))),
      learningRate: num("eta", 0.5),
      lambda: num("lambda", 0),
      optimizer: f.get("optimizer"),
    },
  };
}

const keyOf = (net) => JSON.stringify(net);

async function newNetwork(net = settings().net) {
  trainer?.terminate();
  trainer = null;
  trainer = await NetworkWorker.create(net.sizes, net.options);
  netKey = keyOf(net);
  demo.history = [];
  await measure(0);
  explain();
  return trainer;
}

// ---- training ----------------------------------------------------------------------------
/** Evaluates the network on the test digits as the starting point (epoch 0) of the curves. */
async function measure(epoch) {
  const e = await trainer.evaluate(testSet);
  demo.history.push({ epoch, cost: undefined, testCost: e.cost, accuracy: e.accuracy });
  show();
  await gallery();
}

function show(stats, planned = 0) {
  const h = demo.history, last = h.at(-1);
  $("accuracy").textContent = last ? `${(last.accuracy * 100).toFixed(1)}%` : "–";
  $("accuracy").dataset.value = last ? String(last.accuracy) : "";
  $("test-cost").textContent = last ? last.testCost.toFixed(3) : "–";
  $("epoch").textContent = last ? String(last.epoch) : "–";
  if (stats) $("speed").textContent = `${Math.round(stats.samplesPerSecond).toLocaleString("en")}/s`;
  charts(planned);
}

function charts(planned = 0) {
  const h = demo.history;
  const xMax = Math.max(planned, h.at(-1)?.epoch ?? 0, 1);
  const accs = h.map((p) => p.accuracy * 100);
  lineChart($("acc-chart"), {
    series: [{ points: h.map((p) => [p.epoch, p.accuracy * 100]), color: getComputedStyle(document.documentElement).getPropertyValue("--accent") }],
    xMax, yMin: Math.min(0, ...accs), yMax: 100, fmt: (v) => `${v.toFixed(0)}%`,
  });
  // Costs from epoch 1 on (a random network's cost would flatten the curve).
  const hc = h.filter((p) => p.epoch > 0);
  $("cost-empty").hidden = hc.length > 0;
  const costs = hc.flatMap((p) => [p.cost, p.testCost]).filter((c) => c !== undefined);
  const top = Math.max(0.1, ...costs) * 1.1;
  lineChart($("cost-chart"), {
    series: [
      { points: hc.map((p) => [p.epoch, p.cost]), color: getComputedStyle(document.documentElement).getPropertyValue("--accent") },
      { points: hc.map((p) => [p.epoch, p.testCost]), color: getComputedStyle(document.documentElement).getPropertyValue("--test") },
    ],
    xMax, yMin: 0, yMax: top, fmt: (v) => v.toFixed(top < 1 ? 2 : 1),
  });
}

const GALLERY = 32;
async function gallery() {
  const g = $("gallery");
  if (!g.children.length) {
    for (let i = 0; i < GALLERY; i++) {
      const f = document.createElement("figure");
      const c = document.createElement("canvas");
      c.width = c.height = 28;
      paintDigit(c, testSet.inputs.subarray(i * 784, (i + 1) * 784));
      f.append(c, document.createElement("span"));
      g.append(f);
    }
  }
  const out = await trainer.feedforwardBatch(testSet.inputs.subarray(0, GALLERY * 784));
  [...g.children].forEach((f, i) => {
    let best = 0;
    for (let j = 1; j < 10; j++) if (out[i * 10 + j] > out[i * 10 + best]) best = j;
    f.querySelector("span").textContent = String(best);
    f.classList.toggle("wrong", best !== testSet.labels[i]);
  });
}

async function train() {
  const s = settings();
  busy(true);
  try {
    if (!trainer || keyOf(s.net) !== netKey) await newNetwork(s.net);
    const first = (demo.history.at(-1)?.epoch ?? 0);
    const planned = first + s.train.epochs;
    charts(planned);
    setState("training");
    ui.status.textContent = `Training ${s.net.sizes.join("–")} on ${data.trainCount.toLocaleString("en")} digits in a Web Worker (${where()})…`;
    const framesBefore = demo.frames, t0 = performance.now();
    let drawn = Promise.resolve();
    const history = await trainer.train(rows(0, data.trainCount), {
      ...s.train,
      testData: rows(data.trainCount, data.testCount),
      transfer: true,
      onProgress: (done, total, epoch) => {
        ui.bar.style.width = `${(100 * (epoch + done / total)) / s.train.epochs}%`;
      },
      onEpoch: (stats) => {
        demo.history.push({ epoch: first + stats.epoch + 1, cost: stats.cost, testCost: stats.testCost, accuracy: stats.accuracy });
        show(stats, planned);
        drawn = gallery(); // answered by the worker between epochs
      },
    });
    demo.lastRun = { epochs: history.length, frames: demo.frames - framesBefore, ms: performance.now() - t0 };
    await drawn;
    const acc = demo.history.at(-1).accuracy;
    const stopped = history.length < s.train.epochs;
    ui.bar.style.width = `${(100 * history.length) / s.train.epochs}%`;
    ui.status.textContent = `${stopped ? "Stopped after" : "Done:"} ${history.length} epoch${history.length === 1 ? "" : "s"}, ${(acc * 100).toFixed(1)}% of the test digits right. `
      + `The page drew ${demo.lastRun.frames} frames meanwhile. Draw a digit below.`;
    predict();
  } catch (e) {
    fail(e);
  } finally {
    setState(demo.state === "error" ? "error" : "idle");
    busy(false);
  }
}

function busy(on) {
  ui.train.disabled = on;
  ui.reset.disabled = on;
  ui.stop.disabled = !on;
  ui.download.disabled = on || !trainer;
  ui.upload.disabled = ui.uploadButton.disabled = on; // a model replaces the network: never while training
  for (const el of form.elements) el.disabled = on;
}

function fail(e) {
  console.error(e);
  demo.errors.push(String(e?.message ?? e));
  setState("error");
  ui.status.textContent = `Error: ${e?.message ?? e}`;
}

// ---- drawing -----------------------------------------------------------------------------
const bars = $("bars");
for (let j = 0; j < 10; j++) {
  const b = document.createElement("div");
  b.className = "bar";
  b.innerHTML = `<small>–</small><i></i><b>${j}</b>`;
  bars.append(b);
}

const pad = drawingPad($("pad"), () => predict());

async function predict() {
  const x = pad.pixels();
  paintDigit($("seen"), x);
  $("pad-hint").style.display = x ? "none" : "";
  if (!x || !trainer) {
    demo.lastOutput = null;
    $("guess").textContent = "?";
    [...bars.children].forEach((b) => { b.classList.remove("top"); b.querySelector("i").style.height = "0"; b.querySelector("small").textContent = "–"; });
    return;
  }
  let a;
  try {
    a = await trainer.feedforward(x);
  } catch (e) {
    ui.status.textContent = `Could not read the drawing: ${e.message}`;
    return;
  }
  demo.lastInput = Array.from(x);
  demo.lastOutput = Array.from(a);
  let best = 0;
  for (let j = 1; j < 10; j++) if (a[j] > a[best]) best = j;
  $("guess").textContent = String(best);
  [...bars.children].forEach((b, j) => {
    b.classList.toggle("top", j === best);
    b.querySelector("i").style.height = `${Math.max(0, Math.min(1, a[j])) * 100}%`;
    b.querySelector("small").textContent = a[j].toFixed(2);
  });
}

// ---- the BP1–BP4 panel, filled in for the current network ---------------------------------
function explain() {
  const s = settings(), sizes = trainer.sizes, m = s.train.batchSize, L = sizes.length;
  const set = (k, html) => document.querySelectorAll(`[data-k="${k}"]`).forEach((el) => (el.innerHTML = html));
  set("m", String(m));
  set("shapes", sizes.slice(1).map((n, l) => `w<sup>${l + 2}</sup> is ${n}×${sizes[l]}`).join(", "));
  set("bp1", trainer.cost === "quadratic" ? `quadratic cost: (a<sup>L</sup> − y) ⊙ σ′(z<sup>L</sup>)`
    : `with ${trainer.cost === "cross-entropy" ? "sigmoid and cross-entropy" : "softmax and log-likelihood"} this is just a<sup>L</sup> − y (L = ${L})`);
  set("step", s.train.optimizer === "sgd"
    ? `w → (1 − ηλ/n) w − (η/m) Σ<sub>x</sub> ∂C<sub>x</sub>/∂w`
    : `${s.train.optimizer === "adam" ? "Adam" : "momentum"} step with η = ${s.train.learningRate}`);
  set("batches", Math.ceil(data.trainCount / m).toLocaleString("en"));
  let params = 0;
  for (let l = 1; l < L; l++) params += sizes[l] * (sizes[l - 1] + 1);
  $("params").textContent = params.toLocaleString("en");
  $("where").textContent = where();
}

/** Where the network computes: its backend and the threads it got, and why only one. */
function where() {
  const t = trainer.threads;
  return `${trainer.backend}, ${t > 1 ? `${t} threads` : crossOriginIsolated
    ? "1 thread (threads pay from larger networks)" : "1 thread (the page is not cross-origin isolated)"}`;
}

// ---- buttons -----------------------------------------------------------------------------
ui.train.addEventListener("click", () => void train());
ui.stop.addEventListener("click", async () => {
  ui.stop.disabled = true;
  ui.status.textContent = "Stopping after this epoch…";
  await trainer?.cancel();
});
ui.reset.addEventListener("click", async () => {
  busy(true);
  try {
    await newNetwork();
    ui.bar.style.width = "0";
    ui.status.textContent = "A new network with random weights: it guesses (about 10% right). Press Train.";
    predict();
  } catch (e) { fail(e); } finally { busy(false); }
});
$("clear").addEventListener("click", () => pad.clear());
ui.download.addEventListener("click", async () => {
  const json = await trainer.toJSON();
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([JSON.stringify(json)], { type: "application/json" }));
  a.download = `nabla-mnist-${json.sizes.join("-")}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});
ui.uploadButton.addEventListener("click", () => ui.upload.click());
/**
 * What a model file holds, checked before anything changes: null if it is a network this
 * page can use (784 inputs, 10 outputs), else a sentence saying what it is.
 */
function unusable(text) {
  let json;
  try { json = JSON.parse(text); } catch { return "it is not JSON"; }
  const sizes = json?.sizes;
  if (json?.format !== "nabla" || !Array.isArray(sizes) || sizes.length < 2 || !sizes.every((n) => Number.isInteger(n) && n > 0)) {
    return "it is not a nabla model (no \"format\": \"nabla\" with layer sizes)";
  }
  if (sizes[0] !== 784 || sizes.at(-1) !== 10) {
    return `it holds a ${sizes.join("–")} network (${sizes[0]} input${sizes[0] === 1 ? "" : "s"}, ${sizes.at(-1)} output${sizes.at(-1) === 1 ? "" : "s"}); `
      + "this page needs 784 inputs (28×28 pixels) and 10 outputs (the digits)";
  }
  return null;
}
ui.upload.addEventListener("change", async () => {
  const file = ui.upload.files?.[0];
  if (!file || demo.state === "training") return;
  busy(true);
  try {
    const text = await file.text();
    const why = unusable(text);
    if (why) {
      ui.status.textContent = `Could not load ${file.name}: ${why}. The current network is kept.`;
      return;
    }
    const { backend, threads } = settings().net.options;
    const next = await NetworkWorker.fromJSON(text, { backend, threads });
    trainer?.terminate();
    trainer = next;
    netKey = "";
    // Show the model's settings in the form where they match an option.
    const sizes = trainer.sizes.join(","), act = trainer.activations[0];
    if ([...form.sizes.options].some((o) => o.value === sizes)) form.sizes.value = sizes;
    if ([...form.activation.options].some((o) => o.value === act)) form.activation.value = act;
    form.cost.value = trainer.cost;
    netKey = keyOf(settings().net);
    demo.history = [];
    await measure(0);
    explain();
    ui.status.textContent = `Loaded ${file.name}: ${trainer.sizes.join("–")}, ${(demo.history[0].accuracy * 100).toFixed(1)}% of the test digits right.`;
    predict();
  } catch (e) {
    ui.status.textContent = `Could not load ${file.name}: ${e.message}. The current network is kept.`;
  } finally {
    ui.upload.value = "";
    busy(false);
  }
});
// A learning rate that suits each optimizer (the user can change it after).
form.optimizer.addEventListener("change", () => {
  form.eta.value = { sgd: "0.5", momentum: "0.1", adam: "0.001" }[form.optimizer.value];
});
form.addEventListener("change", () => {
  if (trainer && keyOf(settings().net) !== netKey) ui.status.textContent = "Network settings changed: Train starts a new network.";
  else if (trainer) explain();
});
window.addEventListener("resize", () => charts());

// ---- start -------------------------------------------------------------------------------
(async () => {
  try {
    const backends = availableBackends();
    const sel = $("backend");
    for (const b of ["wasm", ...backends]) {
      const o = document.createElement("option");
      o.value = b;
      o.textContent = b === "wasm" ? `best available (${backends[0]})` : b === "js" ? "js (no WebAssembly)" : b;
      sel.append(o);
    }
    data = await loadDigits();
    testSet = rows(data.trainCount, data.testCount);
    ui.facts.textContent = `${data.trainCount.toLocaleString("en")} training and ${data.testCount.toLocaleString("en")} test digits from MNIST · `
      + `this browser runs: ${backends.join(", ")}`;
    await newNetwork();
    setState("idle");
    busy(false);
    ui.status.textContent = "Ready. The network starts with random weights, so it guesses. Press Train.";
  } catch (e) {
    fail(e);
  }
})();
