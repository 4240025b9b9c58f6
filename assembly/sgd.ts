// The mini-batch gradient-descent step (Nielsen eq. 20–21, with network2.py's L2
// weight decay and an optional L1 term):
//   w → (1 − ηλ/n) w − (η/m) Σ_x ∂C_x/∂w − (ηλ₁/n) sgn(w)
// Called once over all weights (decay = 1 − ηλ/n) and once over all biases (decay = 1).
import { ld, st, ld4, st4 } from "./ptr";

/** sgn(x) in four lanes: −1, 0 or +1. */
// @ts-ignore: decorator
@inline export function sign4(x: v128): v128 {
  const one = f32x4.splat(1);
  const pos = v128.and(f32x4.gt(x, f32x4.splat(0)), one);
  const neg = v128.and(f32x4.lt(x, f32x4.splat(0)), one);
  return f32x4.sub(pos, neg);
}

/** sgn(x): −1, 0 or +1. */
// @ts-ignore: decorator
@inline export function sign(x: f32): f32 {
  return x > 0 ? <f32>1 : x < 0 ? <f32>-1 : <f32>0;
}

/**
 * w = decay·w − scale·nablaW − l1·sgn(w), element-wise over len values.
 * scale = η/m, decay = 1 − ηλ/n (1 for biases), l1 = ηλ₁/n (0 for none).
 */
export function sgd(w: usize, nablaW: usize, len: i32, scale: f32, decay: f32, l1: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vs = f32x4.splat(scale), vd = f32x4.splat(decay), vl = f32x4.splat(l1);
    if (l1 == 0) {
      // No L1 term (the usual case): − l1·sgn(w) would subtract ±0, which changes nothing but the sign of a zero.
      for (; i + 4 <= len; i += 4) st4(w, i, f32x4.sub(f32x4.mul(vd, ld4(w, i)), f32x4.mul(vs, ld4(nablaW, i))));
    } else {
      for (; i + 4 <= len; i += 4) {
        const wv = ld4(w, i);
        st4(w, i, f32x4.sub(f32x4.sub(f32x4.mul(vd, wv), f32x4.mul(vs, ld4(nablaW, i))), f32x4.mul(vl, sign4(wv))));
      }
    }
  }
  for (; i < len; i++) {
    const wi = ld(w, i);
    const r = decay * wi - scale * ld(nablaW, i);
    st(w, i, l1 != 0 ? r - l1 * sign(wi) : r);
  }
}
