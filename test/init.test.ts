// Initializers: per-layer sample statistics against the formula, determinism by seed.
//   nielsen  w ~ N(0, 1),                 b ~ N(0, 1)   (network.py)
//   scaled   w ~ N(0, 1/√n_in),           b ~ N(0, 1)   (network2.py's default_weight_initializer)
//   glorot   w ~ N(0, √(2/(n_in+n_out))), b = 0         (Glorot & Bengio 2010, normal form)
//   he       w ~ N(0, √(2/n_in)),         b = 0         (He et al. 2015)
// Statistical tolerance: with N samples, the sample std has standard error ≈ σ/√(2N) and the
// mean σ/√N; we allow 5 standard errors (a false failure has probability < 1e-6; seeds fixed anyway).
import { describe, it, expect } from "vitest";
import { Network, OptionError } from "../src/index.js";
import { BACKENDS } from "./helpers.js";

const SIZES = [300, 200, 50, 10];
const STD: Record<string, (nIn: number, nOut: number) => number> = {
  nielsen: () => 1,
  scaled: (nIn) => 1 / Math.sqrt(nIn),
  glorot: (nIn, nOut) => Math.sqrt(2 / (nIn + nOut)),
  he: (nIn) => Math.sqrt(2 / nIn),
};

function stats(v: number[]) {
  const n = v.length;
  const mean = v.reduce((s, x) => s + x, 0) / n;
  const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  return { n, mean, std };
}

describe("initializers", () => {
  it.each(Object.keys(STD))("%s: per-layer mean 0 and std as the formula", (init) => {
    const net = new Network(SIZES, { seed: 2024, init: init as never });
    expect(net.init).toBe(init);
    const W = net.weights;
    for (let l = 0; l < SIZES.length - 1; l++) {
      const nIn = SIZES[l], nOut = SIZES[l + 1], sigma = STD[init](nIn, nOut);
      const { n, mean, std } = stats(W[l].flat());
      expect(n).toBe(nIn * nOut);
      expect(Math.abs(mean), `layer ${l} mean`).toBeLessThan((5 * sigma) / Math.sqrt(n));
      expect(Math.abs(std / sigma - 1), `layer ${l} std ${std} vs ${sigma}`).toBeLessThan(5 / Math.sqrt(2 * n));
      // Gaussian shape: P(|w| < σ) = 0.6827
      const inside = W[l].flat().filter((w) => Math.abs(w) < sigma).length / n;
      expect(Math.abs(inside - 0.6827), `layer ${l} share within 1σ`).toBeLessThan(5 * Math.sqrt((0.6827 * 0.3173) / n));
    }
    const b = net.biases.flat();
    if (init === "glorot" || init === "he") {
      expect(b.every((x) => x === 0)).toBe(true);
    } else {
      const { n, mean, std } = stats(b);
      expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
      expect(Math.abs(std - 1)).toBeLessThan(5 / Math.sqrt(2 * n));
    }
  });

  it("default is scaled", () => {
    const a = new Network([100, 30, 10], { seed: 1 }), b = new Network([100, 30, 10], { seed: 1, init: "scaled" });
    expect(a.init).toBe("scaled");
    expect(a.weights).toEqual(b.weights);
  });

  it("same seed → bit-identical parameters (on every backend); another seed → different", () => {
    for (const init of Object.keys(STD)) {
      const nets = BACKENDS.map((backend) => new Network([20, 7, 3], { seed: 77, init: init as never, backend }));
      const again = new Network([20, 7, 3], { seed: 77, init: init as never });
      for (const n of [...nets.slice(1), again]) {
        expect(n.weights).toEqual(nets[0].weights);
        expect(n.biases).toEqual(nets[0].biases);
      }
      expect(new Network([20, 7, 3], { seed: 78, init: init as never }).weights).not.toEqual(nets[0].weights);
    }
    // seed 0 and 2^32 − 1 are valid and differ
    expect(new Network([5, 3], { seed: 0 }).weights).not.toEqual(new Network([5, 3], { seed: 2 ** 32 - 1 }).weights);
  });

  it("the seed is recorded, drawn at random when absent", () => {
    expect(new Network([2, 2], { seed: 123 }).seed).toBe(123);
    const a = new Network([2, 2]);
    expect(Number.isInteger(a.seed)).toBe(true);
    expect(new Network([2, 2], { seed: a.seed }).weights).toEqual(a.weights);
  });

  it("bad init and seed values → OptionError naming the option", () => {
    const check = (options: object, argument: string) => {
      let e: unknown;
      try { new Network([2, 2], options as never); } catch (x) { e = x; }
      expect(e, JSON.stringify(options)).toBeInstanceOf(OptionError);
      expect((e as OptionError).argument).toBe(argument);
    };
    check({ init: "xavier" }, "options.init");
    check({ init: "He" }, "options.init");
    check({ init: 1 }, "options.init");
    check({ seed: -1 }, "options.seed");
    check({ seed: 1.5 }, "options.seed");
    check({ seed: 2 ** 32 }, "options.seed");
    check({ seed: NaN }, "options.seed");
    check({ seed: "1" }, "options.seed");
  });
});
