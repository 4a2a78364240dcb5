// Image metadata, in the order of ARCHITECTURE.md "Image metadata": (1) the native SIF reader (header,
// the inspect-metadata.json and Def.FILE descriptors), (2) `singularity|apptainer inspect --json`,
// (3) `unsquashfs -o OFFSET -cat` of .singularity.d files, (4) header facts only. A step that is
// unavailable adds a warning and the next one runs; only a corrupt SIF throws (SifFormatError).
import { open } from 'node:fs/promises';
import { NotFoundError, SregError } from '../../core/errors.js';
import { inspectImage, parseInspectJson, type ToolOptions } from './inspect.js';
import { FS_SQUASHFS, findDefFile, findInspectMetadata, hasSifMagic, primaryPartition, readDescriptorData, readSif, toSifFacts, type SifDescriptor } from './sif.js';
import { readSquashfsMetadata } from './squashfs.js';
import type { DescribeResult, ImageFormat, ImageMetrics, InspectAttributes, MetadataSource } from './types.js';

export type { DescribeResult, ImageMetrics } from './types.js';
export { SifFormatError } from './sif.js';

export interface DescribeOptions {
  /** Environment for the external tools (PATH, SREG_SINGULARITY); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Timeout of each external command; 10 s by default. */
  timeoutMs?: number;
  /** Run no external tool: native SIF facts and descriptors only. */
  nativeOnly?: boolean;
}

/** How far legacy images are searched for a squashfs superblock after their launch line. */
const SNIFF_BYTES = 64 * 1024;
const TEXT_LIMIT = 16 * 1024 * 1024;

type Sniffed = { format: 'sif' } | { format: 'squashfs' | 'ext3'; offset: number } | { format: 'unknown' };

export async function describeImage(path: string, options: DescribeOptions = {}): Promise<DescribeResult> {
  const warnings: string[] = [];
  const tools: ToolOptions = { env: options.env, timeoutMs: options.timeoutMs, onWarning: (m) => warnings.push(m) };
  const sniffed = sniff(await readStart(path));
  if (sniffed.format === 'sif') return { metrics: await describeSif(path, options, tools, warnings), warnings };
  if (sniffed.format === 'unknown') {
    warnings.push('not a Singularity image: no SIF, squashfs or ext3 header');
    return { metrics: metricsOf('unknown', 'header', {}), warnings };
  }
  warnings.push(`not a SIF file: legacy ${sniffed.format} image; metadata limited`);
  let found: { attributes: InspectAttributes; source: MetadataSource } | undefined;
  if (!options.nativeOnly) {
    found = await fromInspect(path, tools);
    if (!found && sniffed.format === 'squashfs') found = await fromSquashfs(path, sniffed.offset, tools);
  }
  return { metrics: metricsOf(sniffed.format, found?.source ?? 'header', found?.attributes ?? {}), warnings };
}

async function describeSif(path: string, options: DescribeOptions, tools: ToolOptions, warnings: string[]): Promise<ImageMetrics> {
  const sif = await readSif(path);
  if (sif.ociSif) warnings.push('OCI-SIF image: labels and scripts live in its OCI config; metadata limited');
  const deffile = await readText(path, findDefFile(sif.objects), warnings);
  let found: { attributes: InspectAttributes; source: MetadataSource } | undefined;

  const embedded = findInspectMetadata(sif.objects);
  if (embedded) {
    const text = await readText(path, embedded, warnings);
    const attributes = text === undefined ? undefined : parseInspectJson(text);
    if (attributes) found = { attributes, source: 'sif-descriptor' };
    else if (text !== undefined) warnings.push('inspect-metadata.json descriptor holds no inspect JSON; ignored');
  }
  if (!found && !options.nativeOnly) {
    found = await fromInspect(path, tools);
    if (!found) {
      const part = primaryPartition(sif.objects);
      if (!part?.partition) warnings.push('no primary partition; squashfs metadata skipped');
      else if (part.partition.fstypeCode !== FS_SQUASHFS) warnings.push(`primary partition is ${part.partition.fstype}; squashfs metadata skipped`);
      else found = await fromSquashfs(path, part.offset, tools);
    }
  }
  const attributes = found?.attributes ?? {};
  // inspect shows the Def.FILE text unless the embedded JSON (or inspect itself) already carries one.
  const trusted = found?.source === 'sif-descriptor' || found?.source === 'inspect';
  if (deffile && !(trusted && attributes.deffile)) attributes.deffile = deffile;
  const source: MetadataSource = found?.source ?? (deffile ? 'sif-descriptor' : 'header');
  return { ...metricsOf('sif', source, attributes), sif: toSifFacts(sif) };
}

async function fromInspect(path: string, tools: ToolOptions) {
  const attributes = await inspectImage(path, tools);
  return attributes ? { attributes, source: 'inspect' as const } : undefined;
}

async function fromSquashfs(path: string, offset: number, tools: ToolOptions) {
  const attributes = await readSquashfsMetadata(path, offset, tools);
  return attributes ? { attributes, source: 'unsquashfs' as const } : undefined;
}

/** A descriptor's bytes as text with trailing newlines trimmed (as inspect-metadata.json stores them). */
async function readText(path: string, d: SifDescriptor | undefined, warnings: string[]): Promise<string | undefined> {
  if (!d) return undefined;
  try {
    const text = (await readDescriptorData(path, d, TEXT_LIMIT)).toString('utf8').replace(/\n+$/, '');
    return text === '' ? undefined : text;
  } catch (e) {
    warnings.push(`cannot read SIF object ${d.id} (${d.type}): ${(e as Error).message}`);
    return undefined;
  }
}

function metricsOf(format: ImageFormat, source: MetadataSource, attributes: InspectAttributes): ImageMetrics {
  return { data: { attributes }, type: 'container', format, source };
}

async function readStart(path: string): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError(`no such file: ${path}`);
    throw new SregError(`cannot read ${path}: ${code ?? (e as Error).message}`);
  }
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } catch (e) {
    throw new SregError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    await fh.close();
  }
}

/** Which kind of image the first bytes announce. Legacy Singularity 2 images put a launch line first. */
export function sniff(start: Buffer): Sniffed {
  if (hasSifMagic(start)) return { format: 'sif' };
  if (isSquashfsAt(start, 0)) return { format: 'squashfs', offset: 0 };
  if (isExt3At(start, 0)) return { format: 'ext3', offset: 0 };
  if (start.subarray(0, 2).toString('latin1') !== '#!') return { format: 'unknown' };
  for (let at = start.indexOf('hsqs'); at >= 0; at = start.indexOf('hsqs', at + 1)) {
    if (isSquashfsAt(start, at)) return { format: 'squashfs', offset: at };
  }
  const afterLine = start.indexOf('\n') + 1;
  if (afterLine > 0 && isExt3At(start, afterLine)) return { format: 'ext3', offset: afterLine };
  return { format: 'unknown' };
}

/** `hsqs` and major version 4 (squashfs 4.x, which every Singularity image uses). */
function isSquashfsAt(b: Buffer, at: number): boolean {
  return b.length >= at + 30 && b.toString('latin1', at, at + 4) === 'hsqs' && b.readUInt16LE(at + 28) === 4;
}

function isExt3At(b: Buffer, at: number): boolean {
  return b.length >= at + 1082 && b.readUInt16LE(at + 1080) === 0xef53;
}
