// CSV with a label (or numeric target) column. Node only; part of `nabla/data`, used by the CLI.
//
// Parsing follows RFC 4180: fields separated by commas, optionally quoted with "…", a quote
// inside quotes written "", commas and line breaks allowed inside quotes, LF or CRLF line
// ends. Blank lines are skipped. Every error names the file and the line.
//
// Bounds: a file of at most maxBytes (default 256 MiB) is read; a row of more than maxColumns
// fields (default 65,536) or more than maxRowLength characters (default 4 MiB) is refused as
// soon as the parser reaches that point (a 160 MB single line is an error, not an
// out-of-memory crash). Rows are parsed one at a time into a Float32Array that grows by
// doubling, so the memory is the file's text plus at most twice the numbers' float32 size.
//
// Numbers are decimal: [+-]digits[.digits][e[+-]digits] (also ".5" and "5."), with spaces or
// tabs around them allowed — everywhere alike (features, labels, predict's rows). Hex
// ("0x10"), binary/octal, "Infinity", "1_000" and the empty field are not numbers.
import { DatasetError } from "../errors.js";
import { finite32 } from "../data.js";
import { readBounded } from "./read.js";

const WHERE = "CSV";

/** Largest CSV file read (bytes). */
export const MAX_CSV_BYTES = 2 ** 28;
/** Most fields in one row. */
export const MAX_CSV_COLUMNS = 65536;
/** Longest row, in characters (quoted line breaks included). */
export const MAX_CSV_ROW_LENGTH = 4 * 2 ** 20;

export interface CsvRow {
  /** 1-based line on which the row starts. */
  line: number;
  fields: string[];
}

export interface CsvLimits {
  /** Most fields in a row (default MAX_CSV_COLUMNS). */
  maxColumns?: number;
  /** Longest row in characters (default MAX_CSV_ROW_LENGTH). */
  maxRowLength?: number;
}

/** The rows of CSV text, one at a time. */
export function* csvRows(text: string, file = "CSV", limits: CsvLimits = {}): Generator<CsvRow> {
  const maxColumns = limits.maxColumns ?? MAX_CSV_COLUMNS, maxRowLength = limits.maxRowLength ?? MAX_CSV_ROW_LENGTH;
  let fields: string[] = [], line = 1, rowLine = 1, rowStart = 0, i = 0, quoted = false, any = false;
  let fieldStart = 0, field = ""; // field = text of the field so far when it had a doubled quote or was quoted
  if (text.charCodeAt(0) === 0xfeff) { i = 1; rowStart = 1; fieldStart = 1; } // byte-order mark
  const n = text.length;
  const tooLong = () => {
    throw new DatasetError(WHERE, `${file} line ${rowLine}`, `a row of at most ${maxRowLength} characters (the reader's maxRowLength)`, "a longer one");
  };
  const push = (f: string) => {
    if (fields.length >= maxColumns) {
      throw new DatasetError(WHERE, `${file} line ${rowLine}`, `at most ${maxColumns} fields per row (the reader's maxColumns)`, "more");
    }
    fields.push(f);
  };
  let inQuoted = false; // the current field was quoted (its text is in `field`)
  while (i < n) {
    if (i - rowStart > maxRowLength) tooLong();
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 0x22) {
        if (text.charCodeAt(i + 1) === 0x22) { field += text.slice(fieldStart, i + 1); i += 2; fieldStart = i; continue; }
        field += text.slice(fieldStart, i);
        quoted = false; i++;
        const next = text.charCodeAt(i);
        if (i < n && next !== 0x2c && next !== 0x0a && next !== 0x0d) {
          throw new DatasetError(WHERE, `${file} line ${line}`, "a comma or a line end after a closing quote", JSON.stringify(text[i]));
        }
        continue;
      }
      if (c === 0x0a) line++;
      i++;
      continue;
    }
    if (c === 0x22) {
      const before = text.slice(fieldStart, i);
      if (before.trim() !== "") throw new DatasetError(WHERE, `${file} line ${line}`, "a quote only at the start of a field", `a quote after ${JSON.stringify(before)}`);
      field = ""; quoted = true; inQuoted = true; any = true; i++; fieldStart = i;
      continue;
    }
    if (c === 0x2c) {
      push(inQuoted ? field : text.slice(fieldStart, i));
      field = ""; inQuoted = false; any = true; i++; fieldStart = i;
      continue;
    }
    if (c === 0x0d || c === 0x0a) {
      push(inQuoted ? field : text.slice(fieldStart, i));
      // A blank line is one empty unquoted field: skip it.
      if (!(fields.length === 1 && fields[0].trim() === "" && !any)) yield { line: rowLine, fields };
      fields = []; field = ""; inQuoted = false; any = false;
      i += c === 0x0d && text.charCodeAt(i + 1) === 0x0a ? 2 : 1;
      line++; rowLine = line; rowStart = i; fieldStart = i;
      continue;
    }
    i++;
  }
  if (quoted) throw new DatasetError(WHERE, `${file} line ${rowLine}`, "a closing quote for the field opened here", "the end of the file");
  const last = inQuoted ? field : text.slice(fieldStart, n);
  if (last !== "" || fields.length > 0 || any) {
    push(last);
    if (!(fields.length === 1 && fields[0].trim() === "" && !any)) yield { line: rowLine, fields };
  }
}

