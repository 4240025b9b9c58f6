// `nabla export <model.json> --format onnx|tfjs --out FILE_OR_DIR`: a saved model for other
// engines (nabla/interop). ONNX is one file; TF.js is a directory with model.json + weights.bin,
// which tf.loadLayersModel("…/model.json") reads. A CSV model's standardization (saved by
// nabla train) goes along: leading Sub/Div in ONNX, a BatchNormalization layer in TF.js.
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { toONNX, toTfjs, IR_VERSION, OPSET } from "../interop/index.js";
import type { NetworkJSON } from "../serialize.js";
import { parse, Values, UsageError, type OptionSpec } from "./args.js";
import { loadModel } from "./model.js";
import { describeNetwork } from "./train.js";
import type { Io } from "./progress.js";

export const EXPORT_OPTIONS: OptionSpec = {
  format: { type: "string" },
  out: { type: "string" },
  help: { type: "boolean", short: "h" },
};

/** Writes via a temporary file, so a failed write never leaves half a model. */
function writeAtomic(file: string, data: Uint8Array | string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

export async function exportCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse("export", args, EXPORT_OPTIONS);
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "give the model file: nabla export model.json --format onnx" : `one model file at a time (got ${positionals.length})`, "export");
  const v = new Values("export", values);
  const file = positionals[0];
  let out = v.string("out");
  if (out === "") throw new UsageError("--out needs a file or directory name", "export");
  const format = v.choice("format", ["onnx", "tfjs"] as const) ?? (out?.endsWith(".onnx") ? "onnx" : undefined);
  if (!format) throw new UsageError("--format must be onnx or tfjs", "export");
  const stem = basename(file).replace(/\.json$/i, "");
  out ??= join(dirname(file), format === "onnx" ? `${stem}.onnx` : `${stem}-tfjs`);

  const { net, info } = loadModel(file, "js");
  const json = net.toJSON() as NetworkJSON & { preprocessing?: { mean: number[]; std: number[] } };
  // The library's own preprocessing when it has one, else the CLI's saved CSV standardization.
  if (!json.preprocessing && info?.standardize) json.preprocessing = info.standardize;
  const pre = json.preprocessing ? ", standardization included" : "";
  const what = `${describeNetwork(net)}${pre}`;
  net.dispose();

  if (format === "onnx") {
    if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`--out ${out}: that is a directory (ONNX is one file, e.g. --out model.onnx)`, "export");
    const bytes = toONNX(json);
    writeAtomic(out, bytes);
    io.out(`wrote ${out}: ONNX (IR ${IR_VERSION}, opset ${OPSET}), ${what}; input "input" [N, ${json.sizes[0]}], output "output" [N, ${json.sizes.at(-1)}]\n`);
    return 0;
  }
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out ${out}: that is a file (TF.js writes a directory with model.json and weights.bin)`, "export");
  const a = toTfjs(json);
  mkdirSync(out, { recursive: true });
  writeAtomic(join(out, "weights.bin"), new Uint8Array(a.weightData));
  const modelJson = {
    format: "layers-model",
    generatedBy: "nabla 0.1.0",
    convertedBy: null,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ["weights.bin"], weights: a.weightSpecs }],
    userDefinedMetadata: a.userDefinedMetadata,
  };
  writeAtomic(join(out, "model.json"), JSON.stringify(modelJson));
  io.out(`wrote ${join(out, "model.json")} and ${join(out, "weights.bin")}: TF.js layers model, ${what}\n`);
  return 0;
}
