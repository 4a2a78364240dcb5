// The native SIF reader against siftool (the reference implementation, Debian package siftool):
// every sample in ../shared/sif-samples, the images built by test/fixtures/build-sif.sh, and
// corrupted / truncated copies, which must raise SifFormatError and never a RangeError.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrityError, NotFoundError } from '../../src/core/errors.js';
import {
  SifFormatError, SIF_DESCRIPTOR_SIZE, findDefFile, findInspectMetadata, primaryPartition, readDescriptorData, readSif, toSifFacts,
  type SifDescriptor,
} from '../../src/services/metadata/sif.js';
import { buildFixtures, missingTools, patchedCopy, samplesDir, truncatedCopy, u64, type BuiltFixtures } from '../helpers/build-sif.js';

const haveSamples = existsSync(samplesDir);
const missing = missingTools();
const samples = haveSamples ? readdirSync(samplesDir).filter((f) => f.endsWith('.sif')).sort() : [];
if (!haveSamples) console.warn(`sif.test: ${samplesDir} is missing; sample comparisons skipped`);
if (missing.length) console.warn(`sif.test: ${missing.join(', ')} not installed; siftool comparisons skipped`);

function siftool(...args: string[]): string {
  return execFileSync('siftool', args, { encoding: 'utf8' });
}

function siftoolDump(id: number, file: string): Buffer {
  return execFileSync('siftool', ['dump', String(id), file], { maxBuffer: 64 << 20 });
}

/** `siftool list` rows: ID |GROUP |LINK |SIF POSITION (start-end) |TYPE */
function siftoolList(file: string) {
  return siftool('list', file)
    .split('\n')
    .filter((l) => /^\d+\s*\|/.test(l))
    .map((l) => {
      const [id, group, link, pos, type] = l.split('|').map((c) => c.trim().replace(/\s+/g, ' '));
      const [start, end] = pos!.split('-').map(Number);
      return { id: Number(id), group: group === 'NONE' ? null : Number(group), link: link === 'NONE' ? null : link, start, end, type };
    });
}

/** `siftool info` / `siftool header` "Key: value" lines. */
function keyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([^:]+):\s+(.*)$/.exec(line);
    if (m) out[m[1]!.trim()] = m[2]!.trim();
  }
  return out;
}

/** siftool prints times as "2021-08-02 19:09:36 +0000 UTC". */
function unixOf(text: string): number {
  return Date.parse(text.replace(/^(\S+) (\S+) \+0000 UTC$/, '$1T$2Z')) / 1000;
}

/** What `siftool list` prints in its TYPE column for a descriptor (2.8.3 predates the OCI types). */
function listLabel(d: SifDescriptor): string {
  if (d.partition) return `FS (${d.partition.fstype}/${d.partition.parttype}/${d.partition.arch})`;
  if (d.signature) return `Signature (${d.signature.hashType})`;
  if (d.sbom) return `SBOM (${d.sbom.format})`;
  if (d.type.startsWith('OCI.')) return 'Unknown';
  return d.type;
}

