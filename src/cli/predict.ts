// `nabla predict model.json <input>…`: what a saved network predicts for each input — the class
// (classification, binary), the labels that are on (multi-label) or the values (regression).
// An input is a file or literal text:
//   *.pgm / P2 / P5 image   the dataset's shape (e.g. 28×28), scaled to [0, 1] by its maxval
//   [0.1, 0.2, …]           a JSON array (or an array of arrays, one per sample)
//   5.1,3.5,1.4,0.2         CSV: one sample per row; with a header, a CSV-trained model picks its feature columns by name
//   -                       standard input (JSON or CSV)
// CSV/JSON values are the model's raw features: the network applies its own preprocessing (a
// CSV-trained model's z-scores), exactly as Network.fromJSON(model).predict does; image models
// take pixels in [0, 1].
import { existsSync, statSync } from "node:fs";
import { readBounded } from "../data/read.js";
import { BACKENDS } from "../wasm.js";
import { argmax } from "../data.js";
import { DataError, DatasetError, describe } from "../errors.js";
import { parsePgm } from "../data/pgm.js";
import { parseCsv, hasHeader, csvNumber } from "../data/csv.js";
import { parse, Values, UsageError, type OptionSpec } from "./args.js";
import { loadModel } from "./model.js";
import type { DatasetInfo } from "./dataset.js";
import { printable, type Io } from "./progress.js";

