// Byte inputs widened to f32 as a batch is loaded (assembly/load.ts): dst[i] = f32(src[i]) · scale.
// The product of a byte and an f32 is exact in float64, so storing it rounds once, as the
// f32 multiply of the wasm builds does.

/** F[dst + i] = U8[src + i] · fround(scale) for i < len (dst an f32 index, src a byte index). */
export function loadBytes(F: Float32Array, U8: Uint8Array, dst: number, src: number, len: number, scale: number): void {
  const s = Math.fround(scale);
  for (let i = 0; i < len; i++) F[dst + i] = U8[src + i] * s;
}