describe.skipIf(!haveSamples || missing.length > 0)('readSif on every file in sif-samples, against siftool', () => {
  it('finds sample files', () => {
    expect(samples.length).toBeGreaterThanOrEqual(10);
  });

  describe.each(samples)('%s', (name) => {
    const file = join(samplesDir, name);

    it('lists the same objects as `siftool list`', async () => {
      const sif = await readSif(file);
      const expected = siftoolList(file);
      expect(sif.objects.map((d) => ({ id: d.id, group: d.group, link: d.link, start: d.offset, end: d.offset + d.size, type: listLabel(d) }))).toEqual(expected);
      expect(sif.descriptors.map((d) => d.id)).toEqual(expected.map((r) => r.id));
    });

    it('reads the header as `siftool header` does', async () => {
      const sif = await readSif(file);
      const h = keyValues(siftool('header', file));
      expect(sif.version).toBe(h['Version']);
      expect(sif.arch).toBe(h['Primary Architecture'] ?? 'unknown');
      expect(sif.uuid).toBe(h['ID'] ?? '');
      expect(sif.created).toBe(h['Created At'] ? unixOf(h['Created At']) : 0);
      expect(sif.modified).toBe(h['Modified At'] ? unixOf(h['Modified At']) : 0);
      expect(sif.header.launchScript.trim()).toBe(h['Launch Script'] ?? '');
      expect(sif.header.descriptorsFree).toBe(Number(h['Descriptors Free']));
      expect(sif.header.descriptorsTotal).toBe(Number(h['Descriptors Total']));
      expect(sif.header.descriptorsOffset).toBe(Number(h['Descriptors Offset']));
      expect(sif.header.dataOffset).toBe(Number(h['Data Offset']));
      expect(sif.fileSize).toBe(statSync(file).size);
    });

    it('reads each object as `siftool info` and `siftool dump` do', async () => {
      const sif = await readSif(file);
      for (const d of sif.objects) {
        const info = keyValues(siftool('info', String(d.id), file));
        expect(Number(info['ID'])).toBe(d.id);
        expect(Number(info['Offset'])).toBe(d.offset);
        expect(Number(info['Size'])).toBe(d.size);
        expect(info['Group ID']).toBe(d.group === null ? 'NONE' : String(d.group));
        expect(info['Linked ID']).toBe(d.link ?? 'NONE');
        expect(d.name).toBe(info['Name'] ?? '');
        expect(d.created).toBe(info['Created At'] ? unixOf(info['Created At']) : 0);
        if (d.partition) {
          expect([d.partition.fstype, d.partition.parttype, d.partition.arch]).toEqual([info['Filesystem Type'], info['Partition Type'], info['Architecture']]);
        }
        if (d.signature) {
          expect(d.signature.hashType).toBe(info['Hash Type']);
          expect(d.signature.entity).toBe(info['Entity']);
          expect(d.signature.entity).toMatch(/^[0-9A-F]{40}$/);
        }
        if (d.sbom) expect(d.sbom.format).toBe(info['Format']);
        expect((await readDescriptorData(file, d)).equals(siftoolDump(d.id, file))).toBe(true);
      }
    });
  });

  it('knows the busybox build: metadata, def file, primary partition, signature', async () => {
    const sif = await readSif(join(samplesDir, 'busybox_amd64.sif'));
    expect(findInspectMetadata(sif.objects)?.id).toBe(2);
    expect(findDefFile(sif.objects)?.id).toBe(1);
    expect(primaryPartition(sif.objects)).toMatchObject({ id: 4, offset: 45056, partition: { fstype: 'Squashfs', parttype: '*System', arch: 'amd64' } });
    expect(sif.partitions).toEqual([{ id: 4, fstype: 'Squashfs', parttype: '*System', arch: 'amd64', offset: 45056, size: 745472 }]);
    expect(sif.signatures).toEqual([{ id: 5, hashType: 'SHA-256', entity: '1137E72E6816BFC06D9CAA0D15F3F4F4F14B03B2' }]);
    expect(sif.objects[4]).toMatchObject({ linkId: 1, linkIsGroup: true, group: null });
    expect(sif.ociSif).toBe(false);
    expect((await readDescriptorData(sif.path, findDefFile(sif.objects)!)).toString()).toBe('BootStrap: docker\nFrom: busybox:1.33.1\n');
    expect((await readSif(join(samplesDir, 'busybox_arm64.sif'))).arch).toBe('arm64');
  });

  it('detects an OCI-SIF by its OCI.RootIndex and reads the digest', async () => {
    const file = join(samplesDir, 'one-object-oci-root-index.sif');
    const sif = await readSif(file);
    expect(sif.ociSif).toBe(true);
    const [index] = sif.objects;
    expect(index!.type).toBe('OCI.RootIndex');
    const bytes = await readDescriptorData(file, index!);
    expect(index!.digest).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    expect((await readSif(join(samplesDir, 'busybox_amd64.sif'))).ociSif).toBe(false);
  });

  it('reads object-to-object links and SBOM types', async () => {
    const legacy = await readSif(join(samplesDir, 'two-groups-signed-legacy-all.sif'));
    expect(legacy.objects.filter((d) => d.signature).map((d) => [d.linkId, d.linkIsGroup, d.signature!.hashType])).toEqual([[1, false, 'SHA-384'], [2, false, 'SHA-384']]);
    expect(legacy.partitions.map((p) => p.fstype)).toEqual(['Raw', 'Squashfs', 'Ext3']);
    const sbom = await readSif(join(samplesDir, 'one-object-sbom.sif'));
    expect(sbom.objects[0]).toMatchObject({ type: 'SBOM', sbom: { format: 'cyclonedx-json' } });
  });

  it('reads only the header and the descriptor table, not the whole file', async () => {
    // An object whose bytes are unreadable would fail a whole-file read; the reader never touches them.
    const sif = await readSif(join(samplesDir, 'two-groups.sif'));
    expect(sif.objects.at(-1)!.size).toBeGreaterThan(200_000);
    await expect(readDescriptorData(sif.path, sif.objects.at(-1)!, 1000)).rejects.toThrow(/too large/);
  });
});

