// `--data` for the CLI: which dataset, loaded as flat rows of inputs and class labels.
//
//   mnist                               the mnist package's 10,000 digits, fixed split (seed 0)
//   fashion-mnist[:<dir>]               Fashion-MNIST IDX files (Debian's package by default)
//   idx:<images>,<labels>[,<test images>,<test labels>]   IDX files, plain or .gz
//   csv:<file>[,<test file>]            CSV with a label (or numeric target) column (--label)
//   <file>.csv                          the same as csv:<file>
//
// Loading goes through the readers of `nabla/data` (src/data/): bounded reads, IDX streamed
// straight into float32, the held-out split done in place. The CSV standardization is computed
// here (from the training part) but not applied: it becomes the network's `preprocessing`, which
// the library applies wherever the model goes (train, evaluate, predict, the worker).
import { mnistSplit } from "../data/mnist.js";
import { readIdxSet } from "../data/idx.js";
import { loadFashion, DEFAULT_FASHION_DIR, FASHION_CLASSES } from "../data/fashion.js";
import { readCsvTable, type CsvTable } from "../data/csv.js";
import { standardization, type Standardization } from "../data/standardize.js";
import { holdout as splitRows } from "../data/split.js";
import { DatasetError } from "../errors.js";
import { UsageError } from "./args.js";
import { TASKS, type Task } from "../task.js";

export { TASKS, type Task };

export interface Part {
  inputs: Float32Array;
  /**
   * Class indices (Int32Array/Uint8Array: classification), or the target values the network's
   * outputs learn (Float32Array, count rows of n_out: binary 0/1, regression values).
   */
  labels: Int32Array | Uint8Array | Float32Array;
  count: number;
}

/** A part as the library's tensor data: class labels, or rows of output targets. */
export function tensors(p: Part): { inputs: Float32Array; labels: Int32Array | Uint8Array } | { inputs: Float32Array; outputs: Float32Array } {
  return p.labels instanceof Float32Array ? { inputs: p.inputs, outputs: p.labels } : { inputs: p.inputs, labels: p.labels };
}

/** What a model needs to know about its data; saved in the model file under "dataset". */
export interface DatasetInfo {
  /** The --data text the model was trained with. */
  spec: string;
  kind: "mnist" | "fashion-mnist" | "idx" | "csv";
  /** Features per sample. */
  inputs: number;
  /**
   * Number of classes (largest label + 1; 2 for a binary task, whose network has one output),
   * or for regression the number of target columns (1).
   */
  classes: number;
  /** What the network learns from it (absent in files from before tasks: read as classification, or from the network). */
  task?: Task;
  /** [rows, cols] for image data. */
  shape?: [number, number];
  /** Class index → name (CSV string labels, Fashion-MNIST). */
  classNames?: string[];
  /** CSV: feature column names and the label (or target) column. */
  features?: string[];
  label?: string;
  /**
   * Files saved before the standardization became the network's `preprocessing`: the z-score of
   * each feature. Read (and turned into the network's preprocessing when loaded), never written.
   */
  standardize?: { mean: number[]; std: number[] };
  /** Fraction held out for testing when the data has no test part (split by SPLIT_SEED). */
  testFraction?: number;
  /** --train-size / --test-size, when given (for mnist they choose the split itself). */
  trainSize?: number;
  testSize?: number;
}

export interface Dataset {
  info: DatasetInfo;
  train: Part;
  test: Part | null;
  /** One line for the header: "mnist (8000 train / 2000 test)". */
  description: string;
  /** CSV: the z-score of the training part's features (to become the network's preprocessing); null when off or when a model's is used. */
  standardization: Standardization | null;
  /** When the task was not given: what was inferred from the data, and why (one line). */
  inferred: string | null;
}

