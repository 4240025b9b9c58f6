// `nabla train --init-from FILE`: start training from an existing network instead of random
// weights: nabla's model JSON, an ONNX model (.onnx) or a TF.js layers model (its directory or
// its model.json, with the weight files next to it). The architecture comes from the file.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { Network } from "../network.js";
import { ModelFormatError } from "../errors.js";
import { onnxToJSON, tfjsToJSON } from "../interop/index.js";
import { toNetwork, type ImportedJSON } from "../interop/common.js";
import type { BackendOption } from "../wasm.js";
import { UsageError, type Values } from "./args.js";
import type { TrainSettings } from "./train.js";

const read = (file: string): Buffer => {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelFormatError("nabla train --init-from", file, "a readable model file (nabla JSON, .onnx, or a TF.js model.json)", code === "ENOENT" ? "no such file" : `an error (${(e as Error).message})`);
  }
};

/** The network in `file` (nabla JSON, ONNX, or TF.js directory / model.json). `cost` replaces the file's when given. */
export function loadNetwork(file: string, options: { backend?: BackendOption; seed?: number; cost?: string } = {}): Network {
  const where = `--init-from ${file}`;
  let modelJson = file;
  if (existsSync(file) && statSync(file).isDirectory()) modelJson = join(file, "model.json");
  const bytes = read(modelJson);
  let json: Record<string, unknown>;
  let imported = false;
  // JSON by its extension or its first character; anything else is read as ONNX protobuf.
  const text = !/\.onnx$/i.test(modelJson) && (/\.json$/i.test(modelJson) || /^\s*\{/.test(bytes.subarray(0, 64).toString("utf8").replace(/^\uFEFF/, "")));
  if (!text) {
    json = onnxToJSON(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), where);
    imported = true;
  } else {
    try {
      json = JSON.parse(bytes.toString("utf8"));
    } catch (e) {
      throw new ModelFormatError("nabla train", modelJson, "a JSON model file", `text that does not parse as JSON (${(e as Error).message})`);
    }
    if (json !== null && typeof json === "object" && "modelTopology" in json) {
      // A TF.js model.json: the weight files are listed in its manifest, next to it.
      const manifest = Array.isArray(json.weightsManifest) ? json.weightsManifest : [];
      const paths = manifest.flatMap((g: { paths?: unknown }) => (Array.isArray(g?.paths) ? g.paths : []));
      if (paths.some((p: unknown) => typeof p !== "string" || p.includes("..") || p.startsWith("/"))) {
        throw new ModelFormatError("nabla train", `${modelJson} weightsManifest`, "weight file names next to model.json", JSON.stringify(paths).slice(0, 80));
      }
      const weightData = Buffer.concat(paths.map((p: string) => read(join(dirname(modelJson), p))));
      json = tfjsToJSON({ ...json, weightData }, where);
      imported = true;
    }
  }
  if (options.cost !== undefined) json = { ...json, cost: options.cost };
  const o = { ...(options.backend ? { backend: options.backend } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}) };
  return imported ? toNetwork(json as ImportedJSON, o) : Network.fromJSON(json, o);
}

/** The network for `nabla train --init-from`, checked against the flags and the data. */
export function initFrom(v: Values, s: TrainSettings, data: { inputs: number; classes: number }): Network {
  const file = v.string("init-from")!;
  if (file === "") throw new UsageError("--init-from needs a file: a nabla model.json, a model.onnx or a TF.js model directory", "train");
  for (const flag of ["sizes", "hidden", "activation", "output", "init"]) {
    if (v.has(flag)) throw new UsageError(`--${flag} cannot be combined with --init-from: the network comes from ${file}`, "train");
  }
  const net = loadNetwork(file, { backend: s.backend, seed: s.seed, ...(v.has("cost") ? { cost: s.cost } : {}) });
  const nIn = net.sizes[0], nOut = net.sizes[net.sizes.length - 1];
  if (nIn !== data.inputs || nOut < data.classes) {
    net.dispose();
    throw new UsageError(`--init-from ${file}: the network is [${net.sizes.join(", ")}] but the data has ${data.inputs} inputs and ${data.classes} classes`, "train");
  }
  return net;
}