/** Splits CSV text into rows of fields. */
export function parseCsv(text: string, file = "CSV", limits: CsvLimits = {}): CsvRow[] {
  return Array.from(csvRows(text, file, limits));
}

const DECIMAL = /^[ \t]*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[ \t]*$/;

/** A decimal number in a CSV field, or NaN if it is not one (see the grammar above). */
export function csvNumber(s: string): number {
  return DECIMAL.test(s) ? Number(s) : NaN;
}

export interface CsvTableOptions extends CsvLimits {
  /**
   * Label column: a header name, a 0-based index, or a negative index from the end. Default: the
   * last column. Several columns (an array) are a numeric target of that many values per row
   * (multi-label 0/1 columns, or several regression targets): targetKind "numeric".
   */
  label?: string | number | readonly (string | number)[];
  /** true / false to force; undefined detects (see hasHeader). */
  header?: boolean;
  /** Class names already known (e.g. from a saved model): labels map through them and unknown ones are errors. */
  classNames?: readonly string[];
  /** Feature columns by name, as saved with a model: picks and orders them from a file with a header. */
  features?: readonly string[];
  /**
   * What the label column holds: "class" (class labels), "numeric" (a regression target), or
   * undefined to detect: numbers of which some are not integers → "numeric"; otherwise "class".
   */
  targetKind?: "class" | "numeric";
}

interface CsvTableBase {
  count: number;
  /** count rows of features (every column but the label), as numbers. */
  inputs: Float32Array;
  /** Names of the feature columns (from the header, or "column N"). */
  features: string[];
  /** The label column's name (header) or index as text. */
  labelColumn: string;
  header: boolean;
}

/** Class labels: indices into classNames. */
export interface CsvClassTable extends CsvTableBase {
  targetKind: "class";
  labels: Int32Array;
  /** Class index → the label text (numeric labels keep their value as text). */
  classNames: string[];
  /** Whether class indices are the numeric labels themselves (true) or the order of first appearance (false). */
  numericLabels: boolean;
}

/** A numeric target: one column (regression), or several (multi-label 0/1 columns, several regression targets). */
export interface CsvNumericTable extends CsvTableBase {
  targetKind: "numeric";
  /** count rows of targetColumns.length target values. */
  targets: Float32Array;
  /** The target columns' names (header) or indices as text, in order. */
  targetColumns: string[];
}

export type CsvTable = CsvClassTable | CsvNumericTable;

/** Rows looked at to decide whether the first is a header. */
const HEADER_LOOKAHEAD = 8;

const isNum = (s: string | undefined) => s !== undefined && Number.isFinite(csvNumber(s));

/**
 * The first row is a header when some column is not a number in it but is a number in the
 * second row, or when it has no number at all (a lone row of names is a header with no data).
 */
export function hasHeader(rows: readonly CsvRow[]): boolean {
  if (rows.length === 0) return false;
  const first = rows[0].fields, second = rows[1]?.fields;
  if (second && first.some((f, c) => !isNum(f) && isNum(second[c]))) return true;
  return !first.some(isNum) && (second === undefined || rows.slice(1).some((r) => r.fields.some(isNum)));
}

