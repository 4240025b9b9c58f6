// BP4, the gradient for the weights:  ∂C/∂w^l_jk = a^(l−1)_k δ^l_j
// Summed over the mini-batch: nablaW = Σ_x δ^(x,l) (a^(x,l−1))^T = deltaᵀ · aPrev.
//
// bp4sgd fuses BP3, BP4 and the plain SGD step of one layer: the summed gradient of each
// block of weights goes straight from registers into w, never through nablaW. Its sums
// are formed in exactly the order bp3/bp4 form them, and the update is sgd's formula, so
// it gives what bp3 + bp4 + sgd give (bit for bit, up to the sign of a zero).
import { ld, st, ld4, st4, madd } from "./ptr";
import { sign4, sign } from "./sgd";

/** Scratch for the repacked δ (static, below heapBase): batches up to 4096 samples × 64 rows, or 128 × 2048. */
const PACK_BYTES: usize = 262144;
/**
 * Scratch slots: one per thread in the threaded builds (each thread's instance packs into its own
 * slot, chosen once by setScratchSlot), one otherwise. A thread beyond the last slot does not
 * repack — which changes the speed, never the values. Zero-filled memory: the slots cost no
 * bytes in the module and no memory until a thread touches its slot.
 */
const SLOTS: i32 = ASC_FEATURE_THREADS ? 16 : 1;
const PACK_ALL = memory.data(<i32>PACK_BYTES * SLOTS, 16);
/** This instance's scratch slot (a global: each instance of the module has its own). */
let slot: i32 = 0;

/** Chooses this instance's scratch slot (threaded builds: the thread's index; 0 is the calling thread). */
export function setScratchSlot(i: i32): void {
  slot = i;
}
/** Below this batch size δ is small and cache-resident: no repacking. */
const PACK_MIN_M: i32 = 32;

/** Columns j0..j1 of δ (m, nOut) → pack as [⌈(j1−j0)/4⌉][m][4], the last block zero-padded. */
function packDelta(pack: usize, delta: usize, nOut: i32, m: i32, j0: i32, j1: i32): void {
  const blockBytes = <usize>m << 4;
  for (let s = 0; s < m; s++) {
    const row = delta + (<usize>(s * nOut) << 2), dst = pack + (<usize>s << 4);
    let j = j0;
    for (; j + 4 <= j1; j += 4) v128.store(dst + <usize>((j - j0) >> 2) * blockBytes, v128.load(row + (<usize>j << 2)));
    if (j < j1) {
      const p = dst + <usize>((j - j0) >> 2) * blockBytes;
      v128.store(p, f32x4.splat(0));
      for (let t = 0; j + t < j1; t++) store<f32>(p + (<usize>t << 2), load<f32>(row + (<usize>(j + t) << 2)));
    }
  }
}

/** Where δ[0, j] lives for the BP4 loops: in pack (which starts at column j0) when packed, else in delta. */
// @ts-ignore: decorator
@inline function deltaAt(packed: bool, pack: usize, delta: usize, j: i32, j0: i32, m: i32): usize {
  return packed ? pack + <usize>((j - j0) >> 2) * (<usize>m << 4) + (<usize>((j - j0) & 3) << 2) : delta + (<usize>j << 2);
}

/** Stores the gradient vector g at element i of dst, or applies the SGD step to w = dst with it. */
// @ts-ignore: decorator
@inline function put4(dst: usize, i: i32, g: v128, fused: bool, plain: bool, vs: v128, vd: v128, vl: v128, hasL1: bool): void {
  if (fused) {
    const wv = ld4(dst, i);
    // plain (decay = 1, no L1; a compile-time constant): 1·w is w exactly, so the product is skipped.
    const r = f32x4.sub(plain ? wv : f32x4.mul(vd, wv), f32x4.mul(vs, g));
    // As in sgd: without an L1 term, skip subtracting ±0.
    st4(dst, i, hasL1 ? f32x4.sub(r, f32x4.mul(vl, sign4(wv))) : r);
  } else {
    st4(dst, i, g);
  }
}

/** Scalar counterpart of put4. */
// @ts-ignore: decorator
@inline function put(dst: usize, i: i32, g: f32, fused: bool, scale: f32, decay: f32, l1: f32): void {
  if (fused) {
    const wi = ld(dst, i);
    const r = decay * wi - scale * g;
    st(dst, i, l1 != 0 ? r - l1 * sign(wi) : r);
  } else {
    st(dst, i, g);
  }
}

