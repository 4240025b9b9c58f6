// The cost C summed over a batch (the caller divides by n):
//   quadratic       C_x = ½ ‖y − a‖²                       (Nielsen eq. 26)
//   cross-entropy   C_x = −Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)]   (ch. 3, eq. 63)
//   log-likelihood  C_x = −Σ_j y_j ln a_j   (= −ln a_y for a one-hot y; ch. 3, eq. 80)
// Logs are taken in f64 of max(·, 1e-45), so ln 0 gives ≈ −103.3, never −∞ or NaN
// (network2.py's nan_to_num serves the same purpose).
import { ld } from "./ptr";
import { QUADRATIC, CROSS_ENTROPY } from "./bp1";

// @ts-ignore: decorator
@inline function safeLog(x: f64): f64 {
  return Math.log(x > 1e-45 || x != x ? x : 1e-45); // ln 0 guarded; NaN is kept, not hidden
}

/** Σ_x C_x over m samples; a and y are (m, n). */
export function cost(a: usize, y: usize, n: i32, m: i32, kind: i32): f64 {
  const len = n * m;
  let total: f64 = 0;
  if (kind == QUADRATIC) {
    for (let i = 0; i < len; i++) {
      const d = <f64>ld(a, i) - <f64>ld(y, i);
      total += 0.5 * d * d;
    }
  } else if (kind == CROSS_ENTROPY) {
    for (let i = 0; i < len; i++) {
      const ai = <f64>ld(a, i), yi = <f64>ld(y, i);
      if (yi != 0) total -= yi * safeLog(ai);
      if (yi != 1) total -= (1 - yi) * safeLog(1 - ai);
    }
  } else {
    for (let i = 0; i < len; i++) {
      const yi = <f64>ld(y, i);
      if (yi != 0) total -= yi * safeLog(<f64>ld(a, i));
    }
  }
  return total;
}
