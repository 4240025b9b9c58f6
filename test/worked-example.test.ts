// One example worked by hand: a 2-2-2 sigmoid network with quadratic cost (the numbers of
// Matt Mazur's well-known "step by step backpropagation example", re-derived below in
// Nielsen's notation). w^l_jk: row j = neuron in layer l, column k = neuron in layer l−1.
//
//   x = (0.05, 0.10), y = (0.01, 0.99)
//   w^2 = [[0.15, 0.20], [0.25, 0.30]], b^2 = (0.35, 0.35)
//   w^3 = [[0.40, 0.45], [0.50, 0.55]], b^3 = (0.60, 0.60)
// Feedforward:
//   z^2_1 = 0.15·0.05 + 0.20·0.10 + 0.35 = 0.3775      a^2_1 = σ(0.3775) = 0.593269992
//   z^2_2 = 0.25·0.05 + 0.30·0.10 + 0.35 = 0.3925      a^2_2 = σ(0.3925) = 0.596884378
//   z^3_1 = 0.40·a^2_1 + 0.45·a^2_2 + 0.60 = 1.105905967   a^3_1 = 0.751365070
//   z^3_2 = 0.50·a^2_1 + 0.55·a^2_2 + 0.60 = 1.224921404   a^3_2 = 0.772928465
//   C = ½[(0.01 − a^3_1)² + (0.99 − a^3_2)²] = 0.298371109
// BP1: δ^3_j = (a^3_j − y_j) σ'(z^3_j), σ'(z) = a(1 − a)
//   δ^3_1 = 0.741365070 · 0.186815602 = 0.138498562
//   δ^3_2 = −0.217071535 · 0.175510053 = −0.038098236
// BP4: ∂C/∂w^3_11 = a^2_1 δ^3_1 = 0.082167041,  ∂C/∂w^3_12 = a^2_2 δ^3_1 = 0.082667628
//      ∂C/∂w^3_21 = a^2_1 δ^3_2 = −0.022602540, ∂C/∂w^3_22 = a^2_2 δ^3_2 = −0.022740242
// BP2: δ^2_1 = (0.40·δ^3_1 + 0.50·δ^3_2) · a^2_1(1 − a^2_1) = 0.036350306 · 0.241300709 = 0.008771354
//      δ^2_2 = (0.45·δ^3_1 + 0.55·δ^3_2) · a^2_2(1 − a^2_2) = 0.041370323 · 0.240613417 = 0.009954254
// BP4: ∂C/∂w^2_11 = x_1 δ^2_1 = 0.000438568, ∂C/∂w^2_12 = x_2 δ^2_1 = 0.000877135
//      ∂C/∂w^2_21 = x_1 δ^2_2 = 0.000497713, ∂C/∂w^2_22 = x_2 δ^2_2 = 0.000995425
// BP3: ∂C/∂b^l_j = δ^l_j.
// One SGD step with η = 0.5, m = 1: w → w − 0.5 ∂C/∂w, e.g. w^3_11 = 0.40 − 0.041083521 = 0.358916480.
import { describe, it, expect } from "vitest";
import { Network } from "../src/index.js";
import { BACKENDS } from "./helpers.js";

const x = [0.05, 0.1], y = [0.01, 0.99];
const W = [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]];
const B = [[0.35, 0.35], [0.6, 0.6]];

describe.each(BACKENDS)("hand-worked 2-2-2 example on %s", (backend) => {
  const make = () => {
    const net = new Network([2, 2, 2], { backend, seed: 1 });
    net.weights = W;
    net.biases = B;
    return net;
  };

  it("feedforward and cost", () => {
    const net = make();
    const a = net.feedforward(x);
    expect(a[0]).toBeCloseTo(0.75136507, 6);
    expect(a[1]).toBeCloseTo(0.772928465, 6);
    expect(net.evaluate([[x, y]]).cost).toBeCloseTo(0.298371109, 6);
  });

  it("backprop gives BP1–BP4 as derived", () => {
    const { nablaW, nablaB } = make().backprop(x, y);
    const close = (got: number, want: number) => expect(got).toBeCloseTo(want, 7);
    close(nablaB[1][0], 0.138498562);
    close(nablaB[1][1], -0.038098236);
    close(nablaW[1][0][0], 0.082167041);
    close(nablaW[1][0][1], 0.082667628);
    close(nablaW[1][1][0], -0.02260254);
    close(nablaW[1][1][1], -0.022740242);
    close(nablaB[0][0], 0.008771354);
    close(nablaB[0][1], 0.009954254);
    close(nablaW[0][0][0], 0.000438568);
    close(nablaW[0][0][1], 0.000877135);
    close(nablaW[0][1][0], 0.000497713);
    close(nablaW[0][1][1], 0.000995425);
  });

  it("one SGD step with η = 0.5 moves every weight by −η ∂C/∂w", () => {
    const net = make();
    net.train([[x, y]], { epochs: 1, batchSize: 1, learningRate: 0.5 });
    const w = net.weights;
    expect(w[1][0][0]).toBeCloseTo(0.35891648, 6);
    expect(w[1][0][1]).toBeCloseTo(0.408666186, 6);
    expect(w[1][1][0]).toBeCloseTo(0.51130127, 6);
    expect(w[1][1][1]).toBeCloseTo(0.561370121, 6);
    expect(w[0][0][0]).toBeCloseTo(0.149780716, 6);
    expect(w[0][0][1]).toBeCloseTo(0.19956143, 6);
    expect(w[0][1][0]).toBeCloseTo(0.24975114, 6);
    expect(w[0][1][1]).toBeCloseTo(0.29950229, 6);
    expect(net.biases[1][0]).toBeCloseTo(0.6 - 0.5 * 0.138498562, 6);
  });
});
