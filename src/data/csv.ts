// CSV with a label column, for the CLI (Node only, not a library export).
//
// Parsing follows RFC 4180: fields separated by commas, optionally quoted with "…", a quote
// inside quotes written "", commas and line breaks allowed inside quotes, LF or CRLF line
// ends. Blank lines are skipped. Every error names the file and the line.
import { readFileSync } from "node:fs";
import { DatasetError } from "../errors.js";
import { finite32 } from "../data.js";

const WHERE = "CSV";

export interface CsvRow {
  /** 1-based line on which the row starts. */
  line: number;
  fields: string[];
}

/** Splits CSV text into rows of fields. */
export function parseCsv(text: string, file = "CSV"): CsvRow[] {
  const rows: CsvRow[] = [];
  let fields: string[] = [], field = "", line = 1, rowLine = 1, i = 0, quoted = false, any = false;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
  const endRow = () => {
    fields.push(field);
    // A blank line is one empty unquoted field: skip it.
    if (!(fields.length === 1 && fields[0].trim() === "" && !any)) rows.push({ line: rowLine, fields });
    fields = []; field = ""; any = false;
  };
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false; i++;
        const next = text[i];
        if (next !== undefined && next !== "," && next !== "\n" && next !== "\r") {
          throw new DatasetError(WHERE, `${file} line ${line}`, "a comma or a line end after a closing quote", JSON.stringify(next));
        }
        continue;
      }
      if (c === "\n") line++;
      field += c; i++;
      continue;
    }
    if (c === '"') {
      if (field.trim() !== "") throw new DatasetError(WHERE, `${file} line ${line}`, "a quote only at the start of a field", `a quote after ${JSON.stringify(field)}`);
      field = ""; quoted = true; any = true; i++;
      continue;
    }
    if (c === ",") { fields.push(field); field = ""; any = true; i++; continue; }
    if (c === "\r" || c === "\n") {
      endRow();
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++; rowLine = line;
      continue;
    }
    field += c; i++;
  }
  if (quoted) throw new DatasetError(WHERE, `${file} line ${rowLine}`, "a closing quote for the field opened here", "the end of the file");
  if (field !== "" || fields.length > 0 || any) endRow();
  return rows;
}

/** A number in a CSV field, or NaN if it is not one ("" and text are not numbers). */
export function csvNumber(s: string): number {
  const t = s.trim();
  return t === "" ? NaN : Number(t);
}

export interface CsvTableOptions {
  /** Label column: a header name, a 0-based index, or a negative index from the end. Default: the last column. */
  label?: string | number;
  /** true / false to force; undefined detects (see hasHeader). */
  header?: boolean;
  /** Class names already known (e.g. from a saved model): labels map through them and unknown ones are errors. */
  classNames?: readonly string[];
  /** Feature columns by name, as saved with a model: picks and orders them from a file with a header. */
  features?: readonly string[];
}

export interface CsvTable {
  count: number;
  /** count rows of features (every column but the label), as numbers. */
  inputs: Float32Array;
  labels: Int32Array;
  /** Names of the feature columns (from the header, or "column N"). */
  features: string[];
  /** The label column's name (header) or index as text. */
  labelColumn: string;
  /** Class index → the label text (numeric labels keep their value as text). */
  classNames: string[];
  /** Whether class indices are the numeric labels themselves (true) or the order of first appearance (false). */
  numericLabels: boolean;
  header: boolean;
}

/**
 * The first row is a header when some column is not a number in it but is a number in the
 * second row, or when it has no number at all while a later row has one.
 */
export function hasHeader(rows: readonly CsvRow[]): boolean {
  if (rows.length === 0) return false;
  const first = rows[0].fields, second = rows[1]?.fields;
  const isNum = (s: string | undefined) => s !== undefined && Number.isFinite(csvNumber(s));
  if (second && first.some((f, c) => !isNum(f) && isNum(second[c]))) return true;
  return !first.some(isNum) && rows.slice(1).some((r) => r.fields.some(isNum));
}

