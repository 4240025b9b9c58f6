// Inverted dropout: out = x ⊙ mask. Same as assembly/dropout.ts.
export function dropout(F: Float32Array, out: number, x: number, mask: number, len: number): void {
  for (let i = 0; i < len; i++) F[out + i] = F[x + i] * F[mask + i];
}