/** Rows of numeric features and one label column. */
export function csvTable(rows: Iterable<CsvRow>, file = "CSV", o: CsvTableOptions = {}): CsvTable {
  // The first rows decide on the header (see hasHeader); the rest stream.
  const it = rows[Symbol.iterator]();
  const head: CsvRow[] = [];
  while (head.length < HEADER_LOOKAHEAD) {
    const r = it.next();
    if (r.done) break;
    head.push(r.value);
  }
  if (head.length === 0) throw new DatasetError(WHERE, file, "a CSV file with at least one row", "an empty file");
  const header = o.header ?? hasHeader(head);
  const r0 = head[0];
  const names = header ? r0.fields.map((f) => f.trim()) : r0.fields.map((_, c) => `column ${c}`);
  const width = names.length;
  if (header && head.length === 1) {
    throw new DatasetError(WHERE, file, "at least one data row after the header", `only the header row (${names.join(", ")})`);
  }
  if (width < 2) throw new DatasetError(WHERE, file, "at least 2 columns (features and a label)", `${width} column`);
  if (header) {
    const seen = new Map<string, number>();
    names.forEach((name, c) => {
      const prev = seen.get(name);
      if (prev !== undefined) {
        throw new DatasetError(WHERE, `${file} line ${r0.line}`, "a header whose column names are all different",
          `${JSON.stringify(name)} as columns ${prev} and ${c}`);
      }
      seen.set(name, c);
    });
  }

  const column = (lab: string | number | undefined): number => {
    let c: number;
    if (lab === undefined) c = width - 1;
    else if (typeof lab === "number" || /^-?\d+$/.test(lab.trim())) {
      const k = typeof lab === "number" ? lab : Number(lab);
      c = k < 0 ? width + k : k;
      if (c < 0 || c >= width) {
        throw new DatasetError(WHERE, `${file} --label`, `a column index from 0 to ${width - 1} (or −1 for the last)`, String(lab));
      }
    } else {
      c = names.indexOf(lab.trim());
      if (c < 0) {
        throw new DatasetError(WHERE, `${file} --label`, header ? `one of the header's columns (${names.join(", ")})` : "a column index (the file has no header row)", JSON.stringify(lab));
      }
    }
    return c;
  };
  const labs = Array.isArray(o.label) ? o.label as readonly (string | number)[] : [o.label as string | number | undefined];
  const labelCols = labs.map(column);
  if (new Set(labelCols).size !== labelCols.length) throw new DatasetError(WHERE, `${file} --label`, "different columns", JSON.stringify(labs));
  if (labelCols.length >= width) throw new DatasetError(WHERE, `${file} --label`, "columns that leave at least one feature", JSON.stringify(labs));
  const labelCol = labelCols[0];
  const multi = labelCols.length > 1;

  // Feature columns: all but the label, or those named by o.features (in that order).
  let cols: number[];
  if (o.features && header) {
    cols = o.features.map((f) => {
      const c = names.indexOf(f);
      if (c < 0) throw new DatasetError(WHERE, file, `a column named ${JSON.stringify(f)} (the model was trained on ${o.features!.join(", ")})`, `columns ${names.join(", ")}`);
      return c;
    });
  } else {
    cols = names.map((_, c) => c).filter((c) => !labelCols.includes(c));
    if (o.features && cols.length !== o.features.length) {
      throw new DatasetError(WHERE, file, `${o.features.length} feature columns and a label column (as the model was trained on)`, `${width} columns`);
    }
  }

  // Rows one at a time into buffers that grow by doubling. Labels are kept as ids into the
  // list of distinct label texts (decided on below).
  const nIn = cols.length;
  let cap = 256, count = 0;
  let inputs = new Float32Array(cap * nIn), ids = new Int32Array(cap);
  const lines: number[] = [];
  let tcap = 256, tvals = new Float32Array(multi ? tcap * labelCols.length : 0); // several target columns
  const distinct = new Map<string, number>(), texts: string[] = [], firstLine: number[] = [];
  const body = function* (): Generator<CsvRow> {
    yield* header ? head.slice(1) : head;
    if (head.length === HEADER_LOOKAHEAD) for (let r = it.next(); !r.done; r = it.next()) yield r.value;
  };
  for (const { line, fields } of body()) {
    if (fields.length !== width) {
      throw new DatasetError(WHERE, `${file} line ${line}`, `${width} fields like the ${header ? "header" : "first row"}`, `${fields.length} field${fields.length === 1 ? "" : "s"}`);
    }
    if (count === cap) {
      cap *= 2;
      const grown = new Float32Array(cap * nIn); grown.set(inputs); inputs = grown;
      const g = new Int32Array(cap); g.set(ids); ids = g;
    }
    for (let k = 0; k < nIn; k++) {
      const x = csvNumber(fields[cols[k]]);
      if (!finite32(x)) { // 1e39 is finite in float64 but Infinity as float32
        throw new DatasetError(WHERE, `${file} line ${line}, column ${JSON.stringify(names[cols[k]])}`, "a finite decimal number (within the float32 range)", JSON.stringify(fields[cols[k]]));
      }
      inputs[count * nIn + k] = x;
    }
    if (multi) {
      if (count === tcap) { tcap *= 2; const g = new Float32Array(tcap * labelCols.length); g.set(tvals); tvals = g; }
      labelCols.forEach((c, j) => {
        const y = csvNumber(fields[c]);
        if (!finite32(y)) throw new DatasetError(WHERE, `${file} line ${line}, column ${JSON.stringify(names[c])}`, "a finite decimal number (a numeric target)", JSON.stringify(fields[c]));
        tvals[count * labelCols.length + j] = y;
      });
      lines.push(line);
      count++;
      continue;
    }
    const raw = fields[labelCol].trim();
    if (raw === "") throw new DatasetError(WHERE, `${file} line ${line}, column ${JSON.stringify(names[labelCol])}`, "a label", "an empty field");
    let id = distinct.get(raw);
    if (id === undefined) { id = texts.length; distinct.set(raw, id); texts.push(raw); firstLine.push(line); }
    ids[count] = id;
    lines.push(line);
    count++;
  }
  inputs = inputs.subarray(0, count * nIn);
  const colName = (c: number) => (header ? names[c] : String(c));
  const base = { count, inputs, features: cols.map((c) => names[c]), labelColumn: labelCols.map(colName).join(","), header };
  if (multi) {
    if (o.targetKind === "class") throw new DatasetError(WHERE, `${file} --label`, "one label column for class labels", `${labelCols.length} columns (${base.labelColumn})`);
    return { ...base, targetKind: "numeric", targets: tvals.slice(0, count * labelCols.length), targetColumns: labelCols.map(colName) };
  }
  const where = (id: number) => `${file} line ${firstLine[id]}, column ${JSON.stringify(names[labelCol])}`;

  // Numeric targets: asked for, or detected (all numbers, some not integers).
  const allNumbers = texts.every(isNum);
  const kind = o.targetKind ?? (o.classNames === undefined && allNumbers && texts.some((t) => !Number.isInteger(csvNumber(t))) ? "numeric" : "class");
  if (kind === "numeric") {
    const values = texts.map((t, id) => {
      const x = csvNumber(t);
      if (!finite32(x)) throw new DatasetError(WHERE, where(id), "a finite decimal number (a numeric target)", JSON.stringify(t));
      return x;
    });
    const targets = new Float32Array(count);
    for (let r = 0; r < count; r++) targets[r] = values[ids[r]];
    return { ...base, targetKind: "numeric", targets, targetColumns: [base.labelColumn] };
  }

  // Class labels: given class names map through; otherwise non-negative integers are their own
  // class index, and anything else maps to indices in order of first appearance.
  const labels = new Int32Array(count);
  let classNames: string[];
  let numericLabels = false;
  const classIndex = /^\d+(\.0*)?$/;
  if (o.classNames) {
    classNames = [...o.classNames];
    const index = new Map(classNames.map((c, i) => [c, i]));
    const map = texts.map((t, id) => {
      let c = index.get(t);
      if (c === undefined && classIndex.test(t)) c = index.get(String(Number(t)));
      if (c === undefined) throw new DatasetError(WHERE, where(id), `one of the model's classes (${classNames.join(", ")})`, JSON.stringify(t));
      return c;
    });
    for (let r = 0; r < count; r++) labels[r] = map[ids[r]];
  } else if (texts.every((s) => classIndex.test(s) && Number(s) < 65536)) {
    numericLabels = true;
    const map = texts.map(Number);
    const max = Math.max(0, ...map);
    for (let r = 0; r < count; r++) labels[r] = map[ids[r]];
    classNames = Array.from({ length: max + 1 }, (_, i) => String(i));
  } else {
    for (let r = 0; r < count; r++) labels[r] = ids[r];
    classNames = texts;
  }
  return { ...base, targetKind: "class", labels, classNames, numericLabels };
}

export interface CsvReadOptions extends CsvTableOptions {
  /** Largest file read, in bytes (default MAX_CSV_BYTES). */
  maxBytes?: number;
}

/** Reads and parses a CSV file with a label column. */
export function readCsvTable(file: string, o: CsvReadOptions = {}): CsvTable {
  return csvTable(csvRows(readText(file, o.maxBytes), file, o), file, o);
}

/** A text file's contents (at most maxBytes of UTF-8), or a DatasetError naming it. */
export function readText(file: string, maxBytes = MAX_CSV_BYTES): string {
  return readBounded(file, maxBytes, WHERE).toString("utf8");
}
