// The one epoch loop (network.py's SGD): Network.train, NetworkWorker and `nabla train` all
// iterate this generator. Per epoch: snapshot (the divergence guard), shuffle, mini-batches
// (load, forward with dropout, cost, backward + update), progress events, the end-of-epoch checks
// and evaluations with the task's metrics, the collapse warnings, the epoch event, and the plateau
// tracker (early stopping, η schedule) on the task's score; at the end, restoreBest
// (src/monitor.ts watches the metrics, the score and the best epoch).
//
// The consumer drives it and decides at each event:
//   next()      go on;
//   return()    stop: at an epoch event the epoch stays; at a progress event (mid-epoch) the
//               epoch is undone (the network is as it was at the epoch's start);
//   throw(e)    fail (e.g. a callback threw): the network goes back to the epoch's start and
//               e is rethrown.
// Any failure inside (divergence, data found bad, a detached buffer) also restores the epoch's
// start before it is thrown. Snapshots hold parameters, optimizer state, the generator and
// Adam's step count.
import type { Arena } from "./arena.js";
import type { Random } from "./random.js";
import type { Rows } from "./data.js";
import type { EpochStats, Optimizer, ResolvedTrainOptions } from "./options.js";
import { load, evaluateRows, CHUNK } from "./batches.js";
import { forward, backward, backwardSgd, update, cost } from "./passes.js";
import { plateau, EARLY_STOP, HALVED, SCHEDULE_DONE } from "./plateau.js";
import { DivergenceError, NablaError } from "./errors.js";
import type { Activation } from "./kernels.js";
import type { Task } from "./task.js";
import type { Metrics } from "./metrics.js";
import { TrainingMonitor } from "./monitor.js";

/** What the plateau tracker says after an epoch with test data: go on, go on with η halved, or stop. */
export type Verdict = "continue" | "halved" | "early-stop" | "schedule-done";

export type EpochEvent =
  /** About 100 times per epoch: samples done so far in this epoch. */
  | { type: "progress"; epoch: number; done: number; total: number }
  /** After each epoch: its record, the tracker's verdict, and η for the next epoch. */
  | { type: "epoch"; stats: EpochStats; verdict: Verdict; eta: number };

/** The training state of one network, shared with it (the generator updates opt). */
export interface Trainee {
  readonly arena: Arena;
  readonly rng: Random;
  /** Which optimizer's state opt1/opt2 hold, and Adam's step count t. */
  opt: { name: Optimizer["name"]; t: number };
  /** Set while an epoch generator runs: train() re-entered from a callback is refused. */
  running: boolean;
  /** False once the network was disposed. */
  live(): boolean;
  /** The network's task (what the metrics, the watched score and the warnings follow) and activations. */
  readonly task: Task;
  readonly activations: readonly Activation[];
}

/** Refuses a second training run on a network whose run is not finished (a callback re-entering train). */
export function checkIdle(s: Trainee, where: string): void {
  if (s.running) {
    throw new NablaError(where, "the network", "idle (one training run at a time)",
      "a training run in progress (train() called from onEpoch/onProgress, or an epochs() iterator not finished: call its return())");
  }
}

/** The optimizer-state blocks (opt1, opt2) each optimizer keeps: the snapshot copies no more. */
const STATE_BLOCKS: Record<Optimizer["name"], number> = { sgd: 0, momentum: 1, adam: 2 };

/** The epochs of one training run over checked rows (and test rows), as events. Returns the records. */
export function* epochs(s: Trainee, where: string, rows: Rows, test: Rows | null, o: ResolvedTrainOptions): Generator<EpochEvent, EpochStats[], void> {
  checkIdle(s, where);
  s.running = true;
  try {
    return yield* run(s, where, rows, test, o);
  } finally {
    s.running = false;
  }
}

