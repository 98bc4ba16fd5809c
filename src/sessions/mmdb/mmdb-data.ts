/**
 * The data section of a MaxMind DB (format 2.0: https://maxmind.github.io/MaxMind-DB/), decoded
 * as the `maxmind` library decodes it, so a record reads the same whichever read it.
 */
export type MmdbValue =
  | string
  | number
  | bigint
  | boolean
  | Buffer
  | MmdbValue[]
  | { [key: string]: MmdbValue };

const POINTER = 1;
const EXTENDED = 0;
/** What a pointer of each size adds to its packed bits (the format's offsets). */
const POINTER_BASE = [0, 2048, 526336, 0];

interface Cursor {
  value: MmdbValue;
  offset: number;
}

/**
 * Decodes the value at `offset` of `data`, where pointers count from `base` (the data section's
 * first byte; the metadata's own pointers count from its start).
 */
export function decodeMmdbValue(data: Buffer, offset: number, base = 0): Cursor {
  const control = data[offset++] as number;
  let type = control >> 5;
  if (type === POINTER) {
    const size = (control >> 3) & 3;
    const packed =
      size === 0
        ? ((control & 7) << 8) | (data[offset] as number)
        : size === 1
          ? ((control & 7) << 16) | data.readUInt16BE(offset)
          : size === 2
            ? ((control & 7) << 24) | data.readUIntBE(offset, 3)
            : data.readUInt32BE(offset);
    const target = base + (POINTER_BASE[size] as number) + packed;
    return { value: decodeMmdbValue(data, target, base).value, offset: offset + size + 1 };
  }
  if (type === EXTENDED) {
    type = 7 + (data[offset++] as number);
    if (type < 8) throw new Error(`Invalid extended type at offset ${offset - 1}`);
  }
  let size = control & 0x1f;
  if (size === 29) size = 29 + (data[offset++] as number);
  else if (size === 30) {
    size = 285 + data.readUInt16BE(offset);
    offset += 2;
  } else if (size === 31) {
    size = 65821 + data.readUIntBE(offset, 3);
    offset += 3;
  }
  return decodeOfType(data, type, size, offset, base);
}

function decodeOfType(data: Buffer, type: number, size: number, offset: number, base: number): Cursor {
  const end = offset + size;
  switch (type) {
    case 2:
      return { value: data.toString('utf8', offset, end), offset: end };
    case 3:
      return { value: data.readDoubleBE(offset), offset: end };
    case 4:
      return { value: data.subarray(offset, end), offset: end };
    case 5:
    case 6:
      if (size > 4) throw new Error(`Invalid size for unsigned integer: ${size}`);
      return { value: size === 0 ? 0 : data.readUIntBE(offset, size), offset: end };
    case 7: {
      const map: { [key: string]: MmdbValue } = {};
      for (let i = 0; i < size; i++) {
        const key = decodeMmdbValue(data, offset, base);
        const value = decodeMmdbValue(data, key.offset, base);
        map[String(key.value)] = value.value;
        offset = value.offset;
      }
      return { value: map, offset };
    }
    case 8:
      return {
        value: size === 0 ? 0 : size < 4 ? data.readUIntBE(offset, size) : data.readInt32BE(offset),
        offset: end,
      };
    case 9:
    case 10: {
      if (size > 16) throw new Error(`Invalid size for big unsigned integer: ${size}`);
      let integer = 0n;
      for (let i = 0; i < size; i++) integer = (integer << 8n) | BigInt(data[offset + i] as number);
      return { value: integer, offset: end };
    }
    case 11: {
      const array: MmdbValue[] = [];
      for (let i = 0; i < size; i++) {
        const item = decodeMmdbValue(data, offset, base);
        array.push(item.value);
        offset = item.offset;
      }
      return { value: array, offset };
    }
    case 14:
      return { value: size !== 0, offset };
    case 15:
      return { value: data.readFloatBE(offset), offset: end };
  }
  throw new Error(`Unknown type ${type} at offset ${offset}`);
}
