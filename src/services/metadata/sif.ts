// Native SIF reader, written by hand: no npm package reads SIF (contracts/sif.md §6). It reads the
// 128-byte global header and the packed 585-byte descriptor table only, never the whole file.
// Layout: contracts/sif.md §1-2 (sylabs/sif v2, apptainer/sif).
import { open, type FileHandle } from 'node:fs/promises';
import { IntegrityError, NotFoundError, SregError } from '../../core/errors.js';
import type { SifFacts, SifPartitionFacts } from './types.js';

/** The file claims to be (or must be) a SIF but its header or descriptors do not hold together. */
export class SifFormatError extends IntegrityError {
  constructor(message: string) {
    super(message);
    this.name = 'SifFormatError';
  }
}

export const SIF_HEADER_SIZE = 128;
export const SIF_DESCRIPTOR_SIZE = 585;
const MAGIC_OFFSET = 0x20;
const MAGIC = Buffer.from('SIF_MAGIC\0', 'latin1');
const GROUP_MASK = 0xf0000000;
/** Go's time.Time{}.Unix(): what sif stores when a time was never set. */
const GO_ZERO_TIME = -62135596800;
/** Far above any real image (48 by default); keeps a corrupt count from allocating gigabytes. */
const MAX_DESCRIPTORS = 1 << 16;

export const DataType = {
  DefFile: 0x4001, EnvVars: 0x4002, Labels: 0x4003, Partition: 0x4004, Signature: 0x4005,
  GenericJson: 0x4006, Generic: 0x4007, CryptoMessage: 0x4008, Sbom: 0x4009, OciRootIndex: 0x400a, OciBlob: 0x400b,
} as const;

const TYPE_NAMES: Record<number, string> = {
  0x4001: 'Def.FILE', 0x4002: 'Env.Vars', 0x4003: 'JSON.Labels', 0x4004: 'FS', 0x4005: 'Signature',
  0x4006: 'JSON.Generic', 0x4007: 'Generic/Raw', 0x4008: 'Cryptographic Message', 0x4009: 'SBOM',
  0x400a: 'OCI.RootIndex', 0x400b: 'OCI.Blob',
};
const ARCHES = ['unknown', '386', 'amd64', 'arm', 'arm64', 'ppc64', 'ppc64le', 'mips', 'mipsle', 'mips64', 'mips64le', 's390x', 'riscv64', 'loong64'];
const FS_TYPES: Record<number, string> = { 1: 'Squashfs', 2: 'Ext3', 3: 'Archive', 4: 'Raw', 5: 'Encrypted squashfs' };
const PART_TYPES: Record<number, string> = { 1: 'System', 2: '*System', 3: 'Data', 4: 'Overlay' };
const HASH_TYPES: Record<number, string> = { 1: 'SHA-256', 2: 'SHA-384', 3: 'SHA-512', 4: 'BLAKE2s-256', 5: 'BLAKE2b-256' };
const CRYPTO_FORMATS: Record<number, string> = { 1: 'OpenPGP', 2: 'PEM' };
const CRYPTO_MESSAGES: Record<number, string> = { 0x100: 'Clear Signature', 0x200: 'RSA-OAEP' };
const SBOM_FORMATS = ['', 'cyclonedx-json', 'cyclonedx-xml', 'github-json', 'spdx-json', 'spdx-rdf', 'spdx-tag-value', 'spdx-yaml', 'syft-json'];
export const PART_PRIMSYS = 2;
export const FS_SQUASHFS = 1;

export interface SifHeader {
  launchScript: string;
  version: string;
  arch: string;
  uuid: string;
  created: number;
  modified: number;
  descriptorsFree: number;
  descriptorsTotal: number;
  descriptorsOffset: number;
  descriptorsSize: number;
  dataOffset: number;
  dataSize: number;
}

export interface SifDescriptor {
  id: number;
  dataType: number;
  /** siftool's label: Def.FILE, JSON.Generic, FS, Signature, SBOM, OCI.RootIndex, ... or Unknown */
  type: string;
  group: number | null;
  /** siftool's notation: "3" for an object, "1 (G)" for a group; null when not linked */
  link: string | null;
  linkId: number | null;
  linkIsGroup: boolean;
  offset: number;
  size: number;
  sizeWithPadding: number;
  created: number;
  modified: number;
  name: string;
  partition?: SifPartitionFacts & { fstypeCode: number; parttypeCode: number };
  signature?: { hashType: string; entity: string };
  crypto?: { format: string; message: string };
  sbom?: { format: string };
  /** OCI.RootIndex / OCI.Blob digest, `sha256:<hex>` */
  digest?: string;
}

export interface SifImage extends SifFacts {
  path: string;
  fileSize: number;
  header: SifHeader;
  objects: SifDescriptor[];
}

/** True when the buffer (the file's first bytes) carries the SIF magic. */
export function hasSifMagic(start: Buffer): boolean {
  return start.length >= MAGIC_OFFSET + MAGIC.length && start.subarray(MAGIC_OFFSET, MAGIC_OFFSET + MAGIC.length).equals(MAGIC);
}