export interface LoadOptions {
  /** CSV label column (name or index). */
  label?: string;
  /** CSV header: force on/off. */
  header?: boolean;
  /** Fraction of a single-part dataset held out for testing (default 0.2; 0 = none). */
  testFraction?: number;
  /** Use only the first N training / test samples (mnist: the split's sizes). */
  trainSize?: number;
  testSize?: number;
  /** CSV: compute the z-score of the features (default true; not with `model`). */
  standardize?: boolean;
  /** A saved model's dataset info: reuse its class names and feature columns. */
  model?: DatasetInfo;
  /**
   * The task (--task, or a saved network's); undefined infers it: a CSV target column of numbers
   * that are not all integers is "regression", any other labels "classification".
   */
  task?: Task;
}

/** Seed of the train/test split of single-part datasets (fixed, so eval sees the same held-out rows). */
export const SPLIT_SEED = 0;

const take = (p: Part, n: number | undefined, nIn: number): Part => {
  if (n === undefined || n >= p.count) return p;
  const w = p.labels.length / p.count;
  return { inputs: p.inputs.subarray(0, n * nIn), labels: p.labels.subarray(0, n * w), count: n };
};

function maxLabel(...parts: (Part | null)[]): number {
  let max = -1;
  for (const p of parts) if (p) for (let i = 0; i < p.count; i++) if (p.labels[i] > max) max = p.labels[i];
  return max;
}

/**
 * Splits rows by a fixed shuffle (Random(SPLIT_SEED)): the first count − ⌊f·count⌋ shuffled rows
 * train, the rest test. Reorders p's rows in place (see src/data/split.ts).
 */
export function holdout(p: Part, nIn: number, fraction: number): { train: Part; test: Part | null } {
  const nTest = Math.floor(p.count * fraction);
  if (nTest > 0 && nTest >= p.count) throw new UsageError(`--test-fraction ${fraction} leaves no training samples out of ${p.count}`);
  return splitRows(p, nIn, fraction, SPLIT_SEED);
}

/** Splits "kind:rest" where kind is one of the known names; a bare *.csv path is csv. */
export function parseSpec(spec: string): { kind: DatasetInfo["kind"]; files: string[] } {
  const s = spec.trim();
  if (s === "mnist") return { kind: "mnist", files: [] };
  if (s === "fashion-mnist" || s === "fashion") return { kind: "fashion-mnist", files: [] };
  const colon = s.indexOf(":");
  const kind = colon > 0 ? s.slice(0, colon) : "";
  const rest = colon > 0 ? s.slice(colon + 1) : s;
  const files = rest.split(",").map((f) => f.trim());
  if (kind === "fashion-mnist" || kind === "fashion") return { kind: "fashion-mnist", files: [rest] };
  if (kind === "idx") {
    if ((files.length !== 2 && files.length !== 4) || files.some((f) => f === "")) {
      throw new UsageError(`--data idx: needs 2 or 4 comma-separated files, idx:<images>,<labels>[,<test images>,<test labels>]; got ${JSON.stringify(spec)}`);
    }
    return { kind: "idx", files };
  }
  if (kind === "csv" || (colon <= 0 && /\.csv$/i.test(s))) {
    if ((files.length !== 1 && files.length !== 2) || files.some((f) => f === "")) {
      throw new UsageError(`--data csv: needs a file and optionally a test file, csv:<file>[,<test file>]; got ${JSON.stringify(spec)}`);
    }
    return { kind: "csv", files };
  }
  throw new UsageError(`--data must be mnist, fashion-mnist[:<dir>], idx:<images>,<labels>[,<test images>,<test labels>] or csv:<file>[,<test file>]; got ${JSON.stringify(spec)}`);
}

