// `nabla/data`: Node-only file readers and data tools — the same ones `nabla train/eval/predict`
// use. Every reader refuses bad input with a DatasetError naming the file (and line), and reads
// with a stated memory bound (docs/reliability.md, "Data files").
//
//   import { readIdxSet, readCsvTable, holdout, standardization, standardize } from "nabla/data";
//   const train = await readIdxSet("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz");
//   net.train({ inputs: train.inputs, labels: train.labels }, { epochs: 1 });
export {
  readIdxSet, readIdxImages, readIdxLabels, parseIdxImages, parseIdxLabels, idxSet, encodeIdx,
  IDX_IMAGES, IDX_LABELS, MAX_IDX_BYTES, type IdxSet, type IdxImages, type IdxReadOptions,
} from "./idx.js";
export {
  readCsvTable, csvTable, csvRows, parseCsv, csvNumber, hasHeader, MAX_CSV_BYTES, MAX_CSV_COLUMNS, MAX_CSV_ROW_LENGTH,
  type CsvTable, type CsvClassTable, type CsvNumericTable, type CsvRow, type CsvTableOptions, type CsvReadOptions, type CsvLimits,
} from "./csv.js";
export { readPgm, parsePgm, encodePgm, MAX_PGM_PIXELS, MAX_PGM_BYTES, type Pgm } from "./pgm.js";
export { mnistSplit, loadMnist, MNIST_HOW_TO, type Split } from "./mnist.js";
export { loadFashion, fashionFiles, DEFAULT_FASHION_DIR, FASHION_CLASSES, FASHION_FILES } from "./fashion.js";
export { holdout, permuteRows, type LabeledRows } from "./split.js";
export { standardization, standardize, standardizationProblem, MIN_STD, type Standardization } from "./standardize.js";
export { DatasetError } from "../errors.js";