export async function readSif(path: string): Promise<SifImage> {
  const fh = await openImage(path);
  try {
    const fileSize = (await fh.stat()).size;
    const head = await readAt(fh, 0, Math.min(SIF_HEADER_SIZE, fileSize));
    const header = parseHeader(head, fileSize);
    const tableSize = header.descriptorsTotal * SIF_DESCRIPTOR_SIZE;
    const table = await readAt(fh, header.descriptorsOffset, tableSize);
    if (table.length < tableSize) throw new SifFormatError('truncated SIF: descriptor table ends past end of file');
    const objects: SifDescriptor[] = [];
    for (let i = 0; i < header.descriptorsTotal; i++) {
      const d = parseDescriptor(table.subarray(i * SIF_DESCRIPTOR_SIZE, (i + 1) * SIF_DESCRIPTOR_SIZE), i);
      if (!d) continue;
      if (d.offset + d.size > fileSize) throw new SifFormatError(`truncated SIF: object ${d.id} ends past end of file`);
      objects.push(d);
    }
    return { path, fileSize, header, objects, ...factsOf(header, objects) };
  } finally {
    await fh.close();
  }
}

/** The bytes of one object. Refuses objects larger than maxBytes (default 64 MiB): partitions are read with unsquashfs. */
export async function readDescriptorData(path: string, d: Pick<SifDescriptor, 'id' | 'offset' | 'size'>, maxBytes = 64 * 1024 * 1024): Promise<Buffer> {
  if (d.size > maxBytes) throw new SregError(`SIF object ${d.id} is too large to read (${d.size} bytes)`);
  const fh = await openImage(path);
  try {
    const data = await readAt(fh, d.offset, d.size);
    if (data.length < d.size) throw new SifFormatError(`truncated SIF: object ${d.id} ends past end of file`);
    return data;
  } finally {
    await fh.close();
  }
}

/** The `inspect-metadata.json` object modern builds embed (any non-partition type, JSON.Generic in practice). */
export function findInspectMetadata(objects: SifDescriptor[]): SifDescriptor | undefined {
  const named = objects.filter((d) => d.name === 'inspect-metadata.json' && d.dataType !== DataType.Partition);
  return named.find((d) => d.dataType === DataType.GenericJson) ?? named[0];
}

export function findDefFile(objects: SifDescriptor[]): SifDescriptor | undefined {
  return objects.find((d) => d.dataType === DataType.DefFile);
}

/** The PrimSys partition (the container's root file system), or the first squashfs partition of odd files. */
export function primaryPartition(objects: SifDescriptor[]): SifDescriptor | undefined {
  const parts = objects.filter((d) => d.partition);
  return parts.find((d) => d.partition?.parttypeCode === PART_PRIMSYS) ?? parts.find((d) => d.partition?.fstypeCode === FS_SQUASHFS);
}

/** The JSON-friendly subset stored in the library's metrics. */
export function toSifFacts(image: SifImage): SifFacts {
  const { version, arch, uuid, created, modified, descriptors, partitions, signatures, ociSif } = image;
  return { version, arch, uuid, created, modified, descriptors, partitions, signatures, ociSif };
}

function factsOf(header: SifHeader, objects: SifDescriptor[]): SifFacts {
  return {
    version: header.version,
    arch: header.arch,
    uuid: header.uuid,
    created: header.created,
    modified: header.modified,
    descriptors: objects.map(({ id, type, group, link, offset, size, name }) => ({ id, type, group, link, offset, size, name })),
    partitions: objects.flatMap((d) => (d.partition ? [{ id: d.id, fstype: d.partition.fstype, parttype: d.partition.parttype, arch: d.partition.arch, offset: d.offset, size: d.size }] : [])),
    signatures: objects.flatMap((d) => (d.signature ? [{ id: d.id, ...d.signature }] : [])),
    ociSif: objects.some((d) => d.dataType === DataType.OciRootIndex),
  };
}

function parseHeader(b: Buffer, fileSize: number): SifHeader {
  const magicEnd = Math.min(b.length, MAGIC_OFFSET + MAGIC.length);
  const magicSeen = b.length > MAGIC_OFFSET && b.subarray(MAGIC_OFFSET, magicEnd).equals(MAGIC.subarray(0, magicEnd - MAGIC_OFFSET));
  if (!magicSeen) throw new SifFormatError('not a SIF file: bad magic');
  if (b.length < SIF_HEADER_SIZE) throw new SifFormatError('truncated SIF: header ends past end of file');
  const version = cString(b, 0x2a, 3);
  if (version !== '01') throw new SifFormatError(`unsupported SIF version "${version}"`);
  const descriptorsTotal = safeInt(b, 0x58, 'descriptor count');
  const descriptorsOffset = safeInt(b, 0x60, 'descriptor table offset');
  if (descriptorsTotal > MAX_DESCRIPTORS) throw new SifFormatError(`corrupt SIF: ${descriptorsTotal} descriptors`);
  if (descriptorsOffset + descriptorsTotal * SIF_DESCRIPTOR_SIZE > fileSize) {
    throw new SifFormatError('truncated SIF: descriptor table ends past end of file');
  }
  const dataOffset = safeInt(b, 0x70, 'data offset');
  const dataSize = safeInt(b, 0x78, 'data size');
  if (dataOffset + dataSize > fileSize) throw new SifFormatError('truncated SIF: data ends past end of file');
  return {
    launchScript: cString(b, 0, 32),
    version,
    arch: archName(b, 0x2d),
    uuid: uuidText(b.subarray(0x30, 0x40)),
    created: timeAt(b, 0x40),
    modified: timeAt(b, 0x48),
    descriptorsFree: safeInt(b, 0x50, 'free descriptor count'),
    descriptorsTotal,
    descriptorsOffset,
    descriptorsSize: safeInt(b, 0x68, 'descriptor table size'),
    dataOffset,
    dataSize,
  };
}

