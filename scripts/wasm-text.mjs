// How a wasm build travels inside JavaScript (scripts/inline-wasm.mjs writes it, src/wasm.ts
// decodeBuild reads it): a string of printable ASCII, one or two characters per byte, so every
// byte starts on a character boundary and gzip finds the module's repeats, as it does in the raw
// bytes. The alphabet is the 92 characters from " " to "~" without `"`, `\` and `<` (nothing to
// escape in a string literal, nothing a bundler rewrites, no "</script"). A byte b is shifted to
// r = (b + 3) mod 256, so that 0xFD (the prefix of every SIMD instruction), 0xFE and 0xFF count
// among the small values; r < 90 is the one character ALPHABET[r], r ≥ 90 the two characters
// ALPHABET[90 + ⌊(r − 90) / 92⌋] ALPHABET[(r − 90) mod 92].
// Gzipped, the relaxed SIMD build is 6.2 KB this way, 6.8 KB as hex, 9.2 KB as base64 (raw bytes: 6.1 KB).
export const ALPHABET = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => !`"\\<`.includes(c)).join("");
export const SHIFT = 3;
export const SINGLE = 90;

/** The text of a build's bytes. */
export function encodeBuild(bytes) {
  let s = "";
  for (const b of bytes) {
    const r = (b + SHIFT) & 255;
    s += r < SINGLE ? ALPHABET[r] : ALPHABET[SINGLE + Math.floor((r - SINGLE) / 92)] + ALPHABET[(r - SINGLE) % 92];
  }
  return s;
}
