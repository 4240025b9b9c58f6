// Momentum-based gradient descent (Nielsen ch. 3):
//   v → μv − (η/m) Σ_x ∂C_x/∂w,   w → (1 − ηλ/n) w + v − (ηλ₁/n) sgn(w)
import { ld, st, ld4, st4 } from "./ptr";
import { sign, sign4 } from "./sgd";

/** One momentum step over len parameters w with velocities v and summed gradients g. */
export function momentum(w: usize, v: usize, g: usize, len: i32, mu: f32, scale: f32, decay: f32, l1: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vmu = f32x4.splat(mu), vs = f32x4.splat(scale), vd = f32x4.splat(decay), vl = f32x4.splat(l1);
    if (l1 == 0) {
      // No L1 term (the usual case), as in sgd: − 0·sgn(w) would change nothing but the sign of a zero.
      for (; i + 4 <= len; i += 4) {
        const vv = f32x4.sub(f32x4.mul(vmu, ld4(v, i)), f32x4.mul(vs, ld4(g, i)));
        st4(v, i, vv);
        st4(w, i, f32x4.add(f32x4.mul(vd, ld4(w, i)), vv));
      }
    } else {
      for (; i + 4 <= len; i += 4) {
        const wv = ld4(w, i);
        const vv = f32x4.sub(f32x4.mul(vmu, ld4(v, i)), f32x4.mul(vs, ld4(g, i)));
        st4(v, i, vv);
        st4(w, i, f32x4.sub(f32x4.add(f32x4.mul(vd, wv), vv), f32x4.mul(vl, sign4(wv))));
      }
    }
  }
  for (; i < len; i++) {
    const wi = ld(w, i);
    const vi = mu * ld(v, i) - scale * ld(g, i);
    st(v, i, vi);
    st(w, i, decay * wi + vi - l1 * sign(wi));
  }
}
