// The peak of WebAssembly SIMD on this engine and machine, from registers: a tiny module
// assembled byte by byte here (no toolchain, same bytes every run), one function
//   peak(n: i32) -> f32
// that runs n iterations of K independent chains acc_i = acc_i * 0.5 + 0.5 on f32x4 values
// (mul then add, or one relaxed_madd). Each iteration is K × 4 lanes × 2 FLOP. The chains
// converge to 1.0, so no denormals or infinities slow anything down. We try several K (the
// chain count that hides the latency without spilling registers differs by CPU) and keep the best.

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

/** Signed LEB128 for small i32 constants. */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) { out.push(byte); return out; }
    out.push(byte | 0x80);
  }
}

const f32bytes = (x: number): number[] => Array.from(new Uint8Array(new Float32Array([x]).buffer));
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const OP = { splat: 0x13, extract: 0x1f, add: 0xe4, mul: 0xe6, madd: 0x105 } as const;

/** The module bytes: K chains, fused (relaxed_madd) or mul+add. */
export function peakModule(K: number, fused: boolean): Uint8Array<ArrayBuffer> {
  // locals: 0 = n (param), 1..K = acc (v128), K+1 = vx, K+2 = vy
  const vx = K + 1, vy = K + 2;
  const body: number[] = [];
  // local declarations: one group of K+2 v128
  body.push(0x01, ...uleb(K + 2), 0x7b);
  body.push(0x43, ...f32bytes(0.5), ...simd(OP.splat), 0x21, ...uleb(vx));
  body.push(0x43, ...f32bytes(0.5), ...simd(OP.splat), 0x21, ...uleb(vy));
  for (let i = 1; i <= K; i++) body.push(0x43, ...f32bytes(i * 0.01), ...simd(OP.splat), 0x21, ...uleb(i));
  body.push(0x03, 0x40); // loop
  for (let i = 1; i <= K; i++) {
    if (fused) {
      body.push(0x20, ...uleb(i), 0x20, ...uleb(vx), 0x20, ...uleb(vy), ...simd(OP.madd));
    } else {
      body.push(0x20, ...uleb(i), 0x20, ...uleb(vx), ...simd(OP.mul), 0x20, ...uleb(vy), ...simd(OP.add));
    }
    body.push(0x21, ...uleb(i));
  }
  // n = n - 1; br_if 0 (n != 0)
  body.push(0x20, 0x00, 0x41, ...sleb(1), 0x6b, 0x22, 0x00, 0x0d, 0x00, 0x0b);
  // return Σ lane 0 of every chain
  body.push(0x20, 0x01, ...simd(OP.extract), 0x00);
  for (let i = 2; i <= K; i++) body.push(0x20, ...uleb(i), ...simd(OP.extract), 0x00, 0x92);
  body.push(0x0b);
  const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
  const name = Array.from(new TextEncoder().encode("peak"));
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x01, 0x7f, 0x01, 0x7d]), // type: (i32) -> f32
    ...section(3, [0x01, 0x00]), // one function of type 0
    ...section(7, [0x01, ...uleb(name.length), ...name, 0x00, 0x00]), // export "peak"
    ...section(10, [0x01, ...uleb(body.length), ...body]),
  ]);
}

export interface PeakResult {
  /** Best GFLOP/s over the chain counts tried. */
  gflops: number;
  chains: number;
  /** GFLOP/s per chain count (median of the repeats). */
  byChains: Record<number, number>;
}

/** Measures the peak (mul+add, or relaxed_madd when fused) in GFLOP/s; null when the engine lacks the feature. */
export function measurePeak(fused: boolean, { seconds = 0.3, repeats = 5 } = {}): PeakResult | null {
  const byChains: Record<number, number> = {};
  let best = 0, chains = 0;
  for (const K of [8, 10, 12, 14]) {
    const bytes = peakModule(K, fused);
    if (!WebAssembly.validate(bytes)) return null;
    const peak = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.peak as (n: number) => number;
    // Warm up (tier up to the optimizing compiler) and find an n that runs ~seconds/repeats.
    let n = 1 << 16;
    for (;;) {
      const t0 = performance.now();
      peak(n);
      const ms = performance.now() - t0;
      if (ms > (seconds * 1000) / repeats / 2) break;
      n *= 2;
    }
    const rates: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      const v = peak(n);
      const s = (performance.now() - t0) / 1000;
      if (!(Math.abs(v - K) < 1e-3)) throw new Error(`peak microbenchmark computed ${v}, expected ${K}`);
      rates.push((n * K * 8) / s / 1e9);
    }
    rates.sort((a, b) => a - b);
    const med = rates[rates.length >> 1];
    byChains[K] = med;
    if (med > best) { best = med; chains = K; }
  }
  return { gflops: best, chains, byChains };
}