function* run(s: Trainee, where: string, rows: Rows, test: Rows | null, o: ResolvedTrainOptions): Generator<EpochEvent, EpochStats[], void> {
  const net = s.arena, rng = s.rng, k = net.k;
  const n = rows.count, m = o.batchSize;
  // Size the batch buffers once for training and evaluation (a callback's evaluate may grow them
  // later: the plan is read again at every batch).
  const evalChunk = (r: Rows | null) => (r ? Math.min(r.count, CHUNK) : 0);
  net.ensure(where, Math.max(Math.min(m, n), evalChunk(test), o.monitorTraining ? evalChunk(rows) : 0));
  // A different optimizer starts from zero state: done in epoch 0 after the snapshot, so a
  // failure in epoch 0 restores the previous optimizer's state (a failed call changes nothing).
  const switchOptimizer = o.optimizer.name !== s.opt.name;
  const idx = new Uint32Array(n);
  const history: EpochStats[] = [];
  const progressEvery = Math.max(1, Math.ceil(n / m / 100));
  // The running training metrics (no test data) sample the last batch before every watchEvery-th
  // progress event: at most one batch in 4 (miniBatches).
  const watchEvery = Math.ceil(4 / progressEvery);
  const watch = plateau(o.eta, o.earlyStopping, o.patience);
  const L = net.sizes.length - 1;
  const monitor = new TrainingMonitor(s.task, net.sizes[L], { eta: o.eta, optimizer: o.optimizer.name, defaultEta: o.defaultEta, activations: s.activations },
    o.restoreBest && test !== null, net.plan.paramsLen);
  let failedRun = false;
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const t0 = performance.now(), eta = watch.eta;
      // The state blocks the optimizer keeps — in epoch 0 of a switch, the previous one's too (the switch zeroes them below).
      net.snapshot(Math.max(STATE_BLOCKS[s.opt.name], STATE_BLOCKS[o.optimizer.name]));
      const rngBefore = Uint32Array.from(rng.state), optBefore = { ...s.opt };
      const undo = () => {
        if (s.live()) {
          net.restore();
          rng.state.set(rngBefore);
        }
        s.opt = optBefore;
      };
      let reported = false, finished = false, failed = false;
      try {
        if (epoch === 0 && switchOptimizer) {
          net.F.fill(0, net.plan.opt1 >>> 2, net.plan.snapshot >>> 2);
          s.opt = { name: o.optimizer.name, t: 0 };
        }
        // Each epoch's order depends only on the generator state (not on earlier epochs' orders),
        // so training stopped after any epoch and resumed from toJSON() continues exactly.
        for (let i = 0; i < n; i++) idx[i] = i;
        if (o.shuffle) rng.shuffle(idx);
        // The mini-batches run in a plain function (the hot loop optimizes better outside a
        // generator), progressEvery of them per call, with a progress event after each call.
        let costSum = 0;
        monitor.beginEpoch();
        for (let batch = 0; batch * m < n; batch += progressEvery) {
          const watched = test === null && (batch / progressEvery) % watchEvery === 0;
          const c = miniBatches(s, where, rows, idx, batch, Math.min(batch + progressEvery, Math.ceil(n / m)), eta, o, watched ? monitor : null);
          if (!Number.isFinite(c.cost)) throw new DivergenceError(where, epoch, c.batch, eta, history);
          costSum += c.cost;
          yield { type: "progress", epoch, done: Math.min((batch + progressEvery) * m, n), total: n };
        }
        rows.checked = true; // every row was loaded (and so checked) once
        if (!k.allFinite(net.plan.params, net.plan.paramsLen)) throw new DivergenceError(where, epoch, -1, eta, history);
        const seconds = (performance.now() - t0) / 1000;
        const stats: EpochStats = { epoch, cost: costSum / n, eta, seconds, samplesPerSecond: n / seconds };
        if (o.monitorTraining) {
          const e = evaluateRows(net, where, rows, s.task);
          stats.trainingCost = e.cost;
          if (s.task === "regression") Object.assign(stats, { trainingMse: e.mse, trainingR2: e.r2 });
          else stats.trainingAccuracy = e.accuracy;
        }
        let t: Metrics | null = null;
        if (test) {
          t = evaluateRows(net, where, test, s.task);
          stats.testCost = t.cost;
          if (s.task === "regression") Object.assign(stats, { total: t.total, mse: t.mse, mae: t.mae, r2: t.r2 });
          else Object.assign(stats, { correct: t.correct, total: t.total, accuracy: t.accuracy });
        }
        const warnings = monitor.endEpoch(epoch, stats.cost, t, net.F, net.plan.params >>> 2);
        if (warnings.length > 0) stats.warnings = warnings;
        // Early stopping and the schedule watch the task's score: test accuracy, or test cost for regression.
        const v = t ? watch.next(monitor.score(t)) : -1;
        const verdict: Verdict = v === HALVED ? "halved" : v === EARLY_STOP ? "early-stop" : v === SCHEDULE_DONE ? "schedule-done" : "continue";
        history.push(stats);
        reported = true;
        yield { type: "epoch", stats, verdict, eta: watch.eta };
        finished = true;
        if (verdict === "early-stop" || verdict === "schedule-done") break;
      } catch (e) {
        failed = true;
        undo();
        if (reported) history.pop();
        monitor.dropEpoch();
        throw e;
      } finally {
        // return() during the epoch (at a progress event): undo the unfinished epoch.
        if (!finished && !failed && !reported) undo();
      }
    }
  } catch (e) {
    failedRun = true;
    throw e;
  } finally {
    // restoreBest: however the run ended (all epochs, early stopping, the caller stopping it), but not when it failed.
    if (!failedRun && s.live()) monitor.restoreBest(net.F, net.plan.params >>> 2);
  }
  return history;
}

