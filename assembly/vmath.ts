// Four-lane σ for the SIMD builds, so the forward pass can apply the activation to a
// register of four z values right where they are computed (bias + activation fused into
// the matrix product, no second pass and no scalar exp per neuron).
import { SIGMOID, RELU, LEAKY_RELU, LINEAR, LEAKY_SLOPE } from "./activations";

/**
 * e^x in four lanes for x ≤ 0 (Cephes expf: x = n ln 2 + r, |r| ≤ ln2/2, degree-7 polynomial
 * for e^r, 2^n put in the exponent bits). σ built on it is within 2.5 ulp (1.8e-7 relative) of
 * float64 σ down to e^−87 (test/batch-invariance.test.ts sweeps it); below that the
 * result is subnormal, rounded once (2^n applied as two normal factors 2^n1 · 2^n2), and below
 * −104 it is 0 — as Mathf.exp gives in the scalar paths.
 */
// @ts-ignore: decorator
@inline export function expNeg4(x: v128): v128 {
  // pmax is one maxps; f32x4.max's NaN and ±0 rules cost V8 about eight instructions. A NaN x
  // still comes out NaN (pmax(x, c) = x < c ? c : x).
  x = f32x4.pmax(x, f32x4.splat(-104));
  // n = nearest(x·log2 e) by the 1.5·2^23 trick: adding it rounds to an integer (ties to even, as
  // f32x4.nearest), and its low mantissa bits are then n as an integer — no float→int conversion.
  const t = f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), f32x4.splat(12582912));
  const n = f32x4.sub(t, f32x4.splat(12582912));
  // r = x − n ln 2, with ln 2 split in two parts so n·C1 is exact
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  // e^r ≈ 1 + r + r²·q(r), q of degree 5 evaluated by Estrin's scheme (three independent
  // pairs, then r² and r⁴) rather than Horner's: the same terms, half the dependent steps.
  const r2 = f32x4.mul(r, r), r4 = f32x4.mul(r2, r2);
  const q01 = f32x4.add(f32x4.mul(f32x4.splat(1.6666665459e-1), r), f32x4.splat(5.0000001201e-1));
  const q23 = f32x4.add(f32x4.mul(f32x4.splat(8.3334519073e-3), r), f32x4.splat(4.1665795894e-2));
  const q45 = f32x4.add(f32x4.mul(f32x4.splat(1.9875691500e-4), r), f32x4.splat(1.3981999507e-3));
  const q = f32x4.add(f32x4.add(q01, f32x4.mul(q23, r2)), f32x4.mul(q45, r4));
  const p = f32x4.add(f32x4.add(f32x4.mul(q, r2), r), f32x4.splat(1));
  // 2^n for integer n in [−150, 0] as 2^n1 · 2^n2, n1 = ⌊n/2⌋, n2 = n − n1, both in [−75, 0]:
  // each factor is a normal float (biased exponent in bits 23..30), only the last product rounds.
  const ni = i32x4.sub(t, i32x4.splat(0x4b400000)); // bits of t − bits of 1.5·2^23
  const n1 = i32x4.shr_s(ni, 1), n2 = i32x4.sub(ni, n1);
  const bias = i32x4.splat(127);
  return f32x4.mul(f32x4.mul(p, i32x4.shl(i32x4.add(n1, bias), 23)), i32x4.shl(i32x4.add(n2, bias), 23));
}

/** σ(z) = 1/(1+e^−z) in four lanes, from e = e^−|z| ≤ 1 so nothing overflows: σ = 1/(1+e) for z ≥ 0, e/(1+e) below. */
// @ts-ignore: decorator
@inline export function sigmoid4(z: v128): v128 {
  const e = expNeg4(f32x4.neg(f32x4.abs(z)));
  const s = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
  return v128.bitselect(s, f32x4.mul(e, s), f32x4.ge(z, f32x4.splat(0)));
}

/** Whether activate4 handles act (tanh and softmax stay scalar). */
// @ts-ignore: decorator
@inline export function hasActivate4(act: i32): bool {
  return act == SIGMOID || act == RELU || act == LEAKY_RELU || act == LINEAR;
}

/** σ(z) in four lanes for the activations hasActivate4 accepts. */
// @ts-ignore: decorator
@inline export function activate4(z: v128, act: i32): v128 {
  if (act == SIGMOID) return sigmoid4(z);
  if (act == RELU) return f32x4.max(z, f32x4.splat(0));
  if (act == LEAKY_RELU) return v128.bitselect(z, f32x4.mul(z, f32x4.splat(LEAKY_SLOPE)), f32x4.gt(z, f32x4.splat(0)));
  return z;
}
