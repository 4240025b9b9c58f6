// Raw memory helpers. Every pointer is a byte offset into linear memory; every
// buffer is f32, row-major. Sizes are element counts.

/** f32 at element i of the buffer starting at byte offset p. */
// @ts-ignore: decorator
@inline export function ld(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}

/** Stores v at element i of the buffer starting at byte offset p. */
// @ts-ignore: decorator
@inline export function st(p: usize, i: i32, v: f32): void {
  store<f32>(p + (<usize>i << 2), v);
}

/** Four f32 lanes from element i (i need not be 4-aligned: v128.load is unaligned-safe). */
// @ts-ignore: decorator
@inline export function ld4(p: usize, i: i32): v128 {
  return v128.load(p + (<usize>i << 2));
}

/** Stores four f32 lanes at element i. */
// @ts-ignore: decorator
@inline export function st4(p: usize, i: i32, v: v128): void {
  v128.store(p + (<usize>i << 2), v);
}

/** Horizontal sum of four f32 lanes. */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1))
       + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** acc + x*y: one fused multiply-add in the relaxed-SIMD build, mul then add otherwise. */
// @ts-ignore: decorator
@inline export function madd(x: v128, y: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, y, acc);
  return f32x4.add(acc, f32x4.mul(x, y));
}

/** First byte the host may use: everything below belongs to the module's static data. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~<usize>15;
}

/** Which build this is: 0 scalar, 1 SIMD, 2 relaxed SIMD. */
export function build(): i32 {
  if (ASC_FEATURE_RELAXED_SIMD) return 2;
  if (ASC_FEATURE_SIMD) return 1;
  return 0;
}