/**
 * Mini-batches [from, to) of an epoch in the order idx: load, feedforward, cost, backward and
 * update (network.py's update_mini_batch). Returns the summed cost, or a non-finite cost and
 * the batch where it appeared (nothing is updated from that batch on).
 *
 * With a monitor (no test data: the collapse warnings watch the training forward passes), the
 * last mini-batch of the range adds its outputs, as fed forward before its update, to the
 * running training metrics (src/monitor.ts): a sample of the epoch — one batch per progress
 * point, at most one in 4 (about 100 an epoch on large sets, 25 on a set of 100 batches) — that
 * keeps the hot loop free of bookkeeping. The backward pass and the update leave a^L and y as
 * the forward pass and the load made them.
 */
function miniBatches(s: Trainee, where: string, rows: Rows, idx: Uint32Array, from: number, to: number, eta: number,
                     o: ResolvedTrainOptions, monitor: TrainingMonitor | null): { cost: number; batch: number } {
  const net = s.arena, n = rows.count, m = o.batchSize, sgd = o.optimizer.name === "sgd";
  let sum = 0, mb = 0, start = 0;
  // The batch's rows go into a^0 as the forward pass asks (with threads, in parts while the helpers compute).
  const loader = (s0: number, s1: number) => load(net, where, rows, idx, start + s0, s1 - s0, s0);
  for (let batch = from; batch < to; batch++) {
    start = batch * m;
    mb = Math.min(m, n - start);
    forward(net, mb, s.rng, loader); // a training pass: dropout, when the network has it
    const c = cost(net, mb);
    if (!Number.isFinite(c)) return { cost: c, batch };
    sum += c;
    if (sgd) backwardSgd(net, mb, eta, o.lambda, o.l1, n);
    else {
      backward(net, mb);
      update(net, mb, eta, o.lambda, o.l1, n, o.optimizer, ++s.opt.t);
    }
  }
  if (monitor && mb > 0) {
    const p = net.plan;
    monitor.batch(net.F, p.a[net.sizes.length - 1] >>> 2, p.y >>> 2, mb);
  }
  return { cost: sum, batch: to };
}
