// What the epoch loop watches, per task: the running metrics of the training forward passes
// (measured on each mini-batch's outputs before its update, like the epoch's `cost`), the
// score early stopping and the η schedule compare (test accuracy for the classification tasks,
// test cost for regression), the best epoch's parameters for `restoreBest`, and the collapse
// warnings (src/warnings.ts). Every buffer is allocated once per training run.
import type { Task } from "./task.js";
import { MetricAccumulator, type Metrics } from "./metrics.js";
import { trainingWarnings, type EpochSignal, type WarningContext } from "./warnings.js";

export class TrainingMonitor {
  readonly task: Task;
  readonly #running: MetricAccumulator;
  readonly #signals: EpochSignal[] = [];
  readonly #ctx: WarningContext;
  /** The best epoch's parameters (restoreBest), its score and index. */
  readonly #best: Float32Array | null;
  #bestScore = -Infinity;
  #bestEpoch = -1;
  #lastEpoch = -1;

  constructor(task: Task, nOut: number, ctx: WarningContext, restoreBest: boolean, paramsLen: number) {
    this.task = task;
    this.#running = new MetricAccumulator(task, nOut);
    this.#ctx = ctx;
    this.#best = restoreBest ? new Float32Array(paramsLen) : null;
  }

  beginEpoch(): void {
    this.#running.reset();
  }

  /** Adds m samples of the training forward pass: outputs at F[aL..], targets (rows) at F[y..] (element offsets). */
  batch(F: Float32Array, aL: number, y: number, m: number): void {
    this.#running.add(m, F, aL, F, y);
  }

  /** The running metrics of this epoch's training forward passes. */
  running(): Metrics {
    return this.#running.result();
  }

  /**
   * The score early stopping and the schedule compare, higher is better: test accuracy for the
   * classification tasks, −(test cost) for regression.
   */
  score(test: Metrics): number {
    return this.task === "regression" ? -test.cost : test.accuracy!;
  }

  /**
   * Records an epoch: the warnings for it (empty for a healthy run) from the watched metrics
   * (test metrics when there are any, else the running training metrics); with restoreBest, keeps
   * a copy of the parameters F[params .. params+len) when the epoch's score is the best so far.
   */
  endEpoch(epoch: number, cost: number, test: Metrics | null, F: Float32Array, params: number): string[] {
    const watched = test ?? this.running();
    this.#signals.push({ cost, accuracy: watched.accuracy, chance: watched.chance, r2: watched.r2, saturated: watched.saturated });
    this.#lastEpoch = epoch;
    if (this.#best && test) {
      const s = this.score(test);
      if (s > this.#bestScore) {
        this.#bestScore = s;
        this.#bestEpoch = epoch;
        this.#best.set(F.subarray(params, params + this.#best.length));
      }
    }
    return trainingWarnings(this.#signals, this.#ctx);
  }

  /** Forgets the last epoch (it was undone). */
  dropEpoch(): void {
    this.#signals.pop();
  }

  /**
   * With restoreBest: copies the best epoch's parameters back into F[params ..] when a later
   * epoch ended the run. Returns the best epoch, or -1 when nothing was restored.
   */
  restoreBest(F: Float32Array, params: number): number {
    if (!this.#best || this.#bestEpoch < 0 || this.#bestEpoch === this.#lastEpoch) return -1;
    F.set(this.#best, params);
    return this.#bestEpoch;
  }
}