/**
 * dst[j, k] = Σ_s delta[s, j] · aPrev[s, k] for the rows j0 ≤ j < j1 (fused: w[j, k] = decay·w −
 * scale·that − l1·sgn(w)). Each value is the same sum in the same order whatever the row range
 * (the blocking of rows only decides which values share a pass), so any split of the rows gives,
 * bit for bit, what one call over all rows gives.
 *
 * Blocking (SIMD builds): 4 rows j × 8 columns k (two vectors) per pass, 8 accumulators,
 * the batch iterated inside: per sample, 4 broadcast loads of δ[s, j..j+3] and 2 vector loads
 * of aPrev[s, k..k+7] feed 8 multiply-adds, and each output vector is stored once.
 * The nOut % 4 last rows run as a pair × 8 columns, then a lone row × 8 columns; a leftover
 * 4-column vector runs 1 row × 1 vector, and the nIn % 4 last columns are scalar. The scalar build runs 2 rows × 2 columns.
 */
// @ts-ignore: decorator
@inline function bp4Core(dst: usize, delta: usize, aPrev: usize, nIn: i32, nOut: i32, m: i32, j0: i32, j1: i32,
                         fused: bool, plain: bool, scale: f32, decay: f32, l1: f32, down: bool = false): void {
  const rowBytes = <usize>nIn << 2;
  let j = j0;
  if (ASC_FEATURE_SIMD) {
    const vs = f32x4.splat(scale), vd = f32x4.splat(decay), vl = f32x4.splat(l1), hasL1 = !plain && l1 != 0;
    const kv = nIn & ~3;
    const xEnd = aPrev + <usize>m * rowBytes; // one past the last sample's row (k = 0)
    // At larger batches δ is first repacked into blocks of 4 columns, [j/4][s][j%4], so the
    // broadcasts for a row block read one contiguous stream instead of a column of δ with a
    // stride of nOut floats (at nOut = 512 such a column maps onto 2 of L1's 64 sets and thrashes).
    const pack = PACK_ALL + <usize>slot * PACK_BYTES;
    const packed = m >= PACK_MIN_M && slot < SLOTS && <usize>((j1 - j0 + 3) >> 2) * <usize>m * 16 <= PACK_BYTES;
    const dStride: usize = packed ? 16 : <usize>nOut << 2;
    if (packed) packDelta(pack, delta, nOut, m, j0, j1);
    let k = 0;
    // Columns outer, rows inner: the 8-column strip of aPrev (m rows) stays in L1 while every
    // row block of dst passes over it; δ (m × nOut) is the small operand re-read per strip.
    // `down`: the blocks of 4 rows in descending order (the same values): a thread whose rows lie
    // below another's walks away from them, so the hardware's stride prefetcher, which runs ahead
    // of a column walk by many rows, does not pull the other thread's rows (being written) into this core.
    const flip = j0 + j0 + (((j1 - j0) >> 2) - 1) * 4; // down: block j → flip − j (the same blocks, mirrored)
    for (; k + 8 <= nIn; k += 8) {
      const kb = <usize>k << 2;
      let jj = j0;
      for (; jj + 4 <= j1; jj += 4) {
        const j = down ? flip - jj : jj;
        let a00 = f32x4.splat(0), a10 = f32x4.splat(0), a20 = f32x4.splat(0), a30 = f32x4.splat(0);
        let a01 = f32x4.splat(0), a11 = f32x4.splat(0), a21 = f32x4.splat(0), a31 = f32x4.splat(0);
        // x walks down the strip, e along δ[·, j..j+3]; all offsets within a step are constants.
        let x = aPrev + kb, e = deltaAt(packed, pack, delta, j, j0, m);
        const end = xEnd + kb;
        while (x < end) {
          const u = v128.load(x), v = v128.load(x, 16);
          const e0 = v128.load32_splat(e), e1 = v128.load32_splat(e, 4);
          a00 = madd(e0, u, a00); a01 = madd(e0, v, a01);
          a10 = madd(e1, u, a10); a11 = madd(e1, v, a11);
          const e2 = v128.load32_splat(e, 8), e3 = v128.load32_splat(e, 12);
          a20 = madd(e2, u, a20); a21 = madd(e2, v, a21);
          a30 = madd(e3, u, a30); a31 = madd(e3, v, a31);
          x += rowBytes; e += dStride;
        }
        const d0 = dst + <usize>j * rowBytes, d1 = d0 + rowBytes, d2 = d1 + rowBytes, d3 = d2 + rowBytes;
        put4(d0, k, a00, fused, plain, vs, vd, vl, hasL1); put4(d0, k + 4, a01, fused, plain, vs, vd, vl, hasL1);
        put4(d1, k, a10, fused, plain, vs, vd, vl, hasL1); put4(d1, k + 4, a11, fused, plain, vs, vd, vl, hasL1);
        put4(d2, k, a20, fused, plain, vs, vd, vl, hasL1); put4(d2, k + 4, a21, fused, plain, vs, vd, vl, hasL1);
        put4(d3, k, a30, fused, plain, vs, vd, vl, hasL1); put4(d3, k + 4, a31, fused, plain, vs, vd, vl, hasL1);
      }
      let j = jj;
      for (; j + 2 <= j1; j += 2) {
        let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
        let x = aPrev + kb, e = deltaAt(packed, pack, delta, j, j0, m);
        const end = xEnd + kb;
        while (x < end) {
          const u = v128.load(x), v = v128.load(x, 16);
          const e0 = v128.load32_splat(e), e1 = v128.load32_splat(e, 4);
          a00 = madd(e0, u, a00); a01 = madd(e0, v, a01);
          a10 = madd(e1, u, a10); a11 = madd(e1, v, a11);
          x += rowBytes; e += dStride;
        }
        const d0 = dst + <usize>j * rowBytes, d1 = d0 + rowBytes;
        put4(d0, k, a00, fused, plain, vs, vd, vl, hasL1); put4(d0, k + 4, a01, fused, plain, vs, vd, vl, hasL1);
        put4(d1, k, a10, fused, plain, vs, vd, vl, hasL1); put4(d1, k + 4, a11, fused, plain, vs, vd, vl, hasL1);
      }
      if (j < j1) {
        let a00 = f32x4.splat(0), a01 = f32x4.splat(0);
        let x = aPrev + kb, e = deltaAt(packed, pack, delta, j, j0, m);
        const end = xEnd + kb;
        while (x < end) {
          const e0 = v128.load32_splat(e);
          a00 = madd(e0, v128.load(x), a00); a01 = madd(e0, v128.load(x, 16), a01);
          x += rowBytes; e += dStride;
        }
        const d0 = dst + <usize>j * rowBytes;
        put4(d0, k, a00, fused, plain, vs, vd, vl, hasL1); put4(d0, k + 4, a01, fused, plain, vs, vd, vl, hasL1);
      }
    }
    // A last 4-column vector, if any: 1 vector × 1 row per pass.
    for (; k < kv; k += 4) {
      const kb = <usize>k << 2;
      for (let j = j0; j < j1; j++) {
        let acc = f32x4.splat(0);
        let x = aPrev + kb, e = deltaAt(packed, pack, delta, j, j0, m);
        const end = xEnd + kb;
        while (x < end) {
          acc = madd(v128.load32_splat(e), v128.load(x), acc);
          x += rowBytes; e += dStride;
        }
        put4(dst + <usize>j * rowBytes, k, acc, fused, plain, vs, vd, vl, hasL1);
      }
    }
    // The nIn % 4 last columns, scalar.
    for (; k < nIn; k++) {
      for (let j = j0; j < j1; j++) {
        let g: f32 = 0;
        for (let s = 0; s < m; s++) g += ld(delta, s * nOut + j) * ld(aPrev, s * nIn + k);
        put(dst + <usize>j * rowBytes, k, g, fused, scale, decay, l1);
      }
    }
    return;
  }
  // Scalar build: 2 rows × 2 columns per pass.
  for (; j < j1; j += 2) {
    const two = j + 1 < j1;
    const d0 = dst + <usize>j * rowBytes, d1 = d0 + rowBytes;
    let k = 0;
    for (; k + 2 <= nIn; k += 2) {
      let g00: f32 = 0, g01: f32 = 0, g10: f32 = 0, g11: f32 = 0;
      for (let s = 0; s < m; s++) {
        const x = s * nIn + k, e0 = ld(delta, s * nOut + j), e1 = two ? ld(delta, s * nOut + j + 1) : <f32>0;
        const u = ld(aPrev, x), v = ld(aPrev, x + 1);
        g00 += e0 * u; g01 += e0 * v; g10 += e1 * u; g11 += e1 * v;
      }
      put(d0, k, g00, fused, scale, decay, l1); put(d0, k + 1, g01, fused, scale, decay, l1);
      if (two) { put(d1, k, g10, fused, scale, decay, l1); put(d1, k + 1, g11, fused, scale, decay, l1); }
    }
    if (k < nIn) {
      let g0: f32 = 0, g1: f32 = 0;
      for (let s = 0; s < m; s++) {
        const u = ld(aPrev, s * nIn + k);
        g0 += ld(delta, s * nOut + j) * u;
        if (two) g1 += ld(delta, s * nOut + j + 1) * u;
      }
      put(d0, k, g0, fused, scale, decay, l1);
      if (two) put(d1, k, g1, fused, scale, decay, l1);
    }
  }
}

