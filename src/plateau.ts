// network2.py's monitoring, one epoch at a time: early stopping after n epochs without a better
// test score (the task's: test accuracy, or −test cost for regression; src/monitor.ts), and the learning-rate schedule that halves η after `patience` such epochs and
// stops once η has dropped to η₀/128. The one epoch loop (src/epochs.ts) runs it, so
// Network.train, the worker and the CLI stop at the same epoch with the same η.

/** What plateau.next() says: go on, go on with η halved, or stop (early stopping / schedule done). */
export const CONTINUE = 0, HALVED = 1, EARLY_STOP = 2, SCHEDULE_DONE = 3;

export interface Plateau {
  /** The learning rate for the next epoch. */
  readonly eta: number;
  /** Records one epoch's score (higher is better); returns CONTINUE, HALVED, EARLY_STOP or SCHEDULE_DONE. */
  next(score: number): number;
}

/** A tracker starting at η₀; earlyStopping and patience of 0 turn that rule off. */
export function plateau(eta0: number, earlyStopping: number, patience: number): Plateau {
  let eta = eta0, best = -Infinity, sinceBest = 0;
  return {
    get eta() {
      return eta;
    },
    next(accuracy) {
      if (accuracy > best) {
        best = accuracy;
        sinceBest = 0;
      } else sinceBest++;
      if (earlyStopping && sinceBest >= earlyStopping) return EARLY_STOP;
      if (patience && sinceBest >= patience) {
        eta /= 2;
        sinceBest = 0;
        return eta <= eta0 / 128 ? SCHEDULE_DONE : HALVED;
      }
      return CONTINUE;
    },
  };
}
