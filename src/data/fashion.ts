// Fashion-MNIST (Zalando): 60,000 training and 10,000 test images of 28×28, 10 classes, in
// IDX files. Debian's dataset-fashion-mnist package installs them in DEFAULT_FASHION_DIR.
// Node only; part of `nabla/data`.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DatasetError } from "../errors.js";
import { readIdxSet, type IdxSet, type IdxReadOptions } from "./idx.js";

export const DEFAULT_FASHION_DIR = "/usr/share/datasets/fashion-mnist";
export const FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
/** The four files, by their names in the original release (each also found with .gz). */
export const FASHION_FILES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

export const FASHION_HOW_TO =
  "Install Debian's package (as root: apt-get update && apt-get install -y dataset-fashion-mnist, which puts the files in " +
  `${DEFAULT_FASHION_DIR}), or download the four IDX files of the Fashion-MNIST release (${Object.values(FASHION_FILES).map((f) => f + ".gz").join(", ")}) ` +
  "into a directory and pass --data fashion-mnist:<directory>";

/** The path of one of the files in dir: the .gz or the plain one, whichever exists. */
function find(dir: string, name: string): string | null {
  for (const f of [name + ".gz", name]) if (existsSync(join(dir, f))) return join(dir, f);
  return null;
}

/** Paths of the four files in dir, or a DatasetError saying which are missing and how to get them. */
export function fashionFiles(dir = DEFAULT_FASHION_DIR): Record<keyof typeof FASHION_FILES, string> {
  const out = {} as Record<keyof typeof FASHION_FILES, string>;
  const missing: string[] = [];
  for (const [k, name] of Object.entries(FASHION_FILES) as [keyof typeof FASHION_FILES, string][]) {
    const p = find(dir, name);
    if (p) out[k] = p; else missing.push(name + "[.gz]");
  }
  if (missing.length > 0) {
    throw new DatasetError("Fashion-MNIST", dir, `a directory with the Fashion-MNIST IDX files`, `one without ${missing.join(", ")}`, FASHION_HOW_TO);
  }
  return out;
}

/** Training and test sets, pixels scaled to [0, 1]. */
export async function loadFashion(dir = DEFAULT_FASHION_DIR, o: IdxReadOptions = {}): Promise<{ train: IdxSet; test: IdxSet }> {
  const f = fashionFiles(dir);
  return { train: await readIdxSet(f.trainImages, f.trainLabels, o), test: await readIdxSet(f.testImages, f.testLabels, o) };
}
