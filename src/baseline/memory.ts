// The js backend's linear memory: an ArrayBuffer in 64 KiB pages that grows as a
// WebAssembly.Memory does — grow(pages) returns the previous size in pages, and `buffer` is
// then a new, larger ArrayBuffer holding the same bytes while the old one is detached — so the
// Arena's "views re-taken after growth" logic is the same for every backend, and the js backend
// runs where WebAssembly is unavailable (iOS Lockdown Mode, V8 --jitless).
import type { Memory } from "../kernels.js";

const PAGE = 65536;
/** As a wasm32 memory: at most 65536 pages (4 GiB). */
const MAX_PAGES = 65536;

export class PlainMemory implements Memory {
  #buffer: ArrayBuffer;

  constructor(initial = 1) {
    this.#buffer = new ArrayBuffer(initial * PAGE);
  }

  get buffer(): ArrayBuffer {
    return this.#buffer;
  }

  grow(pages: number): number {
    const old = this.#buffer.byteLength / PAGE;
    if (!Number.isInteger(pages) || pages < 0 || old + pages > MAX_PAGES) {
      throw new RangeError(`PlainMemory.grow(${pages}): at most ${MAX_PAGES} pages (4 GiB) in all`);
    }
    this.#buffer = grown(this.#buffer, (old + pages) * PAGE);
    return old;
  }
}

/** A copy of `old` with `bytes` bytes (zeros after the old end); `old` is detached. */
function grown(old: ArrayBuffer, bytes: number): ArrayBuffer {
  // ES2024 transfer (Chrome 114, Firefox 122, Safari 17.4, Node 22) copies or reallocates in place and detaches.
  const transfer = (old as { transfer?: (n: number) => ArrayBuffer }).transfer;
  if (typeof transfer === "function") return transfer.call(old, bytes);
  const b = new ArrayBuffer(bytes);
  new Uint8Array(b).set(new Uint8Array(old));
  // Detach the old buffer, as WebAssembly.Memory does: a view not re-taken then reads nothing, not stale bytes.
  if (typeof structuredClone === "function") structuredClone(old, { transfer: [old] });
  return b;
}
