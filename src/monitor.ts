// What the epoch loop watches, per task: the running metrics of the training forward passes
// (measured on each mini-batch's outputs before its update, like the epoch's `cost`), the
// score early stopping and the η schedule compare (test accuracy for the classification tasks,
// test cost for regression), the best epoch's parameters for `restoreBest`, and the collapse
// warnings (src/warnings.ts). Every buffer is allocated once per training run.
import type { Task } from "./task.js";
import { MetricAccumulator, type Metrics } from "./metrics.js";
import { trainingWarnings, type EpochSignal, type WarningContext } from "./warnings.js";

export interface TrainingMonitor {
  readonly task: Task;
  beginEpoch(): void;
  /** Adds m samples of the training forward pass: outputs at F[aL..], targets (rows) at F[y..] (element offsets). */
  batch(F: Float32Array, aL: number, y: number, m: number): void;
  /** The running metrics of this epoch's training forward passes. */
  running(): Metrics;
  /**
   * The score early stopping and the schedule compare, higher is better: test accuracy for the
   * classification tasks, −(test cost) for regression.
   */
  score(test: Metrics): number;
  /**
   * Records an epoch: the warnings for it (empty for a healthy run) from the watched metrics
   * (test metrics when there are any, else the running training metrics); with restoreBest, keeps
   * a copy of the parameters F[params .. params+len) when the epoch's score is the best so far.
   */
  endEpoch(epoch: number, cost: number, test: Metrics | null, F: Float32Array, params: number): string[];
  /** Forgets the last epoch (it was undone). */
  dropEpoch(): void;
  /**
   * With restoreBest: copies the best epoch's parameters back into F[params ..] when a later
   * epoch ended the run. Returns the best epoch, or -1 when nothing was restored.
   */
  restoreBest(F: Float32Array, params: number): number;
}

// A function with its state in closure variables, as MetricAccumulator (src/metrics.ts): `new
// TrainingMonitor(...)` gives the object it returns.
export const TrainingMonitor = function (task: Task, nOut: number, ctx: WarningContext, restoreBest: boolean, paramsLen: number): TrainingMonitor {
  const running = new MetricAccumulator(task, nOut), signals: EpochSignal[] = [];
  /** The best epoch's parameters (restoreBest), its score and index. */
  const best = restoreBest ? new Float32Array(paramsLen) : null;
  let bestScore = -Infinity, bestEpoch = -1, lastEpoch = -1;
  const score = (test: Metrics) => (task === "regression" ? -test.cost : test.accuracy!);
  return {
    task,
    beginEpoch: () => running.reset(),
    batch: (F, aL, y, m) => running.add(m, F, aL, F, y),
    running: () => running.result(),
    score,
    endEpoch(epoch, cost, test, F, params) {
      const watched = test ?? running.result();
      signals.push({ cost, accuracy: watched.accuracy, chance: watched.chance, r2: watched.r2, saturated: watched.saturated });
      lastEpoch = epoch;
      if (best && test && score(test) > bestScore) {
        bestScore = score(test);
        bestEpoch = epoch;
        best.set(F.subarray(params, params + best.length));
      }
      return trainingWarnings(signals, ctx);
    },
    dropEpoch: () => void signals.pop(),
    restoreBest(F, params) {
      if (!best || bestEpoch < 0 || bestEpoch === lastEpoch) return -1;
      F.set(best, params);
      return bestEpoch;
    },
  };
} as unknown as new (task: Task, nOut: number, ctx: WarningContext, restoreBest: boolean, paramsLen: number) => TrainingMonitor;
