// σ and σ' for each activation. σ' is computed from the stored output a = σ(z)
// (σ'(z) = a(1−a) for the sigmoid), so the backward pass never needs z and never
// calls exp. Softmax is an output-layer activation only (its δ^L comes from BP1).

export const SIGMOID: i32 = 0;
export const TANH: i32 = 1;
export const RELU: i32 = 2;
export const LEAKY_RELU: i32 = 3;
export const LINEAR: i32 = 4;
export const SOFTMAX: i32 = 5;

/** Slope of leaky ReLU for z < 0. */
export const LEAKY_SLOPE: f32 = 0.01;

/** Logistic sigmoid 1/(1+e^−z), safe for any finite z (exp never overflows). */
// @ts-ignore: decorator
@inline export function sigmoid(z: f32): f32 {
  if (z >= 0) return 1 / (1 + Mathf.exp(-z));
  const e = Mathf.exp(z);
  return e / (1 + e);
}

/** σ(z) for the element-wise activations (not softmax). */
// @ts-ignore: decorator
@inline export function activate(z: f32, act: i32): f32 {
  if (act == SIGMOID) return sigmoid(z);
  if (act == TANH) return Mathf.tanh(z);
  if (act == RELU) return z > 0 ? z : 0;
  if (act == LEAKY_RELU) return z > 0 ? z : LEAKY_SLOPE * z;
  return z; // LINEAR
}

/** σ'(z) written in terms of a = σ(z). */
// @ts-ignore: decorator
@inline export function activatePrime(a: f32, act: i32): f32 {
  if (act == SIGMOID) return a * (1 - a);
  if (act == TANH) return 1 - a * a;
  if (act == RELU) return a > 0 ? <f32>1 : <f32>0;
  if (act == LEAKY_RELU) return a > 0 ? <f32>1 : LEAKY_SLOPE;
  return 1; // LINEAR (and softmax, whose δ^L never uses σ')
}

/** Four lanes of σ'(z) from four lanes of a. */
// @ts-ignore: decorator
@inline export function activatePrime4(a: v128, act: i32): v128 {
  const one = f32x4.splat(1);
  if (act == SIGMOID) return f32x4.mul(a, f32x4.sub(one, a));
  if (act == TANH) return f32x4.sub(one, f32x4.mul(a, a));
  if (act == RELU) return v128.and(f32x4.gt(a, f32x4.splat(0)), one);
  if (act == LEAKY_RELU) return v128.bitselect(one, f32x4.splat(LEAKY_SLOPE), f32x4.gt(a, f32x4.splat(0)));
  return one;
}