function parseDescriptor(b: Buffer, slot: number): SifDescriptor | undefined {
  const used = b[4];
  if (used === 0) return undefined;
  const dataType = b.readInt32LE(0);
  const id = b.readUInt32LE(5);
  const rawGroup = b.readUInt32LE(9);
  const rawLink = b.readUInt32LE(13);
  const linkIsGroup = rawLink !== 0 && (rawLink & GROUP_MASK) >>> 0 === GROUP_MASK;
  const linkId = rawLink === 0 ? null : linkIsGroup ? (rawLink & ~GROUP_MASK) >>> 0 : rawLink;
  const what = `descriptor ${slot + 1}`;
  const d: SifDescriptor = {
    id,
    dataType,
    type: TYPE_NAMES[dataType] ?? 'Unknown',
    group: (rawGroup & ~GROUP_MASK) >>> 0 || null,
    link: linkId === null ? null : linkIsGroup ? `${linkId} (G)` : String(linkId),
    linkId,
    linkIsGroup,
    offset: safeInt(b, 17, `${what} offset`),
    size: safeInt(b, 25, `${what} size`),
    sizeWithPadding: safeInt(b, 33, `${what} padded size`),
    created: timeAt(b, 41),
    modified: timeAt(b, 49),
    name: cString(b, 73, 128),
  };
  const x = b.subarray(201);
  if (dataType === DataType.Partition) {
    const fstypeCode = x.readInt32LE(0);
    const parttypeCode = x.readInt32LE(4);
    d.partition = {
      id, offset: d.offset, size: d.size, fstypeCode, parttypeCode,
      fstype: FS_TYPES[fstypeCode] ?? 'Unknown', parttype: PART_TYPES[parttypeCode] ?? 'Unknown', arch: archName(x, 8),
    };
  } else if (dataType === DataType.Signature) {
    d.signature = { hashType: HASH_TYPES[x.readInt32LE(0)] ?? 'Unknown', entity: entityHex(x.subarray(4, 260)) };
  } else if (dataType === DataType.CryptoMessage) {
    d.crypto = { format: CRYPTO_FORMATS[x.readInt32LE(0)] ?? 'Unknown', message: CRYPTO_MESSAGES[x.readInt32LE(4)] ?? 'Unknown' };
  } else if (dataType === DataType.Sbom) {
    d.sbom = { format: SBOM_FORMATS[x.readInt32LE(0)] || 'Unknown' };
  } else if (dataType === DataType.OciRootIndex || dataType === DataType.OciBlob) {
    d.digest = cString(x, 0, x.length);
  }
  return d;
}

async function openImage(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError(`no such file: ${path}`);
    throw new SregError(`cannot read ${path}: ${code ?? (e as Error).message}`);
  }
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** A non-negative int64 that fits a JS number; anything else means a corrupt header. */
function safeInt(b: Buffer, at: number, what: string): number {
  const v = b.readBigInt64LE(at);
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw new SifFormatError(`corrupt SIF: bad ${what}`);
  return Number(v);
}

function timeAt(b: Buffer, at: number): number {
  const t = Number(b.readBigInt64LE(at));
  return t === GO_ZERO_TIME ? 0 : t;
}

function cString(b: Buffer, at: number, len: number): string {
  const s = b.subarray(at, at + len);
  const nul = s.indexOf(0);
  return s.subarray(0, nul < 0 ? s.length : nul).toString('utf8');
}

function archName(b: Buffer, at: number): string {
  const code = Number.parseInt(cString(b, at, 3), 10);
  return ARCHES[code] ?? 'unknown';
}

function uuidText(b: Buffer): string {
  if (b.every((x) => x === 0)) return '';
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** PGP v4 fingerprints fill the first 20 bytes; keep longer ones (v5/v6 keys) whole. */
function entityHex(entity: Buffer): string {
  let end = 20;
  for (let i = entity.length - 1; i >= 20; i--) {
    if (entity[i] !== 0) {
      end = i + 1;
      break;
    }
  }
  return entity.subarray(0, end).toString('hex').toUpperCase();
}
