// The pure-JS baseline: the same kernels as assembly/, in plain TypeScript over a
// Float32Array view of a WebAssembly.Memory (so the Network lays out memory the same
// way for every backend). Pointers arrive as byte offsets and become element indices.
import type { Kernels } from "../kernels.js";
import { forward } from "./forward.js";
import { bp1 } from "./bp1.js";
import { bp2 } from "./bp2.js";
import { bp3 } from "./bp3.js";
import { bp4, bp4sgd } from "./bp4.js";
import { sgd, momentum, adam } from "./update.js";
import { cost, allFinite } from "./cost.js";
import { loadBytes } from "./load.js";
import { dropout } from "./dropout.js";

export function createJsKernels(): Kernels {
  const memory = new WebAssembly.Memory({ initial: 1 });
  let F = new Float32Array(memory.buffer), U8 = new Uint8Array(memory.buffer);
  // Re-take the views after the memory has grown (the old buffer is then detached).
  const f = (): Float32Array => (F.buffer === memory.buffer ? F : (F = new Float32Array(memory.buffer)));
  const u8 = (): Uint8Array => (U8.buffer === memory.buffer ? U8 : (U8 = new Uint8Array(memory.buffer)));
  return {
    name: "js",
    memory,
    heapBase: () => 16,
    forward: (a, w, b, aPrev, nIn, nOut, m, act) => forward(f(), a >>> 2, w >>> 2, b >>> 2, aPrev >>> 2, nIn, nOut, m, act),
    bp1: (delta, a, y, n, m, act, c) => bp1(f(), delta >>> 2, a >>> 2, y >>> 2, n, m, act, c),
    bp2: (delta, dn, wn, a, n, nn, m, act) => bp2(f(), delta >>> 2, dn >>> 2, wn >>> 2, a >>> 2, n, nn, m, act),
    bp3: (nablaB, delta, n, m) => bp3(f(), nablaB >>> 2, delta >>> 2, n, m),
    bp4: (nablaW, delta, aPrev, nIn, nOut, m) => bp4(f(), nablaW >>> 2, delta >>> 2, aPrev >>> 2, nIn, nOut, m),
    bp4sgd: (w, b, delta, aPrev, nIn, nOut, m, scale, decay, l1) =>
      bp4sgd(f(), w >>> 2, b >>> 2, delta >>> 2, aPrev >>> 2, nIn, nOut, m, scale, decay, l1),
    sgd: (w, g, len, scale, decay, l1) => sgd(f(), w >>> 2, g >>> 2, len, scale, decay, l1),
    momentum: (w, v, g, len, mu, scale, decay, l1) => momentum(f(), w >>> 2, v >>> 2, g >>> 2, len, mu, scale, decay, l1),
    adam: (w, m1, m2, g, len, gs, lrt, b1, b2, eps, decay, l1) =>
      adam(f(), w >>> 2, m1 >>> 2, m2 >>> 2, g >>> 2, len, gs, lrt, b1, b2, eps, decay, l1),
    cost: (a, y, n, m, kind) => cost(f(), a >>> 2, y >>> 2, n, m, kind),
    allFinite: (p, len) => allFinite(f(), p >>> 2, len),
    loadBytes: (dst, src, len, scale) => loadBytes(f(), u8(), dst >>> 2, src, len, scale),
    dropout: (out, x, mask, len) => dropout(f(), out >>> 2, x >>> 2, mask >>> 2, len),
  };
}
