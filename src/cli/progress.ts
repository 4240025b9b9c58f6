// Output: a progress bar within the epoch on a terminal, plain lines elsewhere.

/** Where the CLI writes. Tests pass their own; the real one wraps process.stdout/stderr. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal: the progress bar is drawn only then. */
  isTTY: boolean;
  /** Terminal width (for the bar). */
  columns?: number;
  /** Install SIGINT handling (the real process only). */
  signals?: boolean;
}

export function processIo(): Io {
  return {
    out: (s) => { process.stdout.write(s); },
    err: (s) => { process.stderr.write(s); },
    isTTY: Boolean(process.stdout.isTTY),
    columns: process.stdout.columns,
    signals: true,
  };
}

/** A one-line bar redrawn in place with \r; clear() before printing a normal line. */
export class ProgressBar {
  #shown = false;
  #last = -1;
  #t0 = performance.now();
  constructor(private io: Io, private label: string) {}

  start(label: string): void {
    this.label = label;
    this.#t0 = performance.now();
    this.#last = -1;
  }

  update(done: number, total: number): void {
    const pct = Math.floor((100 * done) / total);
    if (pct === this.#last) return;
    this.#last = pct;
    const secs = (performance.now() - this.#t0) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const eta = rate > 0 ? (total - done) / rate : 0;
    const tail = ` ${String(pct).padStart(3)}%  ${done}/${total}  ${Math.round(rate)} samples/s  ${eta.toFixed(0)} s left`;
    const width = Math.max(10, Math.min(40, (this.io.columns ?? 80) - this.label.length - tail.length - 4));
    const fill = Math.round((width * done) / total);
    this.io.out(`\r${this.label} [${"=".repeat(fill)}${fill < width ? ">" : ""}${" ".repeat(Math.max(0, width - fill - 1))}]${tail}\x1b[K`);
    this.#shown = true;
  }

  clear(): void {
    if (this.#shown) this.io.out("\r\x1b[K");
    this.#shown = false;
    this.#last = -1;
  }
}

/** 12.3 s, 4 min 5 s, 1 h 2 min. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}
