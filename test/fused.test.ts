// The fused kernel bp4sgd (BP3 + BP4 + the SGD step of one layer, gradients never written)
// against the unfused path it replaces: bp3 and bp4 into scratch, then sgd on w and on b.
// Odd sizes leave every remainder of the blocking (4 rows × 8 columns, vectors of 4) in play.
// Checked on every backend, and against a float64 reference as well.
import { describe, it, expect } from "vitest";
import { BACKENDS, lab, floats, expectClose } from "./helpers.js";
import { Random } from "../src/random.js";

const SHAPES: [number, number, number][] = [
  // [nIn, nOut, m]
  [1, 1, 1], [3, 5, 2], [5, 3, 3], [7, 9, 1], [9, 7, 4], [17, 5, 7], [13, 13, 13], [33, 6, 10], [784, 30, 10], [30, 10, 10], [31, 17, 65], [40, 10, 33], [17, 6, 128], [9, 32, 64],
];
const SETTINGS: [number, number, number][] = [
  // [scale, decay, l1]
  // the first is the specialized plain copy (decay 1, no L1); the others the general one
  [0.3, 1, 0], [0.05, 0.999, 0], [0.3, 0.99, 0.01], [0.3, 1, 0.01],
];

describe.each(BACKENDS)("bp4sgd on %s", (backend) => {
  it.each(SHAPES)("nIn=%i nOut=%i m=%i equals bp3 + bp4 + sgd", (nIn, nOut, m) => {
    for (const [scale, decay, l1] of SETTINGS) {
      const rng = new Random(nIn * 131 + nOut * 7 + m);
      const w = floats(rng, nOut * nIn, -0.5, 0.5), b = floats(rng, nOut);
      w[0] = 0; // sgn(0) = 0 in the L1 term
      const d = floats(rng, m * nOut, -0.2, 0.2), x = floats(rng, m * nIn, 0, 1);

      // Unfused: bp3, bp4 into scratch, then sgd on w (scale, decay, l1) and b (scale, 1, 0).
      const U = lab(backend);
      const uw = U.alloc(w.length, w), ub = U.alloc(nOut, b), ud = U.alloc(d.length, d), ux = U.alloc(x.length, x);
      const gw = U.alloc(w.length), gb = U.alloc(nOut);
      U.k.bp3(gb, ud, nOut, m);
      U.k.bp4(gw, ud, ux, nIn, nOut, m);
      U.k.sgd(uw, gw, w.length, scale, decay, l1);
      U.k.sgd(ub, gb, nOut, scale, 1, 0);
      const wantW = U.read(uw, w.length), wantB = U.read(ub, nOut);

      // Fused.
      const F = lab(backend);
      const fw = F.alloc(w.length, w), fb = F.alloc(nOut, b), fd = F.alloc(d.length, d), fx = F.alloc(x.length, x);
      F.k.bp4sgd(fw, fb, fd, fx, nIn, nOut, m, scale, decay, l1);
      const gotW = F.read(fw, w.length), gotB = F.read(fb, nOut);
      expect(F.guard(fw, w.length), "wrote past w").toBe(12345);
      expect(F.guard(fb, nOut), "wrote past b").toBe(12345);
      // The inputs are untouched.
      expectClose(F.read(fd, d.length), d, 0, "delta unchanged");
      expectClose(F.read(fx, x.length), x, 0, "aPrev unchanged");

      const what = `scale=${scale} decay=${decay} l1=${l1}`;
      if (backend === "js") {
        // The JS baseline sums the fused gradient in float64, so only close.
        expectClose(gotW, wantW, 1e-6, `w ${what}`);
        expectClose(gotB, wantB, 1e-6, `b ${what}`);
      } else {
        // The wasm builds form the same sums in the same order: equal (a zero may differ in sign).
        for (let i = 0; i < w.length; i++) if (gotW[i] !== wantW[i]) expect(gotW[i], `w[${i}] ${what}`).toBe(wantW[i]);
        for (let j = 0; j < nOut; j++) if (gotB[j] !== wantB[j]) expect(gotB[j], `b[${j}] ${what}`).toBe(wantB[j]);
      }

      // And both against float64 arithmetic from the formulas.
      const refW = new Float64Array(w.length), refB = new Float64Array(nOut);
      for (let j = 0; j < nOut; j++) {
        let sb = 0;
        for (let s = 0; s < m; s++) sb += d[s * nOut + j];
        refB[j] = b[j] - scale * sb;
        for (let k = 0; k < nIn; k++) {
          let g = 0;
          for (let s = 0; s < m; s++) g += d[s * nOut + j] * x[s * nIn + k];
          const wi = w[j * nIn + k];
          refW[j * nIn + k] = decay * wi - scale * g - l1 * Math.sign(wi);
        }
      }
      expectClose(gotW, refW, 2e-5, `w vs float64 ${what}`);
      expectClose(gotB, refB, 2e-5, `b vs float64 ${what}`);
    }
  });
});