/**
 * nablaW[j, k] = Σ_s delta[s, j] · aPrev[s, k]. Overwrites nablaW.
 * nablaW is (nOut, nIn), delta is (m, nOut), aPrev is (m, nIn).
 */
export function bp4(nablaW: usize, delta: usize, aPrev: usize, nIn: i32, nOut: i32, m: i32): void {
  if (ASC_FEATURE_THREADS) bp4Rows(nablaW, delta, aPrev, nIn, nOut, m, 0, nOut); // as bp4sgd
  else bp4Core(nablaW, delta, aPrev, nIn, nOut, m, 0, nOut, false, false, 0, 0, 0);
}

/** bp4 on the rows j0 ≤ j < j1 of nablaW only (one thread's share): the same values as bp4 there. */
export function bp4Rows(nablaW: usize, delta: usize, aPrev: usize, nIn: i32, nOut: i32, m: i32, j0: i32, j1: i32): void {
  bp4Core(nablaW, delta, aPrev, nIn, nOut, m, j0, j1, false, false, 0, 0, 0);
}

/**
 * BP3 + BP4 + the SGD step for one layer, without writing the gradients anywhere:
 *   b = b − scale · Σ_s delta[s, :]
 *   w = decay · w − scale · deltaᵀ aPrev − l1 · sgn(w)
 * w is (nOut, nIn), b is (nOut), delta is (m, nOut), aPrev is (m, nIn).
 * Same as bp3 + bp4 into scratch, then sgd(w, ·, scale, decay, l1) and sgd(b, ·, scale, 1, 0).
 */