export const PREDICT_OPTIONS: OptionSpec = {
  backend: { type: "string" },
  top: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

export interface Sample {
  /** Where it came from: "digit.pgm", "row 3 of data.csv", "argument 2". */
  source: string;
  x: Float32Array;
  /** True for raw features (CSV/JSON), which get the model's standardization. */
  raw: boolean;
}

/** The samples in one input argument (file or literal). */
export function readInput(arg: string, nIn: number, info: DatasetInfo | null, stdin: () => Uint8Array = () => readBounded(0, MAX_INPUT_BYTES, "input", "stdin")): Sample[] {
  let bytes: Uint8Array | null = null, name = arg;
  if (arg === "-") { bytes = stdin(); name = "stdin"; }
  else if (existsSync(arg) && !statSync(arg).isDirectory()) bytes = readBounded(arg, MAX_INPUT_BYTES, "input");
  if (bytes && !(bytes.length >= 2 && bytes[0] === 0x50 && (bytes[1] === 0x32 || bytes[1] === 0x35))) {
    const other = unsupported(bytes, arg);
    if (other) {
      throw new DatasetError("input", name, "a PGM image (P2 or P5), a JSON array or CSV text", `an unsupported format (${other})`,
        "Convert images to PGM first, e.g. with ImageMagick: convert digit.png -colorspace gray -resize 28x28! digit.pgm");
    }
  }
  if (bytes && bytes.length >= 2 && bytes[0] === 0x50 && (bytes[1] === 0x32 || bytes[1] === 0x35)) {
    const img = parsePgm(bytes, name);
    if (img.width * img.height !== nIn || (info?.shape && (img.height !== info.shape[0] || img.width !== info.shape[1]))) {
      const want = info?.shape ? `${info.shape[1]}×${info.shape[0]} (width × height)` : `${nIn} pixels`;
      throw new DatasetError("input", name, `an image of ${want}, the model's input`, `${img.width}×${img.height}`);
    }
    return [{ source: name, x: img.pixels, raw: false }];
  }
  if (!bytes && /\.(pgm|csv|json|txt)$/i.test(arg)) throw new DatasetError("input", arg, "a readable file", "no such file");
  const text = bytes ? new TextDecoder().decode(bytes) : arg;
  const t = text.trim();
  const literal = t.length > 40 ? t.slice(0, 37) + "..." : t;
  if (t.startsWith("[")) return fromJson(t, bytes ? name : literal, nIn);
  if (!bytes && !/^[\s\d.,eE+-]+$/.test(t)) {
    throw new UsageError(`${JSON.stringify(arg)} is neither a file nor a JSON array nor a CSV row of numbers`, "predict");
  }
  return fromCsv(text, bytes ? name : literal, nIn, info, !bytes);
}

function fromJson(text: string, name: string, nIn: number): Sample[] {
  let v: unknown;
  try { v = JSON.parse(text); } catch (e) {
    throw new DatasetError("input", name, "a JSON array of numbers", `text that does not parse (${(e as Error).message})`);
  }
  const rows = Array.isArray(v) && v.length > 0 && v.every(Array.isArray) ? (v as unknown[][]) : [v];
  return rows.map((r, i) => {
    const src = rows.length > 1 ? `${name}[${i}]` : name;
    if (!Array.isArray(r) || r.length !== nIn) throw new DatasetError("input", src, `an array of ${nIn} numbers (the model's input size)`, describe(r));
    r.forEach((x, k) => {
      if (typeof x !== "number" || !Number.isFinite(x)) throw new DatasetError("input", `${src}[${k}]`, "a finite number", describe(x));
    });
    return { source: src, x: Float32Array.from(r as number[]), raw: true };
  });
}

function fromCsv(text: string, name: string, nIn: number, info: DatasetInfo | null, literal: boolean): Sample[] {
  const rows = parseCsv(text, name);
  if (rows.length === 0) throw new DatasetError("input", name, "at least one row of numbers", "nothing");
  let cols: number[] | null = null, body = rows;
  if (rows.length > 1 && hasHeader(rows)) {
    const names = rows[0].fields.map((f) => f.trim());
    body = rows.slice(1);
    if (info?.features) {
      cols = info.features.map((f) => {
        const c = names.indexOf(f);
        if (c < 0) throw new DatasetError("input", name, `a column named ${JSON.stringify(f)} (the model's features are ${info.features!.join(", ")})`, `columns ${names.join(", ")}`);
        return c;
      });
    }
  }
  return body.map(({ line, fields }) => {
    const src = literal && body.length === 1 ? name : `${name} line ${line}`;
    const pick = cols ?? (fields.length === nIn ? fields.map((_, k) => k) : null);
    if (!pick) throw new DatasetError("input", src, `${nIn} numbers (the model's input size)`, `${fields.length} fields`);
    const x = new Float32Array(nIn);
    pick.forEach((c, k) => {
      const n = csvNumber(fields[c] ?? "");
      if (!Number.isFinite(n)) throw new DatasetError("input", `${src}, field ${c + 1}`, "a finite number", JSON.stringify(fields[c] ?? ""));
      x[k] = n;
    });
    return { source: src, x, raw: true };
  });
}

/** Largest input file (or standard input) read (bytes). */
export const MAX_INPUT_BYTES = 2 ** 28;

const MAGICS: [string, number[]][] = [
  ["PNG", [0x89, 0x50, 0x4e, 0x47]], ["JPEG", [0xff, 0xd8, 0xff]], ["GIF", [0x47, 0x49, 0x46, 0x38]], ["BMP", [0x42, 0x4d]],
  ["WebP/RIFF", [0x52, 0x49, 0x46, 0x46]], ["TIFF", [0x49, 0x49, 0x2a, 0x00]], ["TIFF", [0x4d, 0x4d, 0x00, 0x2a]],
  ["gzip", [0x1f, 0x8b]], ["zip", [0x50, 0x4b, 0x03, 0x04]], ["PDF", [0x25, 0x50, 0x44, 0x46]],
  ["IDX images", [0, 0, 8, 3]], ["IDX labels", [0, 0, 8, 1]], ["PPM/PBM/PAM (only grayscale PGM is read)", [0x50]],
];

/** The name of a format predict does not read, or null when the bytes may be JSON/CSV text. */
export function unsupported(bytes: Uint8Array, file: string): string | null {
  for (const [what, magic] of MAGICS) {
    if (bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b)) {
      if (what.startsWith("PPM") && !(bytes.length >= 3 && bytes[1] >= 0x31 && bytes[1] <= 0x37 && /\s/.test(String.fromCharCode(bytes[2])))) continue;
      return what;
    }
  }
  const ext = /\.(png|jpe?g|gif|bmp|webp|tiff?|heic|avif|ppm|pbm|pam)$/i.exec(file);
  if (ext) return `a .${ext[1].toLowerCase()} file`;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, 4096));
    if (text.includes("\u0000")) return "binary data";
  } catch {
    if (bytes.length > 4096) return null; // a multi-byte character cut at 4096: decoded in full below
    return "binary data, not UTF-8 text";
  }
  return null;
}