describe.skipIf(missing.length > 0)('readSif on images built by test/fixtures/build-sif.sh', () => {
  let fx: BuiltFixtures;
  let scratch: string;
  beforeAll(() => {
    fx = buildFixtures();
    scratch = mkdtempSync(join(tmpdir(), 'sreg-sif-bad-'));
  });
  afterAll(() => {
    fx?.cleanup();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('matches siftool list and the recipe layout', async () => {
    const sif = await readSif(fx.testSif);
    expect(sif.objects.map((d) => ({ id: d.id, group: d.group, link: d.link, start: d.offset, end: d.offset + d.size, type: listLabel(d) }))).toEqual(siftoolList(fx.testSif));
    expect(sif.objects.map((d) => d.type)).toEqual(['Def.FILE', 'JSON.Generic', 'FS']);
    expect(sif.arch).toBe('amd64');
    expect(sif.header.descriptorsFree).toBe(45);
    expect(sif.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(Math.abs(sif.created - Date.now() / 1000)).toBeLessThan(600);
    expect(primaryPartition(sif.objects)?.offset).toBe(36864);
  });

  it('returns the descriptor bytes exactly as added', async () => {
    const sif = await readSif(fx.testSif);
    expect(await readDescriptorData(fx.testSif, findDefFile(sif.objects)!)).toEqual(readFileSync(fx.defFile));
    expect(await readDescriptorData(fx.testSif, findInspectMetadata(sif.objects)!)).toEqual(readFileSync(fx.inspectMetadata));
    expect(await readDescriptorData(fx.testSif, primaryPartition(sif.objects)!)).toEqual(readFileSync(join(fx.dir, 'rootfs.squashfs')));
  });

  it('finds no inspect-metadata descriptor in no-meta.sif; bare.sif has arm64 and no def file', async () => {
    const noMeta = await readSif(fx.noMetaSif);
    expect(findInspectMetadata(noMeta.objects)).toBeUndefined();
    expect(findDefFile(noMeta.objects)?.id).toBe(1);
    const bare = await readSif(fx.bareSif);
    expect(findDefFile(bare.objects)).toBeUndefined();
    expect(bare.arch).toBe('arm64');
    expect(toSifFacts(bare)).toEqual(JSON.parse(JSON.stringify(toSifFacts(bare))));
    expect(Object.keys(toSifFacts(bare)).sort()).toEqual(['arch', 'created', 'descriptors', 'modified', 'ociSif', 'partitions', 'signatures', 'uuid', 'version']);
  });

  it('rejects a bad magic, a bad version and non-SIF files with SifFormatError', async () => {
    const badMagic = patchedCopy(fx.testSif, join(scratch, 'bad-magic.sif'), [{ at: 0x20, bytes: Buffer.from('X') }]);
    await expect(readSif(badMagic)).rejects.toThrow(new SifFormatError('not a SIF file: bad magic'));
    const badVersion = patchedCopy(fx.testSif, join(scratch, 'bad-version.sif'), [{ at: 0x2a, bytes: Buffer.from('02') }]);
    await expect(readSif(badVersion)).rejects.toThrow(/unsupported SIF version "02"/);
    await expect(readSif(fx.rawSimg)).rejects.toBeInstanceOf(SifFormatError);
    await expect(readSif(fx.defFile)).rejects.toThrow('not a SIF file: bad magic');
  });

  it('rejects descriptor tables and objects that point past the end of the file', async () => {
    const size = statSync(fx.testSif).size;
    const cases: Array<[string, number, bigint, RegExp]> = [
      ['table-past-eof', 0x60, BigInt(size), /^truncated SIF: descriptor table ends past end of file$/],
      ['huge-count', 0x58, 1n << 40n, /^corrupt SIF: \d+ descriptors$/],
      ['negative-offset', 0x60, -1n, /^corrupt SIF: bad descriptor table offset$/],
      ['data-past-eof', 0x78, BigInt(size), /^truncated SIF: data ends past end of file$/],
      ['object-past-eof', 4096 + 2 * SIF_DESCRIPTOR_SIZE + 17, BigInt(size), /^truncated SIF: object 3 ends past end of file$/],
      ['object-huge-size', 4096 + 25, 1n << 62n, /^corrupt SIF: bad descriptor 1 size$/],
    ];
    for (const [name, at, value, message] of cases) {
      const file = patchedCopy(fx.testSif, join(scratch, `${name}.sif`), [{ at, bytes: u64(value) }]);
      const err = await readSif(file).then(() => undefined, (e: unknown) => e);
      expect(err, name).toBeInstanceOf(SifFormatError);
      expect(err, name).toBeInstanceOf(IntegrityError);
      expect((err as Error).message, name).toMatch(message);
    }
  });

  it('rejects every truncation of a built SIF and of busybox_amd64.sif with SifFormatError', async () => {
    const sources = [fx.testSif, ...(haveSamples ? [join(samplesDir, 'busybox_amd64.sif')] : [])];
    for (const src of sources) {
      const size = statSync(src).size;
      const lengths = new Set([0, 1, 31, 32, 33, 41, 42, 44, 100, 127, 128, 129, 4096, 4096 + 585, 4096 + 584, 32175, 32176, 32177, size - 1, size - 4096, size - 4097]);
      // Every header and descriptor boundary region densely, the data region at ~250 evenly spread cuts.
      for (let n = 0; n < 32_768; n += 97) lengths.add(n);
      for (let n = 32_768; n < size; n += Math.max(97, Math.floor(size / 250))) lengths.add(n);
      for (const n of [...lengths].filter((x) => x >= 0 && x < size)) {
        const file = truncatedCopy(src, join(scratch, 'cut.sif'), n);
        const err = await readSif(file).then(() => undefined, (e: unknown) => e);
        expect(err, `${src} cut at ${n}`).toBeInstanceOf(SifFormatError);
        expect((err as Error).message, `${src} cut at ${n}`).toMatch(/^(not a SIF file|truncated SIF): /);
      }
    }
  });

  it('says no such file for a missing path', async () => {
    await expect(readSif(join(scratch, 'nope.sif'))).rejects.toBeInstanceOf(NotFoundError);
  });
});
