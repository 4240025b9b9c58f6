// Model files: the library's toJSON() plus a "dataset" key (DatasetInfo) that the CLI reads
// back: class names, input shape, CSV feature columns and standardization. Network.fromJSON
// reads only its own keys, so a CLI model file loads in the library as it is.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { Network } from "../network.js";
import type { BackendOption } from "../wasm.js";
import { ModelFormatError, describe } from "../errors.js";
import type { DatasetInfo } from "./dataset.js";

export interface ModelFile {
  net: Network;
  /** Present in files the CLI saved. */
  info: DatasetInfo | null;
}

/** Writes the network and its dataset info, via a temporary file so a crash never leaves half a model. */
export function saveModel(file: string, net: Network, info: DatasetInfo, training?: Record<string, unknown>): void {
  const json = { ...net.toJSON(), dataset: info, ...(training ? { training } : {}) };
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(json));
  renameSync(tmp, file);
}

export function loadModel(file: string, backend?: BackendOption): ModelFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelFormatError("nabla", file, "a readable model file (from nabla train --save)", code === "ENOENT" ? "no such file" : `an error (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError("nabla", file, "a JSON model file (from nabla train --save)", `text that does not parse as JSON (${(e as Error).message})`);
  }
  const net = Network.fromJSON(json, backend ? { backend } : {});
  const raw = (json as Record<string, unknown>).dataset;
  return { net, info: raw === undefined ? null : checkInfo(file, raw, net) };
}

/** Checks the "dataset" key of an untrusted file against the network it came with. */
function checkInfo(file: string, raw: unknown, net: Network): DatasetInfo {
  const fail = (arg: string, expected: string, v: unknown): never => { throw new ModelFormatError(file, `dataset.${arg}`, expected, describe(v)); };
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) fail("", "an object", raw);
  const d = raw as Record<string, unknown>;
  const nIn = net.sizes[0], nOut = net.sizes[net.sizes.length - 1];
  const out: DatasetInfo = {
    spec: typeof d.spec === "string" ? d.spec : fail("spec", "a string", d.spec),
    kind: d.kind === "mnist" || d.kind === "fashion-mnist" || d.kind === "idx" || d.kind === "csv" ? d.kind : fail("kind", "mnist, fashion-mnist, idx or csv", d.kind),
    inputs: d.inputs === nIn ? nIn : fail("inputs", `${nIn} (the network's input size)`, d.inputs),
    classes: Number.isInteger(d.classes) && (d.classes as number) >= 1 && (d.classes as number) <= nOut ? (d.classes as number) : fail("classes", `an integer from 1 to ${nOut}`, d.classes),
  };
  const strings = (k: string, n?: number) => {
    const v = d[k];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === "string") || (n !== undefined && v.length !== n)) fail(k, `an array of ${n ?? "some"} strings`, v);
    return v as string[];
  };
  const numbers = (v: unknown, k: string) => {
    if (!Array.isArray(v) || v.length !== nIn || !v.every((x) => typeof x === "number" && Number.isFinite(x))) fail(k, `an array of ${nIn} finite numbers`, v);
    return v as number[];
  };
  if (d.shape !== undefined) {
    const s = d.shape as unknown[];
    if (!Array.isArray(s) || s.length !== 2 || !s.every((x) => Number.isInteger(x) && (x as number) >= 1) || (s[0] as number) * (s[1] as number) !== nIn) fail("shape", `[rows, cols] with rows × cols = ${nIn}`, s);
    out.shape = [s[0] as number, s[1] as number];
  }
  out.classNames = strings("classNames", out.classes);
  out.features = strings("features", nIn);
  if (typeof d.label === "string") out.label = d.label;
  if (d.standardize !== undefined) {
    const z = d.standardize as Record<string, unknown>;
    if (z === null || typeof z !== "object") fail("standardize", "{ mean, std }", z);
    const std = numbers(z.std, "standardize.std");
    if (std.some((x) => x <= 0)) fail("standardize.std", "positive numbers", std);
    out.standardize = { mean: numbers(z.mean, "standardize.mean"), std };
  }
  if (typeof d.testFraction === "number" && d.testFraction >= 0 && d.testFraction < 1) out.testFraction = d.testFraction;
  for (const k of ["trainSize", "testSize"] as const) {
    if (d[k] !== undefined) out[k] = Number.isInteger(d[k]) && (d[k] as number) >= 0 ? (d[k] as number) : fail(k, "a non-negative integer", d[k]);
  }
  return out;
}