export async function predictCommand(args: readonly string[], io: Io, stdin?: () => Uint8Array): Promise<number> {
  const { values, positionals } = parse("predict", args, PREDICT_OPTIONS);
  const v = new Values("predict", values);
  if (positionals.length < 2) {
    throw new UsageError(positionals.length === 0 ? "predict needs a model file and an input: nabla predict model.json digit.pgm" : "predict needs an input after the model file: an image (.pgm), a JSON array or a CSV row", "predict");
  }
  const backend = v.choice("backend", BACKENDS);
  const top = v.int("top", 1);
  const { net, info } = loadModel(positionals[0], backend);
  const nIn = net.sizes[0], nOut = net.sizes[net.sizes.length - 1];
  const samples = positionals.slice(1).flatMap((a) => readInput(a, nIn, info, stdin));
  const names = info?.classNames, task = net.task;
  const k = Math.min(top ?? 3, nOut);
  const name = (c: number) => printable(names?.[c] ?? String(c));
  for (const s of samples) {
    // The network's own preprocessing applies (the model's z-scores for CSV/JSON features).
    let out: Float32Array;
    try { out = net.feedforward(s.x); } catch (e) {
      if (e instanceof DataError) throw new DatasetError("input", s.source, "finite numbers", "a value that is not");
      throw e;
    }
    const outputs = Array.from(out); // float32 values, exactly (JSON prints the shortest text that reads back the same)
    if (task === "regression") {
      if (v.bool("json")) io.out(printable(JSON.stringify({ input: s.source, values: outputs, outputs })) + "\n");
      else io.out(`${s.source}: ${outputs.map((y, j) => `${nOut > 1 ? `${j} = ` : ""}${Number(y.toPrecision(6))}`).join(", ")}\n`);
      continue;
    }
    if (task === "multi-label") {
      const on = outputs.flatMap((y, j) => (y >= 0.5 ? [j] : []));
      if (v.bool("json")) io.out(printable(JSON.stringify({ input: s.source, labels: outputs.map((y) => (y >= 0.5 ? 1 : 0)), outputs })) + "\n");
      else io.out(`${s.source}: ${on.length ? on.map(name).join(", ") : "(none)"}   (${outputs.map((y, j) => `${name(j)} ${y.toFixed(3)}`).join(", ")})\n`);
      continue;
    }
    const cls = task === "binary" ? (out[0] >= 0.5 ? 1 : 0) : argmax(out, 0, nOut);
    if (v.bool("json")) {
      const raw = (c: number) => names?.[c] ?? String(c);
      io.out(printable(JSON.stringify({ input: s.source, class: cls, ...(names ? { name: raw(cls) } : {}),
        ...(task === "binary" ? { probability: outputs[0] } : {}), outputs })) + "\n");
    } else if (task === "binary") {
      io.out(`${s.source}: ${name(cls)}   (P(${name(1)}) = ${out[0].toFixed(3)})\n`);
    } else {
      const order = Array.from(out.keys()).sort((a, b) => out[b] - out[a]).slice(0, k);
      io.out(`${s.source}: ${name(cls)}   (${order.map((c) => `${name(c)} ${out[c].toFixed(3)}`).join(", ")})\n`);
    }
  }
  net.dispose();
  return 0;
}
