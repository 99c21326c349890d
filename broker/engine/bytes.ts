// Little binary writer and reader shared by the command codec and snapshots: varints for
// non-negative integers (up to 2^53), zigzag varints for signed ones, little-endian float64 for
// times, length-prefixed UTF-8 strings and byte strings. Reads are bounds-checked: malformed input
// raises a CodecError, never an out-of-range read.

import { assert } from '../../common/assert.ts';

export class CodecError extends Error {
  override name = 'CodecError';
}

const TWO_32 = 4294967296;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

/** Growable output buffer. */
export class Writer {
  #buf: Uint8Array;
  #view: DataView;
  #pos = 0;

  constructor(initialBytes = 256) {
    this.#buf = new Uint8Array(Math.max(16, initialBytes));
    this.#view = new DataView(this.#buf.buffer);
  }

  get length(): number {
    return this.#pos;
  }

  #reserve(bytes: number): void {
    const need = this.#pos + bytes;
    if (need <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(value: number): void {
    this.#reserve(1);
    this.#buf[this.#pos++] = value;
  }

  u32At(offset: number, value: number): void {
    assert(offset + 4 <= this.#pos, 'u32At past the end');
    this.#view.setUint32(offset, value, true);
  }

  u32(value: number): void {
    this.#reserve(4);
    this.#view.setUint32(this.#pos, value, true);
    this.#pos += 4;
  }

  f64(value: number): void {
    this.#reserve(8);
    this.#view.setFloat64(this.#pos, value, true);
    this.#pos += 8;
  }

  /** Non-negative safe integer. */
  varint(value: number): void {
    assert(Number.isSafeInteger(value) && value >= 0, `varint: not a non-negative safe integer: ${value}`);
    this.#reserve(8);
    let v = value;
    while (v >= TWO_32) {
      this.#buf[this.#pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    while (v >= 0x80) {
      this.#buf[this.#pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.#buf[this.#pos++] = v;
  }

  /** Signed integer of magnitude below 2^52 (zigzag doubles it). */
  zigzag(value: number): void {
    assert(Number.isSafeInteger(value) && Math.abs(value) < 2 ** 52, `zigzag: out of range: ${value}`);
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  bool(value: boolean): void {
    this.u8(value ? 1 : 0);
  }

  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.raw(value);
  }

  raw(value: Uint8Array): void {
    this.#reserve(value.length);
    this.#buf.set(value, this.#pos);
    this.#pos += value.length;
  }

  str(value: string): void {
    const n = value.length;
    let ascii = true;
    for (let i = 0; i < n; i++) {
      if (value.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (!ascii) {
      this.bytes(encoder.encode(value));
      return;
    }
    this.varint(n);
    this.#reserve(n);
    const buf = this.#buf;
    let pos = this.#pos;
    for (let i = 0; i < n; i++) buf[pos++] = value.charCodeAt(i);
    this.#pos = pos;
  }

  /** The written bytes (a copy trimmed to length, so the writer's spare capacity is not kept alive). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }
}

/** Bounds-checked reader over a byte array; `bytes()` returns subarrays (no copy). */
export class Reader {
  readonly #buf: Uint8Array;
  readonly #view: DataView;
  #pos: number;

  constructor(buf: Uint8Array, offset = 0) {
    this.#buf = buf;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#pos = offset;
  }

  get offset(): number {
    return this.#pos;
  }

  set offset(value: number) {
    if (value < 0 || value > this.#buf.length) throw new CodecError(`offset ${value} out of range`);
    this.#pos = value;
  }

  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  #need(bytes: number): void {
    if (this.#pos + bytes > this.#buf.length) {
      throw new CodecError(`truncated input: need ${bytes} bytes at offset ${this.#pos} of ${this.#buf.length}`);
    }
  }

  u8(): number {
    this.#need(1);
    return this.#buf[this.#pos++] as number;
  }

  u32(): number {
    this.#need(4);
    const v = this.#view.getUint32(this.#pos, true);
    this.#pos += 4;
    return v;
  }

  u32At(offset: number): number {
    if (offset < 0 || offset + 4 > this.#buf.length) throw new CodecError(`u32 at ${offset} out of range`);
    return this.#view.getUint32(offset, true);
  }

  f64(): number {
    this.#need(8);
    const v = this.#view.getFloat64(this.#pos, true);
    this.#pos += 8;
    return v;
  }

  varint(): number {
    const buf = this.#buf;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.#pos >= buf.length) throw new CodecError('truncated varint');
      const b = buf[this.#pos++] as number;
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!Number.isSafeInteger(result)) throw new CodecError('varint out of range');
        return result;
      }
      scale *= 128;
    }
    throw new CodecError('varint too long');
  }

  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  bool(): boolean {
    const v = this.u8();
    if (v > 1) throw new CodecError(`bad boolean ${v}`);
    return v === 1;
  }

  bytes(): Uint8Array {
    const n = this.varint();
    this.#need(n);
    const out = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  skipBytes(): void {
    const n = this.varint();
    this.#need(n);
    this.#pos += n;
  }

  str(): string {
    const n = this.varint();
    if (n === 0) return '';
    this.#need(n);
    const buf = this.#buf;
    const start = this.#pos;
    this.#pos += n;
    if (n <= 32) {
      let out = '';
      for (let i = start; i < start + n; i++) {
        const c = buf[i] as number;
        if (c >= 0x80) return decoder.decode(buf.subarray(start, start + n));
        out += String.fromCharCode(c);
      }
      return out;
    }
    return decoder.decode(buf.subarray(start, start + n));
  }
}
