// Finiteness check used by the divergence guard.
import { ld, ld4 } from "./ptr";

/** 1 if all len values at p are finite, 0 if any is NaN or ±Infinity (x·0 is NaN exactly then). */
export function allFinite(p: usize, len: i32): i32 {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    const zero = f32x4.splat(0);
    for (; i + 4 <= len; i += 4) acc = f32x4.add(acc, f32x4.mul(ld4(p, i), zero));
    if (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3) != 0) return 0;
  }
  let acc: f32 = 0;
  for (; i < len; i++) acc += ld(p, i) * 0;
  return acc == 0 ? 1 : 0;
}
