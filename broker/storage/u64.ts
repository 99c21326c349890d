// Little-endian u64 fields holding JavaScript safe integers (< 2^53), without BigInt.

const U32_LIMIT = 2 ** 32;

export function writeU64(target: Buffer, value: number, offset: number): void {
  target.writeUInt32LE(value >>> 0, offset);
  target.writeUInt32LE(Math.floor(value / U32_LIMIT), offset + 4);
}

/** The u64 at `offset`, or -1 when it is not a safe integer (only damaged data holds one). */
export function readU64(source: Buffer, offset: number): number {
  const high = source.readUInt32LE(offset + 4);
  return high > 0x1fffff ? -1 : high * U32_LIMIT + source.readUInt32LE(offset);
}
