// Adam (Kingma & Ba 2015, Algorithm 1, with the bias corrections folded into the
// step size as in their section 2):
//   g = (1/m) Σ_x ∂C_x/∂w
//   m1 → β1 m1 + (1 − β1) g,   m2 → β2 m2 + (1 − β2) g²
//   w  → (1 − ηλ/n) w − lrt · m1 / (√m2 + ε) − (ηλ₁/n) sgn(w),
//   lrt = η √(1 − β2^t) / (1 − β1^t)
import { ld, st, ld4, st4 } from "./ptr";
import { sign, sign4 } from "./sgd";

/** One Adam step over len parameters; gScale = 1/m turns the summed gradient into a mean. */
export function adam(w: usize, m1: usize, m2: usize, g: usize, len: i32, gScale: f32, lrt: f32,
                     beta1: f32, beta2: f32, eps: f32, decay: f32, l1: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vg = f32x4.splat(gScale), vlr = f32x4.splat(lrt), vb1 = f32x4.splat(beta1), vb2 = f32x4.splat(beta2);
    const vc1 = f32x4.splat(1 - beta1), vc2 = f32x4.splat(1 - beta2), veps = f32x4.splat(eps);
    const vd = f32x4.splat(decay), vl = f32x4.splat(l1);
    const hasL1 = l1 != 0;
    for (; i + 4 <= len; i += 4) {
      const gv = f32x4.mul(vg, ld4(g, i));
      const mv = f32x4.add(f32x4.mul(vb1, ld4(m1, i)), f32x4.mul(vc1, gv));
      const sv = f32x4.add(f32x4.mul(vb2, ld4(m2, i)), f32x4.mul(vc2, f32x4.mul(gv, gv)));
      st4(m1, i, mv);
      st4(m2, i, sv);
      const wv = ld4(w, i);
      const step = f32x4.div(f32x4.mul(vlr, mv), f32x4.add(f32x4.sqrt(sv), veps));
      const r = f32x4.sub(f32x4.mul(vd, wv), step);
      // As in sgd: without an L1 term, skip subtracting ±0.
      st4(w, i, hasL1 ? f32x4.sub(r, f32x4.mul(vl, sign4(wv))) : r);
    }
  }
  for (; i < len; i++) {
    const gi = gScale * ld(g, i);
    const mi = beta1 * ld(m1, i) + (1 - beta1) * gi;
    const si = beta2 * ld(m2, i) + (1 - beta2) * gi * gi;
    st(m1, i, mi);
    st(m2, i, si);
    const wi = ld(w, i);
    st(w, i, decay * wi - lrt * mi / (Mathf.sqrt(si) + eps) - l1 * sign(wi));
  }
}
