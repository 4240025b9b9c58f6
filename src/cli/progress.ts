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
    // Read at each draw: the terminal may be resized during a run.
    get columns() { return process.stdout.columns; },
    signals: true,
  };
}

/**
 * Text from an untrusted source (a model file's class names, a data file's fields) made safe to
 * print: control characters (C0, DEL, C1 — escape sequences start with ESC or CSI), line and
 * paragraph separators and bidirectional overrides are written as \u escapes, so a file
 * cannot move the cursor, recolour or retitle the terminal, or reorder what is shown.
 * `keepNewlines` leaves \n alone (for multi-line messages).
 */
export function printable(s: string, keepNewlines = false): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => (keepNewlines && c === "\n" ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
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
    this.io.out(`\r${this.line(done, total, rate, eta)}\x1b[K`);
    this.#shown = true;
  }

  /**
   * The bar's text, at most columns − 1 characters (so the terminal never wraps it): the bar
   * shrinks first (to 10 cells), then the details go, least useful first (time left, speed,
   * counts), then the bar itself; on a very narrow terminal the text is cut.
   */
  line(done: number, total: number, rate: number, eta: number): string {
    const max = Math.max(1, (this.io.columns || 80) - 1);
    const pct = ` ${String(Math.floor((100 * done) / total)).padStart(3)}%`;
    const details = [`  ${done}/${total}`, `  ${Math.round(rate)} samples/s`, `  ${eta.toFixed(0)} s left`];
    const bar = (width: number) => {
      const fill = Math.round((width * done) / total);
      return ` [${"=".repeat(fill)}${fill < width ? ">" : ""}${" ".repeat(Math.max(0, width - fill - 1))}]`;
    };
    for (let keep = details.length; keep >= 0; keep--) {
      const tail = pct + details.slice(0, keep).join("");
      const room = max - this.label.length - tail.length - 3; // " [" and "]"
      if (room >= 10 || (keep === 0 && room >= 1)) return `${this.label}${bar(Math.min(40, room))}${tail}`;
    }
    return `${this.label}${pct}`.slice(0, max);
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
