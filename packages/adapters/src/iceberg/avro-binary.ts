import { IcebergError } from "./iceberg-error.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Appends Avro's binary encoding of primitives to a growing buffer: longs and ints as
 * zig-zag varints (from bigints, so 64-bit ids keep every bit), floats and doubles
 * little-endian, bytes and strings length-prefixed.
 */
export class AvroWriter {
  #buffer = new Uint8Array(1024);
  #view = new DataView(this.#buffer.buffer);
  #length = 0;

  /** The bytes written so far (a copy). */
  bytes(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }

  long(value: bigint | number): void {
    // Most longs (counts, sizes, sequence numbers) are small: zig-zag them as numbers.
    const small = typeof value === "number" ? value : Number(value);
    if (Number.isSafeInteger(small) && Math.abs(small) < 2 ** 50) {
      let zigzag = small >= 0 ? small * 2 : -small * 2 - 1;
      this.#reserve(10);
      while (zigzag >= 0x80) {
        this.#buffer[this.#length++] = (zigzag % 0x80) | 0x80;
        zigzag = Math.floor(zigzag / 0x80);
      }
      this.#buffer[this.#length++] = zigzag;
      return;
    }
    const big = BigInt(value);
    if (big < -(2n ** 63n) || big >= 2n ** 63n) {
      throw new IcebergError("ICEBERG_INVALID_ARGUMENT", `${big} does not fit an Avro long`);
    }
    let zigzag = BigInt.asUintN(64, (big << 1n) ^ (big >> 63n));
    this.#reserve(10);
    while (zigzag >= 0x80n) {
      this.#buffer[this.#length++] = Number(zigzag & 0x7fn) | 0x80;
      zigzag >>= 7n;
    }
    this.#buffer[this.#length++] = Number(zigzag);
  }

  int(value: number): void {
    if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
      throw new IcebergError("ICEBERG_INVALID_ARGUMENT", `${value} does not fit an Avro int`);
    }
    this.long(value);
  }

  boolean(value: boolean): void {
    this.raw(Uint8Array.of(value ? 1 : 0));
  }

  float(value: number): void {
    this.#reserve(4);
    this.#view.setFloat32(this.#length, value, true);
    this.#length += 4;
  }

  double(value: number): void {
    this.#reserve(8);
    this.#view.setFloat64(this.#length, value, true);
    this.#length += 8;
  }

  bytesValue(value: Uint8Array): void {
    this.long(value.byteLength);
    this.raw(value);
  }

  string(value: string): void {
    this.bytesValue(encoder.encode(value));
  }

  /** Appends bytes as they are (fixed values, sync markers, magic). */
  raw(value: Uint8Array): void {
    this.#reserve(value.byteLength);
    this.#buffer.set(value, this.#length);
    this.#length += value.byteLength;
  }

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#buffer.byteLength) return;
    let size = this.#buffer.byteLength * 2;
    while (size < this.#length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = next;
    this.#view = new DataView(next.buffer);
  }
}

/** Reads Avro's binary encoding of primitives from a buffer, failing on truncation. */
export class AvroReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #at: number;

  constructor(bytes: Uint8Array, offset = 0) {
    // A plain view even over a Buffer (zlib's output): Buffer#slice would share memory.
    this.#bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#at = offset;
  }

  get offset(): number {
    return this.#at;
  }

  get done(): boolean {
    return this.#at >= this.#bytes.byteLength;
  }

  long(): bigint {
    return BigInt(this.#varint());
  }

  int(): number {
    const value = this.#varint();
    if (typeof value === "number" && value >= -(2 ** 31) && value < 2 ** 31) return value;
    return truncated(`an int out of range (${value})`);
  }

  /** A count or length: a long that must be a safe, usually small, number. */
  count(): number {
    const value = this.#varint();
    if (typeof value !== "number") truncated(`a length out of range (${value})`);
    return value;
  }

  // A zig-zag varint: a number while it stays below 2^49, else a bigint.
  #varint(): number | bigint {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      const byte = this.#byte();
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      scale *= 0x80;
    }
    let big = BigInt(result);
    let shift = 49n;
    for (;;) {
      const byte = this.#byte();
      big |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) truncated("a varint longer than 10 bytes");
    }
    const value = (big >> 1n) ^ -(big & 1n);
    const asNumber = Number(value);
    return Number.isSafeInteger(asNumber) ? asNumber : value;
  }

  boolean(): boolean {
    return this.#byte() !== 0;
  }

  float(): number {
    this.#need(4);
    const value = this.#view.getFloat32(this.#at, true);
    this.#at += 4;
    return value;
  }

  double(): number {
    this.#need(8);
    const value = this.#view.getFloat64(this.#at, true);
    this.#at += 8;
    return value;
  }

  bytesValue(): Uint8Array {
    const length = this.count();
    if (length < 0) truncated("a negative length");
    return this.raw(length);
  }

  string(): string {
    return decoder.decode(this.bytesValue());
  }

  /** The next `length` bytes, as a copy. */
  raw(length: number): Uint8Array {
    this.#need(length);
    const value = this.#bytes.slice(this.#at, this.#at + length);
    this.#at += length;
    return value;
  }

  #byte(): number {
    this.#need(1);
    return this.#bytes[this.#at++] as number;
  }

  #need(length: number): void {
    if (this.#at + length > this.#bytes.byteLength) truncated("unexpected end of data");
  }
}

function truncated(reason: string): never {
  throw new IcebergError("ICEBERG_INVALID_METADATA", `invalid Avro data: ${reason}`);
}