/** Loads the dataset `spec` names. */
export async function loadDataset(spec: string, o: LoadOptions = {}): Promise<Dataset> {
  const { kind, files } = parseSpec(spec);
  if (kind !== "csv" && (o.task === "regression" || o.task === "multi-label")) {
    throw new UsageError(`--task ${o.task} needs numeric targets (a CSV target column); ${spec} has class labels (use classification${kind === "idx" ? ", or binary for two classes" : ""})`);
  }
  if (o.testFraction !== undefined && (kind === "mnist" || kind === "fashion-mnist" || files.length === 4 || (kind === "csv" && files.length === 2))) {
    throw new UsageError(kind === "mnist"
      ? `--test-fraction applies to data without a test part; mnist's split is chosen with --train-size and --test-size (--test-size 0: no test part)`
      : `--test-fraction applies to data without a test part, and ${spec} has its own (use --test-size to use fewer test samples)`);
  }
  if (kind !== "csv") {
    const csvOnly = ([["--label", o.label], ["--header/--no-header", o.header], ["--standardize/--no-standardize", o.standardize]] as const)
      .find(([, x]) => x !== undefined);
    if (csvOnly) throw new UsageError(`${csvOnly[0]} applies to CSV data (--data csv:<file>), not to ${spec}`);
  }
  const testFraction = o.testFraction ?? o.model?.testFraction ?? 0.2;
  o = { ...o, trainSize: o.trainSize ?? o.model?.trainSize, testSize: o.testSize ?? o.model?.testSize };
  let info: DatasetInfo, train: Part, test: Part | null;
  let z: Standardization | null = null, inferred: string | null = null;
  if (kind === "mnist") {
    const nTrain = o.trainSize ?? 8000, nTest = o.testSize ?? 2000;
    if (nTrain + nTest > 10000) throw new UsageError(`--train-size ${nTrain} + --test-size ${nTest} exceeds the mnist package's 10000 digits`);
    const s = mnistSplit(nTrain, nTest, 0);
    train = { ...s.train, count: nTrain };
    test = nTest > 0 ? { ...s.test, count: nTest } : null;
    info = { spec, kind, inputs: 784, classes: 10, shape: [28, 28] };
  } else if (kind === "fashion-mnist" || kind === "idx") {
    let a, b;
    if (kind === "fashion-mnist") ({ train: a, test: b } = await loadFashion(files[0] || DEFAULT_FASHION_DIR));
    else {
      a = await readIdxSet(files[0], files[1]);
      b = files.length === 4 ? await readIdxSet(files[2], files[3]) : null;
      if (b && (b.rows !== a.rows || b.cols !== a.cols)) {
        throw new DatasetError("IDX", files[2], `images of ${a.rows}×${a.cols} like ${files[0]}`, `${b.rows}×${b.cols}`);
      }
    }
    const nIn = a.rows * a.cols;
    train = { inputs: a.inputs, labels: a.labels, count: a.count };
    test = b ? { inputs: b.inputs, labels: b.labels, count: b.count } : null;
    if (!test) ({ train, test } = holdout(train, nIn, testFraction));
    train = take(train, o.trainSize, nIn);
    test = test ? take(test, o.testSize, nIn) : null;
    info = { spec, kind, inputs: nIn, classes: Math.max(maxLabel(train, test) + 1, o.model?.classes ?? 0), shape: [a.rows, a.cols] };
    if (!b) info.testFraction = testFraction;
    if (kind === "fashion-mnist") { info.classNames = FASHION_CLASSES; info.classes = 10; }
  } else {
    const m = o.model;
    // --label a,b,c: several target columns (multi-label 0/1 columns, or several regression targets).
    const labelText = o.label ?? m?.label;
    const label = labelText !== undefined && labelText.includes(",") ? labelText.split(",").map((l) => l.trim()) : labelText;
    const several = Array.isArray(label);
    if (several && (o.task === "classification" || o.task === "binary")) {
      throw new UsageError(`--task ${o.task} reads one label column; --label ${labelText} names ${label.length} (multi-label or regression read several)`);
    }
    if (!several && o.task === "multi-label") {
      throw new UsageError("--task multi-label needs several 0/1 target columns: --label <column>,<column>,…");
    }
    const numeric = o.task === "regression" || o.task === "multi-label" || several;
    const csvOpts = { label, header: o.header, classNames: numeric ? undefined : m?.classNames, features: m?.features,
      ...(o.task === undefined && !several ? {} : { targetKind: numeric ? "numeric" as const : "class" as const }) };
    const a = readCsvTable(files[0], csvOpts);
    // The test file reads its target as the training file's: numbers, or labels mapped through its classes.
    const b: CsvTable | null = files[1] ? readCsvTable(files[1], { ...csvOpts, targetKind: a.targetKind,
      ...(a.targetKind === "class" ? { classNames: a.classNames } : {}), features: a.header ? a.features : undefined }) : null;
    const nIn = a.features.length;
    if (b && b.features.length !== nIn) throw new DatasetError("CSV", files[1], `${nIn} feature columns like ${files[0]}`, `${b.features.length}`);
    const binaryColumns = a.targetKind === "numeric" && a.targetColumns.length > 1 && a.targets.every((y) => y === 0 || y === 1);
    const task: Task = o.task ?? (binaryColumns ? "multi-label" : a.targetKind === "numeric" ? "regression" : "classification");
    if (o.task === undefined && binaryColumns) {
      inferred = `task: multi-label (inferred: the ${a.targetColumns.length} target columns ${a.targetColumns.join(", ")} hold only 0 and 1; --task regression to read them as values)`;
    } else if (o.task === undefined && a.targetKind === "numeric" && a.targetColumns.length > 1) {
      inferred = `task: regression (inferred: the ${a.targetColumns.length} target columns ${a.targetColumns.join(", ")} hold values other than 0 and 1)`;
    } else if (o.task === undefined && a.targetKind === "numeric") {
      const eg = Array.from(a.targets.subarray(0, 3), (x) => String(Number(x.toPrecision(6)))).join(", ");
      inferred = `task: regression (inferred: column ${JSON.stringify(a.labelColumn)} holds numbers that are not all integers: ${eg}, …; --task to choose)`;
    } else if (o.task === undefined && !m) {
      inferred = `task: classification (inferred: column ${JSON.stringify(a.labelColumn)} holds ${a.targetKind === "class" ? a.classNames.length : "?"} classes` +
        `${a.targetKind === "class" && a.classNames.length === 2 ? "; --task binary for one sigmoid output" : ""}; --task regression for a numeric target)`;
    }
    const part = (t: CsvTable): Part => ({ inputs: t.inputs, labels: t.targetKind === "numeric" ? t.targets : t.labels, count: t.count });
    train = part(a);
    test = b ? part(b) : null;
    if (!test) ({ train, test } = holdout(train, nIn, testFraction));
    train = take(train, o.trainSize, nIn);
    test = test ? take(test, o.testSize, nIn) : null;
    info = { spec, kind, inputs: nIn, classes: a.targetKind === "class" ? a.classNames.length : a.targetColumns.length, task, features: a.features, label: a.labelColumn };
    // Class names, or for several target columns their names (multi-label: the labels predict prints).
    if (a.targetKind === "class") info.classNames = a.classNames;
    else if (a.targetColumns.length > 1) info.classNames = a.targetColumns;
    if (!b) info.testFraction = testFraction;
    // z-scores from the training part only (--train-size may view only the start of the training
    // rows; the statistics are of those rows). Not applied here: it becomes the network's
    // preprocessing. A saved model brings its own.
    if (!m && o.standardize !== false) z = standardization(train.inputs.subarray(0, train.count * nIn), nIn);
  }
  info.task ??= o.task ?? "classification";
  if (info.task === "binary") {
    if (info.classes !== 2) {
      throw new UsageError(`--task binary needs exactly two classes; ${spec} has ${info.classes}${info.classNames ? ` (${info.classNames.slice(0, 5).join(", ")}${info.classes > 5 ? ", …" : ""})` : ""}`);
    }
    // One sigmoid output: class 1's probability. The class index becomes the target value.
    const values = (p: Part): Part => ({ ...p, labels: Float32Array.from(p.labels.subarray(0, p.count)) });
    train = values(train);
    test = test ? values(test) : null;
  }
  if (o.trainSize !== undefined) info.trainSize = o.trainSize;
  if (o.testSize !== undefined) info.testSize = o.testSize;
  const description = `${kind === "mnist" ? "mnist" : spec} (${train.count} train${test ? ` / ${test.count} test` : ""}` +
    `${info.testFraction && test ? `, ${Math.round(info.testFraction * 100)}% held out` : ""})`;
  return { info, train, test, description, standardization: z, inferred };
}
