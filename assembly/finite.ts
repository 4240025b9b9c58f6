// Finiteness check, used on the inputs of feedforwardBatch and by the divergence guard.
// A float is NaN or ±Infinity exactly when all eight exponent bits are set.

const EXP_MASK: u32 = 0x7f800000;

/**
 * 1 if all len values at p are finite, 0 if any is NaN or ±Infinity.
 * SIMD builds: 16 floats per step in four independent integer chains (and, compare, or — one
 * cycle each), so the loop runs at the speed of the loads rather than of an f32 add chain.
 */
export function allFinite(p: usize, len: i32): i32 {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const mask = i32x4.splat(EXP_MASK);
    let bad0 = i32x4.splat(0), bad1 = i32x4.splat(0), bad2 = i32x4.splat(0), bad3 = i32x4.splat(0);
    let q = p;
    for (; i + 16 <= len; i += 16) {
      bad0 = v128.or(bad0, i32x4.eq(v128.and(v128.load(q), mask), mask));
      bad1 = v128.or(bad1, i32x4.eq(v128.and(v128.load(q, 16), mask), mask));
      bad2 = v128.or(bad2, i32x4.eq(v128.and(v128.load(q, 32), mask), mask));
      bad3 = v128.or(bad3, i32x4.eq(v128.and(v128.load(q, 48), mask), mask));
      q += 64;
    }
    for (; i + 4 <= len; i += 4) {
      bad0 = v128.or(bad0, i32x4.eq(v128.and(v128.load(q), mask), mask));
      q += 16;
    }
    if (v128.any_true(v128.or(v128.or(bad0, bad1), v128.or(bad2, bad3)))) return 0;
  }
  let bad: u32 = 0;
  for (; i < len; i++) bad |= u32((load<u32>(p + (<usize>i << 2)) & EXP_MASK) == EXP_MASK);
  return bad ? 0 : 1;
}
