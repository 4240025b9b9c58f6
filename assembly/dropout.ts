// Inverted dropout (Nielsen ch. 3, "Dropout"; Srivastava et al. 2014), one kernel used twice:
//   forward   ã^l = a^l ⊙ μ        (the next layer and BP4 read ã^l; BP2's σ' reads a^l)
//   backward  δ^l = δ^l ⊙ μ        (after BP2: ∂C/∂a^l = ∂C/∂ã^l ⊙ μ, and ⊙ commutes with σ'(z^l))
// μ holds 0 for a dropped neuron and 1/(1 − p) for a kept one, so the expected ã^l is a^l and
// inference needs no rescaling. μ is drawn on the host from the network's seeded generator
// (src/dropout.ts), so runs stay bit-reproducible on every backend.
import { ld, st, ld4, st4 } from "./ptr";

/** out = x ⊙ mask over len values (out may be x). */
export function dropout(out: usize, x: usize, mask: usize, len: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= len; i += 4) st4(out, i, f32x4.mul(ld4(x, i), ld4(mask, i)));
  }
  for (; i < len; i++) st(out, i, ld(x, i) * ld(mask, i));
}
