import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { decodeMmdbValue, type MmdbValue } from './mmdb-data.js';

/** Where the metadata starts: this marker, searched for from the end of the file. */
const METADATA_MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex');
/** The format puts the metadata within the file's last 128 KiB. */
const METADATA_MAX_BYTES = 128 * 1024;
/** The zero bytes between the search tree and the data section. */
const SEPARATOR_BYTES = 16;
/** IPv4 addresses in an IPv6 tree sit under ::/96. */
const IPV4_IN_IPV6_BITS = 96;

/** A MaxMind DB opened for lookups (its file stays open for the life of the process). */
export interface MmdbFile {
  ipVersion: number;
  /** The record of the network holding `address` (4 or 16 bytes), or null when there is none. */
  get(address: readonly number[]): MmdbValue | null;
}

/**
 * Opens a MaxMind DB whose search tree stays in the file and is read node by node on each lookup;
 * only the data section (the records) is held in memory. The tree is most of a city database,
 * and lookups are rare (one per sign-in), so the process need not hold it (docs/decisions/025).
 * Throws with a `code` for a file that cannot be read, without one for one that is not a MaxMind DB.
 */
export function openMmdbFile(path: string): MmdbFile {
  const fd = openSync(path, 'r');
  try {
    return readLayout(fd);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

function readLayout(fd: number): MmdbFile {
  const size = fstatSync(fd).size;
  const tailBytes = Math.min(size, METADATA_MAX_BYTES);
  const tail = Buffer.alloc(tailBytes);
  readSync(fd, tail, 0, tailBytes, size - tailBytes);
  const marker = tail.lastIndexOf(METADATA_MARKER);
  if (marker === -1) throw new Error('no MaxMind DB metadata found');
  const metadataStart = marker + METADATA_MARKER.length;
  const metadata = decodeMmdbValue(tail, metadataStart, metadataStart).value as Record<string, unknown>;
  const nodeCount = metadata.node_count;
  const recordSize = metadata.record_size;
  const ipVersion = metadata.ip_version;
  if (typeof nodeCount !== 'number' || typeof ipVersion !== 'number' || !isRecordSize(recordSize)) {
    throw new Error('unsupported MaxMind DB metadata');
  }
  const nodeBytes = recordSize / 4;
  const treeBytes = nodeCount * nodeBytes;
  const dataStart = treeBytes + SEPARATOR_BYTES;
  const dataEnd = size - tailBytes + marker;
  if (dataEnd < dataStart) throw new Error('MaxMind DB search tree larger than the file');
  const data = Buffer.alloc(dataEnd - dataStart);
  readSync(fd, data, 0, data.length, dataStart);

  const node = Buffer.alloc(nodeBytes);
  const child = (nodeNumber: number, right: number): number => {
    readSync(fd, node, 0, nodeBytes, nodeNumber * nodeBytes);
    return readRecord(node, recordSize, right);
  };
  let ipv4Start = 0;
  if (ipVersion === 6) {
    for (let i = 0; i < IPV4_IN_IPV6_BITS && ipv4Start < nodeCount; i++) ipv4Start = child(ipv4Start, 0);
  }
  return {
    ipVersion,
    get(address) {
      let nodeNumber = address.length === 4 ? ipv4Start : 0;
      const bits = address.length * 8;
      for (let depth = 0; depth < bits && nodeNumber < nodeCount; depth++) {
        const bit = ((address[depth >> 3] as number) >> (7 - (depth & 7))) & 1;
        nodeNumber = child(nodeNumber, bit);
      }
      // A record equal to the node count means "no data"; above it, a pointer into the data section.
      if (nodeNumber <= nodeCount) return null;
      return decodeMmdbValue(data, nodeNumber - nodeCount - SEPARATOR_BYTES).value;
    },
  };
}

function isRecordSize(value: unknown): value is 24 | 28 | 32 {
  return value === 24 || value === 28 || value === 32;
}

/** The left (0) or right (1) record of a node, as the format packs records of 24, 28 or 32 bits. */
function readRecord(node: Buffer, recordSize: 24 | 28 | 32, right: number): number {
  if (recordSize === 24) return node.readUIntBE(right * 3, 3);
  if (recordSize === 32) return node.readUInt32BE(right * 4);
  return right === 0
    ? (((node[3] as number) & 0xf0) << 20) | node.readUIntBE(0, 3)
    : (((node[3] as number) & 0x0f) << 24) | node.readUIntBE(4, 3);
}