export function bp4sgd(w: usize, b: usize, delta: usize, aPrev: usize, nIn: i32, nOut: i32, m: i32,
                       scale: f32, decay: f32, l1: f32): void {
  // The single-thread builds inline the whole range (j0 = 0, j1 = nOut folded: measured 1.3%
  // faster for [784,30,10] at m = 10 than going through the row range); the threaded builds share
  // one copy with bp4sgdRows (a copy each would add 7 KB to them).
  if (ASC_FEATURE_THREADS) bp4sgdRows(w, b, delta, aPrev, nIn, nOut, m, scale, decay, l1, 0, nOut, false);
  else bp4sgdCore(w, b, delta, aPrev, nIn, nOut, m, scale, decay, l1, 0, nOut);
}

/**
 * bp4sgd on the rows j0 ≤ j < j1 of w and entries j0 ≤ j < j1 of b only (one thread's share):
 * the same values as bp4sgd there, bit for bit.
 */
export function bp4sgdRows(w: usize, b: usize, delta: usize, aPrev: usize, nIn: i32, nOut: i32, m: i32,
                           scale: f32, decay: f32, l1: f32, j0: i32, j1: i32, down: bool): void {
  bp4sgdCore(w, b, delta, aPrev, nIn, nOut, m, scale, decay, l1, j0, j1, down);
}

// The body of bp4sgd in the single-thread builds and of bp4sgdRows (both entries in the threaded builds), inlined into each.
// @ts-ignore: decorator
@inline function bp4sgdCore(w: usize, b: usize, delta: usize, aPrev: usize, nIn: i32, nOut: i32, m: i32,
                            scale: f32, decay: f32, l1: f32, j0: i32, j1: i32, down: bool = false): void {
  // Biases: Σ_s δ in bp3's order (a vector of 4 j's or one j: each sum runs over s in order), then b·1 − scale·Σ.
  let j = j0;
  if (ASC_FEATURE_SIMD) {
    const vs = f32x4.splat(scale);
    for (; j + 4 <= j1; j += 4) {
      let acc = f32x4.splat(0);
      for (let s = 0; s < m; s++) acc = f32x4.add(acc, ld4(delta, s * nOut + j));
      st4(b, j, f32x4.sub(ld4(b, j), f32x4.mul(vs, acc)));
    }
  }
  for (; j < j1; j++) {
    let sum: f32 = 0;
    for (let s = 0; s < m; s++) sum += ld(delta, s * nOut + j);
    st(b, j, ld(b, j) - scale * sum);
  }
  // Without weight decay or L1 (the common case) a copy of the kernel specialized at compile time
  // skips the product decay·w; both copies give the same weights.
  if (decay == 1 && l1 == 0) bp4Core(w, delta, aPrev, nIn, nOut, m, j0, j1, true, true, scale, 1, 0, down);
  else bp4Core(w, delta, aPrev, nIn, nOut, m, j0, j1, true, false, scale, decay, l1, down);
}
