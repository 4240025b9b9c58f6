// net.summary(): the network in a few lines — one per layer with its activation, parameter
// count and dropout, then the task, cost, initializer, preprocessing and backend.
import type { Model } from "./model.js";

/** The model's description (src/model.ts), with whether it has preprocessing and the backend computing. */
export interface SummaryInput extends Pick<Model, "sizes" | "activations" | "cost" | "init" | "task" | "dropout"> {
  readonly preprocessing: boolean;
  readonly backend: string;
}

/** The summary text (no trailing newline). */
export function summaryText(s: SummaryInput): string {
  const rows: string[][] = [["layer", "neurons", "activation", "parameters", "dropout"]];
  rows.push(["input", String(s.sizes[0]), s.preprocessing ? "(x − mean) / std" : "", "", ""]);
  let total = 0;
  for (let l = 1; l < s.sizes.length; l++) {
    const params = s.sizes[l] * (s.sizes[l - 1] + 1);
    total += params;
    const last = l === s.sizes.length - 1;
    rows.push([last ? "output" : `hidden ${l}`, String(s.sizes[l]), s.activations[l - 1], params.toLocaleString("en-US"),
      !last && s.dropout && s.dropout[l - 1] > 0 ? String(s.dropout[l - 1]) : ""]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) => r.map((cell, c) => (c === 1 || c === 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  ").trimEnd());
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  lines.push(`${total.toLocaleString("en-US")} parameters; task ${s.task}; cost ${s.cost}; init ${s.init}; backend ${s.backend}`);
  return lines.join("\n");
}
