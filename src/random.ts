// The one seeded generator behind every random choice (initial weights and shuffling).
// xoshiro128** (Blackman & Vigna) seeded through splitmix32; Gaussians by Box–Muller.
// Its state is four 32-bit words, saved with the model so training resumes exactly.

export class Random {
  /** The generator's state: four unsigned 32-bit words. */
  readonly state: Uint32Array;
  constructor(seed: number | readonly number[]) {
    this.state = new Uint32Array(4);
    if (typeof seed === "number") {
      let x = seed >>> 0;
      for (let i = 0; i < 4; i++) {
        // splitmix32
        x = (x + 0x9e3779b9) >>> 0;
        let z = x;
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
        this.state[i] = (z ^ (z >>> 16)) >>> 0;
      }
      if ((this.state[0] | this.state[1] | this.state[2] | this.state[3]) === 0) this.state[0] = 1;
    } else {
      this.state.set(seed);
    }
  }

  /** Next 32 random bits as an unsigned integer. */
  nextU32(): number {
    const s = this.state;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextU32() >>> 5, lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n) without modulo bias. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** out[from + i] = std · N(0, 1) for i < n, using both values of each Box–Muller pair. */
  gaussians(out: Float32Array, from: number, n: number, std: number): void {
    for (let i = 0; i < n; i += 2) {
      let u = 0;
      while (u === 0) u = this.next();
      const r = std * Math.sqrt(-2 * Math.log(u)), t = 2 * Math.PI * this.next();
      out[from + i] = r * Math.cos(t);
      if (i + 1 < n) out[from + i + 1] = r * Math.sin(t);
    }
  }

  /** Fisher–Yates shuffle of idx in place. */
  shuffle(idx: Uint32Array): void {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
