// Byte inputs (pixels 0..255) widened to f32 as a batch is loaded: dst[i] = f32(src[i]) · scale.
// A data set of bytes stays bytes (a quarter of the memory of f32) until it reaches a^0.
// f32(byte) is exact, so each value is one correctly rounded f32 multiply in every build.

/**
 * dst (len f32) = src (len u8) · scale. SIMD builds: 16 bytes per step, widened u8 → u16 → u32
 * → f32 and multiplied, four f32x4 stores; then a scalar tail. No alignment assumed.
 */
export function loadBytes(dst: usize, src: usize, len: i32, scale: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const s = f32x4.splat(scale);
    for (; i + 16 <= len; i += 16) {
      const b = v128.load(src + <usize>i);
      const lo = i16x8.extend_low_i8x16_u(b), hi = i16x8.extend_high_i8x16_u(b);
      const d = dst + (<usize>i << 2);
      v128.store(d,      f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(lo)), s));
      v128.store(d, f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(lo)), s), 16);
      v128.store(d, f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(hi)), s), 32);
      v128.store(d, f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(hi)), s), 48);
    }
  }
  for (; i < len; i++) store<f32>(dst + (<usize>i << 2), <f32>load<u8>(src + <usize>i) * scale);
}