/** Rows of numeric features and one label column. */
export function csvTable(rows: readonly CsvRow[], file = "CSV", o: CsvTableOptions = {}): CsvTable {
  if (rows.length === 0) throw new DatasetError(WHERE, file, "a CSV file with at least one row", "an empty file");
  const header = o.header ?? hasHeader(rows);
  const names = header ? rows[0].fields.map((f) => f.trim()) : rows[0].fields.map((_, c) => `column ${c}`);
  const width = names.length;
  const body = header ? rows.slice(1) : rows;
  if (body.length === 0) throw new DatasetError(WHERE, file, "at least one data row after the header", "none");
  if (width < 2) throw new DatasetError(WHERE, file, "at least 2 columns (features and a label)", `${width} column`);

  let labelCol: number;
  const lab = o.label;
  if (lab === undefined) labelCol = width - 1;
  else if (typeof lab === "number" || /^-?\d+$/.test(lab.trim())) {
    const k = typeof lab === "number" ? lab : Number(lab);
    labelCol = k < 0 ? width + k : k;
    if (labelCol < 0 || labelCol >= width) {
      throw new DatasetError(WHERE, `${file} --label`, `a column index from 0 to ${width - 1} (or −1 for the last)`, String(lab));
    }
  } else {
    labelCol = names.indexOf(lab.trim());
    if (labelCol < 0) {
      throw new DatasetError(WHERE, `${file} --label`, header ? `one of the header's columns (${names.join(", ")})` : "a column index (the file has no header row)", JSON.stringify(lab));
    }
  }

  // Feature columns: all but the label, or those named by o.features (in that order).
  let cols: number[];
  if (o.features && header) {
    cols = o.features.map((f) => {
      const c = names.indexOf(f);
      if (c < 0) throw new DatasetError(WHERE, file, `a column named ${JSON.stringify(f)} (the model was trained on ${o.features!.join(", ")})`, `columns ${names.join(", ")}`);
      return c;
    });
  } else {
    cols = names.map((_, c) => c).filter((c) => c !== labelCol);
    if (o.features && cols.length !== o.features.length) {
      throw new DatasetError(WHERE, file, `${o.features.length} feature columns and a label column (as the model was trained on)`, `${width} columns`);
    }
  }

  const count = body.length, nIn = cols.length;
  const inputs = new Float32Array(count * nIn), labels = new Int32Array(count);
  const raw: string[] = new Array(count);
  for (let r = 0; r < count; r++) {
    const { line, fields } = body[r];
    if (fields.length !== width) {
      throw new DatasetError(WHERE, `${file} line ${line}`, `${width} fields like the ${header ? "header" : "first row"}`, `${fields.length} field${fields.length === 1 ? "" : "s"}`);
    }
    for (let k = 0; k < nIn; k++) {
      const x = csvNumber(fields[cols[k]]);
      if (!finite32(x)) { // 1e39 is finite in float64 but Infinity as float32
        throw new DatasetError(WHERE, `${file} line ${line}, column ${JSON.stringify(names[cols[k]])}`, "a finite number (within the float32 range)", JSON.stringify(fields[cols[k]]));
      }
      inputs[r * nIn + k] = x;
    }
    raw[r] = fields[labelCol].trim();
    if (raw[r] === "") throw new DatasetError(WHERE, `${file} line ${line}, column ${JSON.stringify(names[labelCol])}`, "a label", "an empty field");
  }

  // Labels: given class names map through; otherwise non-negative integers are their own
  // class index, and anything else maps to indices in order of first appearance.
  let classNames: string[];
  let numericLabels = false;
  if (o.classNames) {
    classNames = [...o.classNames];
    const index = new Map(classNames.map((c, i) => [c, i]));
    for (let r = 0; r < count; r++) {
      let c = index.get(raw[r]);
      if (c === undefined && /^\d+(\.0*)?$/.test(raw[r])) c = index.get(String(Number(raw[r])));
      if (c === undefined) {
        throw new DatasetError(WHERE, `${file} line ${body[r].line}, column ${JSON.stringify(names[labelCol])}`, `one of the model's classes (${classNames.join(", ")})`, JSON.stringify(raw[r]));
      }
      labels[r] = c;
    }
  } else if (raw.every((s) => /^\d+(\.0*)?$/.test(s) && Number(s) < 65536)) {
    numericLabels = true;
    let max = 0;
    for (let r = 0; r < count; r++) { labels[r] = Number(raw[r]); if (labels[r] > max) max = labels[r]; }
    classNames = Array.from({ length: max + 1 }, (_, i) => String(i));
  } else {
    const index = new Map<string, number>();
    for (let r = 0; r < count; r++) {
      let c = index.get(raw[r]);
      if (c === undefined) { c = index.size; index.set(raw[r], c); }
      labels[r] = c;
    }
    classNames = [...index.keys()];
  }
  return {
    count, inputs, labels, features: cols.map((c) => names[c]), labelColumn: header ? names[labelCol] : String(labelCol),
    classNames, numericLabels, header,
  };
}

/** Reads and parses a CSV file with a label column. */
export function readCsvTable(file: string, o: CsvTableOptions = {}): CsvTable {
  return csvTable(parseCsv(readText(file), file), file, o);
}

/** A text file's contents, or a DatasetError naming it. */
export function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DatasetError(WHERE, file, "a readable file", code === "ENOENT" ? "no such file" : `an error (${(e as Error).message})`);
  }
}

/** Per-feature mean and standard deviation (population; 1 where a feature is constant). */
export function standardization(inputs: Float32Array, nIn: number): { mean: number[]; std: number[] } {
  const count = inputs.length / nIn;
  const mean = new Array<number>(nIn).fill(0), std = new Array<number>(nIn).fill(0);
  for (let r = 0; r < count; r++) for (let k = 0; k < nIn; k++) mean[k] += inputs[r * nIn + k];
  for (let k = 0; k < nIn; k++) mean[k] /= count;
  for (let r = 0; r < count; r++) for (let k = 0; k < nIn; k++) std[k] += (inputs[r * nIn + k] - mean[k]) ** 2;
  for (let k = 0; k < nIn; k++) {
    std[k] = Math.sqrt(std[k] / count);
    if (!(std[k] > 1e-12)) std[k] = 1;
  }
  return { mean, std };
}

/** x → (x − mean) / std, in place. */
export function standardize(inputs: Float32Array, nIn: number, s: { mean: readonly number[]; std: readonly number[] }): Float32Array {
  for (let i = 0; i < inputs.length; i++) inputs[i] = (inputs[i] - s.mean[i % nIn]) / s.std[i % nIn];
  return inputs;
}
