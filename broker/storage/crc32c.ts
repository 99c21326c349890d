// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven slicing-by-8: it runs over
// every record written and read, so it consumes 8 bytes per step with eight lookup tables.
// Chainable: crc32c(b, crc32c(a)) === crc32c(a followed by b).

const POLYNOMIAL = 0x82f63b78;

// Table k maps a byte to its CRC contribution when followed by k zero bytes; 8 tables of 256.
const TABLE = buildTable();

function buildTable(): Int32Array {
  const table = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
    table[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = table[n] as number;
    for (let k = 1; k < 8; k++) {
      c = (c >>> 8) ^ (table[c & 0xff] as number);
      table[k * 256 + n] = c;
    }
  }
  return table;
}

/** CRC-32C of `data`, continuing from `crc` (the CRC of the bytes before it; 0 to start). */
export function crc32c(data: Uint8Array, crc = 0): number {
  const t = TABLE;
  let c = ~crc;
  let i = 0;
  const end8 = data.length - (data.length & 7);
  // `as number` only narrows the type: every index below is in bounds by construction.
  while (i < end8) {
    const lo =
      c ^
      ((data[i] as number) |
        ((data[i + 1] as number) << 8) |
        ((data[i + 2] as number) << 16) |
        ((data[i + 3] as number) << 24));
    const hi =
      (data[i + 4] as number) |
      ((data[i + 5] as number) << 8) |
      ((data[i + 6] as number) << 16) |
      ((data[i + 7] as number) << 24);
    c =
      (t[1792 + (lo & 0xff)] as number) ^
      (t[1536 + ((lo >>> 8) & 0xff)] as number) ^
      (t[1280 + ((lo >>> 16) & 0xff)] as number) ^
      (t[1024 + (lo >>> 24)] as number) ^
      (t[768 + (hi & 0xff)] as number) ^
      (t[512 + ((hi >>> 8) & 0xff)] as number) ^
      (t[256 + ((hi >>> 16) & 0xff)] as number) ^
      (t[hi >>> 24] as number);
    i += 8;
  }
  while (i < data.length) {
    c = (c >>> 8) ^ (t[(c ^ (data[i] as number)) & 0xff] as number);
    i++;
  }
  return ~c >>> 0;
}
