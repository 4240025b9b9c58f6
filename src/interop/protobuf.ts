// The protobuf wire format, as much of it as ONNX needs: a writer for varints, fixed 32-bit
// floats and length-delimited fields, and a bounds-checked reader.
//
// Hand-written instead of a protobuf library: nabla has no run-time dependencies, and the
// subset is small (the encoding is https://protobuf.dev/programming-guides/encoding/).
//
// The reader never trusts a length: every varint is at most 10 bytes, every length-delimited
// field must fit in what is left of its message, groups (wire types 3 and 4) are refused, and
// length-delimited values are returned as views of the input (subarray), so reading a field
// allocates nothing proportional to what the field claims.
import { ModelFormatError } from "../errors.js";

export const VARINT = 0, FIXED64 = 1, BYTES = 2, FIXED32 = 5;

const utf8 = new TextEncoder();

/** Builds one message. Nested messages are written into their own Writer and added with `message`. */
export class Writer {
  #chunks: Uint8Array[] = [];
  #buf = new Uint8Array(256);
  #pos = 0;
  #length = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.#length + this.#pos;
  }

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    this.#flush();
    if (n > this.#buf.length) this.#buf = new Uint8Array(Math.max(n, 2 * this.#buf.length));
  }

  #flush(): void {
    if (this.#pos === 0) return;
    this.#chunks.push(this.#buf.slice(0, this.#pos));
    this.#length += this.#pos;
    this.#pos = 0;
  }

  #byte(b: number): void {
    this.#room(1);
    this.#buf[this.#pos++] = b;
  }

  /** A varint: a non-negative safe integer, or a negative one as 64-bit two's complement (10 bytes). */
  #varint(x: number): void {
    if (!Number.isSafeInteger(x)) throw new RangeError(`protobuf varint: ${x} is not a safe integer`);
    if (x < 0) {
      let v = BigInt.asUintN(64, BigInt(x));
      for (let i = 0; i < 9; i++) {
        this.#byte(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      this.#byte(Number(v));
      return;
    }
    while (x >= 0x80) {
      this.#byte((x % 0x80) | 0x80);
      x = Math.floor(x / 0x80);
    }
    this.#byte(x);
  }

  #tag(field: number, wire: number): void {
    this.#varint(field * 8 + wire);
  }

  /** An int32/int64/enum/bool field. */
  int(field: number, x: number): this {
    this.#tag(field, VARINT);
    this.#varint(x);
    return this;
  }

  /** A float field (fixed 32 bits, little-endian). */
  float(field: number, x: number): this {
    this.#tag(field, FIXED32);
    this.#room(4);
    new DataView(this.#buf.buffer).setFloat32(this.#pos, x, true);
    this.#pos += 4;
    return this;
  }

  /** A bytes field. */
  bytes(field: number, b: Uint8Array): this {
    this.#tag(field, BYTES);
    this.#varint(b.length);
    if (b.length > 4096) {
      // Large payloads (tensor data) go in as their own chunk, copied once.
      this.#flush();
      this.#chunks.push(b.slice());
      this.#length += b.length;
    } else {
      this.#room(b.length);
      this.#buf.set(b, this.#pos);
      this.#pos += b.length;
    }
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }

  /** An embedded message field. */
  message(field: number, m: Writer): this {
    return this.bytes(field, m.finish());
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    this.#flush();
    if (this.#chunks.length === 1) return this.#chunks[0];
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    this.#chunks = [out];
    return out;
  }
}

/** One field of a message as read: its number, wire type and value. */
export interface Field {
  field: number;
  wire: number;
  /** VARINT: the value as a number (exact up to 2^53; int64 negatives in two's complement are returned negative). */
  int: number;
  /** BYTES: a view of the input. FIXED32/FIXED64: a view of the 4 or 8 bytes. */
  bytes: Uint8Array;
  /** Offset of the field's tag in the outermost input, for error messages. */
  at: number;
}

/** Reads the fields of one message in order. `path` names the message in errors (e.g. "ModelProto.graph"). */
export class Reader {
  readonly #b: Uint8Array;
  readonly #base: number;
  readonly #where: string;
  readonly path: string;
  #pos = 0;

  /**
   * @param bytes the message
   * @param base offset of `bytes` in the outermost input (for messages)
   */
  constructor(where: string, path: string, bytes: Uint8Array, base = 0) {
    this.#where = where;
    this.path = path;
    this.#b = bytes;
    this.#base = base;
  }

  fail(expected: string, received: string, path = this.path): never {
    throw new ModelFormatError(this.#where, path, expected, received);
  }

  #varint(what: string): number {
    const b = this.#b, start = this.#pos;
    let lo = 0, hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.#pos >= b.length) this.fail("a complete protobuf message", `the input truncated inside a varint (${what}) at byte ${this.#base + start}`);
      const x = b[this.#pos++];
      if (i < 4) lo |= (x & 0x7f) << (7 * i);
      else if (i === 4) { lo |= (x & 0x0f) << 28; hi = (x & 0x7f) >> 4; }
      else hi |= (x & 0x7f) << (7 * i - 32);
      if ((x & 0x80) === 0) {
        lo >>>= 0;
        if (hi & 0x80000000) {
          // A negative int64 (two's complement).
          const v = BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo));
          return v < -(2n ** 53n) ? -Infinity : Number(v);
        }
        const v = (hi >>> 0) * 2 ** 32 + lo;
        return v > Number.MAX_SAFE_INTEGER ? Infinity : v;
      }
    }
    return this.fail("a protobuf varint of at most 10 bytes", `a longer one (${what}) at byte ${this.#base + start}`);
  }

  /** The next field, or null at the end of the message. */
  next(): Field | null {
    const b = this.#b;
    if (this.#pos >= b.length) return null;
    const at = this.#base + this.#pos;
    const tag = this.#varint("a field tag");
    if (!Number.isSafeInteger(tag) || tag < 8) this.fail("a protobuf field tag (field number ≥ 1)", `${tag} at byte ${at}`);
    const field = Math.floor(tag / 8), wire = tag % 8;
    const f: Field = { field, wire, int: 0, bytes: EMPTY, at };
    switch (wire) {
      case VARINT:
        f.int = this.#varint(`field ${field}`);
        break;
      case FIXED64:
      case FIXED32: {
        const n = wire === FIXED32 ? 4 : 8;
        if (this.#pos + n > b.length) this.fail("a complete protobuf message", `the input truncated inside field ${field} at byte ${at}`);
        f.bytes = b.subarray(this.#pos, this.#pos + n);
        this.#pos += n;
        break;
      }
      case BYTES: {
        const len = this.#varint(`the length of field ${field}`);
        const left = b.length - this.#pos;
        if (!(len >= 0 && len <= left)) {
          this.fail("a length-delimited field that fits in its message",
            `field ${field} at byte ${at} declaring ${len} bytes with ${left} left`);
        }
        f.bytes = b.subarray(this.#pos, this.#pos + len);
        this.#pos += len;
        break;
      }
      default:
        this.fail("protobuf wire types 0, 1, 2 or 5 (groups are not used by ONNX)", `wire type ${wire} in field ${field} at byte ${at}`);
    }
    return f;
  }

  /** A reader over an embedded message field. */
  sub(f: Field, path: string): Reader {
    this.expectWire(f, BYTES, path);
    return new Reader(this.#where, path, f.bytes, this.#base + (f.bytes.byteOffset - this.#b.byteOffset));
  }

  expectWire(f: Field, wire: number, path: string): void {
    if (f.wire !== wire) {
      const names = ["varint", "fixed64", "length-delimited", "", "", "fixed32"];
      this.fail(`a ${names[wire]} field`, `wire type ${f.wire} (${names[f.wire] || "?"})`, path);
    }
  }

  /** A string field's value (UTF-8, invalid sequences refused). */
  string(f: Field, path: string): string {
    this.expectWire(f, BYTES, path);
    try {
      return decoder.decode(f.bytes);
    } catch {
      return this.fail("UTF-8 text", `${f.bytes.length} bytes that are not UTF-8`, path);
    }
  }

  /** A float field's value. */
  float(f: Field, path: string): number {
    this.expectWire(f, FIXED32, path);
    return new DataView(f.bytes.buffer, f.bytes.byteOffset, 4).getFloat32(0, true);
  }

  /** A varint field's value. */
  int(f: Field, path: string): number {
    this.expectWire(f, VARINT, path);
    return f.int;
  }

  /**
   * The values of a repeated integer field occurrence: one value (unpacked) or a packed run.
   * `limit` bounds how many a packed run may hold (checked against its byte length first).
   */
  ints(f: Field, path: string, limit: number): number[] {
    if (f.wire === VARINT) return [f.int];
    this.expectWire(f, BYTES, path);
    if (f.bytes.length > limit * 10) this.fail(`at most ${limit} values`, `a packed run of ${f.bytes.length} bytes`, path);
    const r = new Reader(this.#where, path, f.bytes, this.#base + (f.bytes.byteOffset - this.#b.byteOffset));
    const out: number[] = [];
    while (r.#pos < f.bytes.length) out.push(r.#varint(path));
    if (out.length > limit) this.fail(`at most ${limit} values`, `${out.length}`, path);
    return out;
  }
}

const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder("utf-8", { fatal: true });
