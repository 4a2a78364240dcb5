// The metadata chain of describeImage: embedded inspect-metadata.json → `singularity inspect` (here a
// stand-in script, since no singularity package exists on this system) → unsquashfs → header facts.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/core/errors.js';
import { describeImage, sniff } from '../../src/services/metadata/index.js';
import { INSPECT_FLAGS, parseInspectJson } from '../../src/services/metadata/inspect.js';
import { SifFormatError } from '../../src/services/metadata/sif.js';
import { parseListing } from '../../src/services/metadata/squashfs.js';
import { buildFixtures, missingTools, patchedCopy, samplesDir, truncatedCopy, type BuiltFixtures } from '../helpers/build-sif.js';

const missing = missingTools();
const busybox = join(samplesDir, 'busybox_amd64.sif');
const haveBusybox = existsSync(busybox);
if (!haveBusybox) console.warn(`metadata.test: ${busybox} is missing; busybox checks skipped`);

// Tab-indented, keys sorted: the exact shape of `singularity inspect --json` (contracts/sif.md §4).
const STANDIN_JSON = '{\\n\\t"data": {\\n\\t\\t"attributes": {\\n\\t\\t\\t"labels": {\\n\\t\\t\\t\\t"org.example.maintainer": "stand-in",\\n\\t\\t\\t\\t"org.example.version": "9.9.9"\\n\\t\\t\\t},\\n\\t\\t\\t"runscript": "#!/bin/sh\\\\necho stand-in"\\n\\t\\t}\\n\\t},\\n\\t"type": "container"\\n}\\n';

describe.skipIf(missing.length > 0)('describeImage', () => {
  let fx: BuiltFixtures;
  let work: string;
  let unsquashfsOnly: string; // a PATH folder holding only unsquashfs
  let embedded: Record<string, unknown>; // attributes of the fixture's inspect-metadata.json

  /** A folder with an executable stand-in script of that name; returns the folder. */
  function standIn(folder: string, name: string, body: string): string {
    const dir = join(work, folder);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), `#!/bin/sh\n# Stand-in for ${name} in tests: not the real program.\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
    return dir;
  }
  const recording = (args: string) => `printf '%s\\n' "$@" > "${args}"\nprintf 'WARNING: stand-in speaking on stderr\\n' >&2\nprintf '${STANDIN_JSON}'`;

  beforeAll(() => {
    fx = buildFixtures();
    work = mkdtempSync(join(tmpdir(), 'sreg-meta-'));
    unsquashfsOnly = join(work, 'unsquashfs-only');
    mkdirSync(unsquashfsOnly);
    symlinkSync(execFileSync('sh', ['-c', 'command -v unsquashfs'], { encoding: 'utf8' }).trim(), join(unsquashfsOnly, 'unsquashfs'));
    embedded = JSON.parse(readFileSync(fx.inspectMetadata, 'utf8')).data.attributes;
  });
  afterAll(() => {
    fx?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe.skipIf(!haveBusybox)('a real SingularityCE 3.8.1 build (busybox_amd64.sif)', () => {
    it('takes everything from the inspect-metadata.json descriptor and runs no tool', async () => {
      const { metrics, warnings } = await describeImage(busybox, { env: { PATH: join(work, 'empty') } });
      expect(warnings).toEqual([]);
      expect(metrics).toMatchObject({ type: 'container', format: 'sif', source: 'sif-descriptor' });
      const a = metrics.data.attributes;
      expect(a.deffile).toBe('BootStrap: docker\nFrom: busybox:1.33.1');
      expect(a.startscript).toBe('#!/bin/sh');
      expect(a.runscript).toMatch(/^#!\/bin\/sh\nOCI_ENTRYPOINT=''\n[\s\S]*exec "\$@"$/);
      expect(a.runscript).toContain('[ -z "$OCI_CMD" ] && [ -n "$OCI_ENTRYPOINT" ]'); // \u0026 decoded
      expect(Object.keys(a.environment ?? {})).toEqual(['/.singularity.d/env/10-docker2singularity.sh', '/.singularity.d/env/90-environment.sh']);
      expect(metrics.sif).toMatchObject({ arch: 'amd64', ociSif: false, uuid: '4f307b4c-58a8-4753-9c0f-21dceefed4a6' });
      expect(metrics.sif?.signatures).toHaveLength(1);
      expect(JSON.parse(JSON.stringify(metrics))).toEqual(metrics);
    });

    it('gives the labels stored in the partition (unsquashfs) and the same ones via the unsquashfs step', async () => {
      const fromPartition = JSON.parse(execFileSync('unsquashfs', ['-o', '45056', '-cat', busybox, '.singularity.d/labels.json'], { encoding: 'utf8' }));
      const { metrics } = await describeImage(busybox);
      expect(metrics.data.attributes.labels).toEqual(fromPartition);
      expect(metrics.data.attributes.labels?.['org.label-schema.usage.singularity.version']).toBe('3.8.1');
      // Without the descriptor the chain falls to unsquashfs; cut the descriptor's name to hide it.
      const hidden = patchedCopy(busybox, join(work, 'busybox-nometa.sif'), [{ at: 4096 + 585 + 73, bytes: Buffer.from('x') }]);
      const viaSquashfs = await describeImage(hidden, { env: { PATH: unsquashfsOnly } });
      expect(viaSquashfs.metrics.source).toBe('unsquashfs');
      expect(viaSquashfs.metrics.data.attributes.labels).toEqual(fromPartition);
      expect(viaSquashfs.metrics.data.attributes.environment).toEqual((await describeImage(busybox)).metrics.data.attributes.environment);
    });
  });

  it('reads the built test.sif from its descriptor exactly as jq wrote it', async () => {
    const { metrics, warnings } = await describeImage(fx.testSif, { env: { PATH: unsquashfsOnly } });
    expect(warnings).toEqual([]);
    expect(metrics.source).toBe('sif-descriptor');
    expect(metrics.data.attributes).toEqual(embedded);
    expect(metrics.data.attributes.labels?.['org.example.note']).toBe('a & b <c>');
  });

  it('reads a SIF without the descriptor with unsquashfs: the same attributes, symlinks followed, other env files left out', async () => {
    const { metrics, warnings } = await describeImage(fx.noMetaSif, { env: { PATH: unsquashfsOnly } });
    expect(metrics.source).toBe('unsquashfs');
    expect(metrics.data.attributes).toEqual(embedded);
    expect(metrics.data.attributes.test).toBe('#!/bin/sh\n\n/bin/hello --test'); // .singularity.d/test -> tests/test.sh
    expect(metrics.data.attributes.helpfile).toBe('    Prints a greeting.'); // -> ../usr/share/doc/hello/help.txt
    expect(warnings).toEqual(['no singularity or apptainer on PATH; inspect skipped']);
  });

  it('takes the def file from .singularity.d/Singularity when the SIF has no Def.FILE', async () => {
    const { metrics } = await describeImage(fx.bareSif, { env: { PATH: unsquashfsOnly } });
    expect(metrics.source).toBe('unsquashfs');
    expect(metrics.data.attributes.deffile).toBe(readFileSync(fx.defFile, 'utf8').trimEnd());
    expect(metrics.sif?.arch).toBe('arm64');
  });

  it('falls to header facts, with warnings, when no tool is available', async () => {
    const env = { PATH: join(work, 'empty') };
    const bare = await describeImage(fx.bareSif, { env });
    expect(bare.metrics.source).toBe('header');
    expect(bare.metrics.data.attributes).toEqual({});
    expect(bare.metrics.sif?.partitions).toHaveLength(1);
    expect(bare.warnings).toEqual(['no singularity or apptainer on PATH; inspect skipped', 'no unsquashfs on PATH; squashfs metadata skipped']);
    const noMeta = await describeImage(fx.noMetaSif, { env });
    expect(noMeta.metrics.source).toBe('sif-descriptor'); // the Def.FILE descriptor still gives the def file
    expect(noMeta.metrics.data.attributes).toEqual({ deffile: embedded.deffile });
    const native = await describeImage(fx.noMetaSif, { nativeOnly: true });
    expect(native.warnings).toEqual([]);
    expect(native.metrics.data.attributes).toEqual({ deffile: embedded.deffile });
  });

  it('does not run unsquashfs on an Ext3 primary partition', async () => {
    const { metrics, warnings } = await describeImage(fx.ext3PartSif, { env: { PATH: unsquashfsOnly } });
    expect(warnings).toContain('primary partition is Ext3; squashfs metadata skipped');
    expect(metrics.data.attributes.labels).toBeUndefined();
    expect(metrics.sif?.partitions[0]?.fstype).toBe('Ext3');
  });

  describe('legacy and foreign files', () => {
    it('reads labels from a raw squashfs image and from one behind a run-singularity launch line', async () => {
      for (const [file, offset] of [[fx.rawSimg, 0], [fx.legacySimg, 31]] as const) {
        expect(sniff(readFileSync(file))).toEqual({ format: 'squashfs', offset });
        const { metrics, warnings } = await describeImage(file, { env: { PATH: unsquashfsOnly } });
        expect(metrics).toMatchObject({ format: 'squashfs', source: 'unsquashfs' });
        expect(metrics.sif).toBeUndefined();
        expect(metrics.data.attributes.labels).toEqual(embedded.labels);
        expect(warnings[0]).toBe('not a SIF file: legacy squashfs image; metadata limited');
      }
    });

    it('recognises ext3 images, and says unknown for anything else', async () => {
      const ext3 = await describeImage(fx.fakeExt3, { env: { PATH: unsquashfsOnly } });
      expect(ext3.metrics).toMatchObject({ format: 'ext3', source: 'header' });
      expect(ext3.warnings[0]).toBe('not a SIF file: legacy ext3 image; metadata limited');
      const legacyExt3 = join(work, 'legacy-ext3.img');
      writeFileSync(legacyExt3, Buffer.concat([Buffer.from('#!/usr/bin/env run-singularity\n'), readFileSync(fx.fakeExt3)]));
      expect((await describeImage(legacyExt3, { nativeOnly: true })).metrics.format).toBe('ext3');
      for (const file of [fx.defFile, patchedCopy(fx.testSif, join(work, 'bad-magic.sif'), [{ at: 0x20, bytes: Buffer.from('X') }])]) {
        const r = await describeImage(file);
        expect(r.metrics.format).toBe('unknown');
        expect(r.warnings).toEqual(['not a Singularity image: no SIF, squashfs or ext3 header']);
      }
    });

    it('throws SifFormatError for truncated SIFs and NotFoundError for missing files', async () => {
      for (const n of [100, 5000, 33_000, 40_000]) {
        await expect(describeImage(truncatedCopy(fx.testSif, join(work, 'cut.sif'), n))).rejects.toBeInstanceOf(SifFormatError);
      }
      await expect(describeImage(join(work, 'missing.sif'))).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('the inspect step, with a stand-in singularity', () => {
    it('uses singularity inspect --json when the descriptor is absent and unsquashfs is hidden', async () => {
      const args = join(work, 'args-1.txt');
      const dir = standIn('standin-ok', 'singularity', recording(args));
      const { metrics, warnings } = await describeImage(fx.noMetaSif, { env: { PATH: dir } });
      expect(warnings).toEqual([]);
      expect(metrics.source).toBe('inspect');
      expect(metrics.data.attributes).toEqual({
        labels: { 'org.example.maintainer': 'stand-in', 'org.example.version': '9.9.9' },
        runscript: '#!/bin/sh\necho stand-in',
        deffile: embedded.deffile, // inspect gave none: the Def.FILE descriptor fills it
      });
      expect(readFileSync(args, 'utf8').split('\n').filter(Boolean)).toEqual(['inspect', '--json', ...INSPECT_FLAGS, fx.noMetaSif]);
    });

    it('does not run inspect when the descriptor is present', async () => {
      const args = join(work, 'args-2.txt');
      const dir = standIn('standin-unused', 'singularity', recording(args));
      expect((await describeImage(fx.testSif, { env: { PATH: dir } })).metrics.source).toBe('sif-descriptor');
      expect(existsSync(args)).toBe(false);
    });

    it('prefers SREG_SINGULARITY, and finds apptainer when singularity is absent', async () => {
      const argsA = join(work, 'args-3.txt');
      const apptainer = standIn('standin-apptainer', 'apptainer', recording(argsA));
      expect((await describeImage(fx.bareSif, { env: { PATH: `${apptainer}:${unsquashfsOnly}` } })).metrics.source).toBe('inspect');
      expect(existsSync(argsA)).toBe(true);
      const argsB = join(work, 'args-4.txt');
      const other = standIn('standin-named', 'my-singularity', recording(argsB));
      const r = await describeImage(fx.bareSif, { env: { PATH: unsquashfsOnly, SREG_SINGULARITY: join(other, 'my-singularity') } });
      expect(r.metrics.source).toBe('inspect');
      expect(existsSync(argsB)).toBe(true);
    });

    it('skips a failing, silent, slow or missing binary with a warning and goes on to unsquashfs', async () => {
      const failing = standIn('standin-fail', 'singularity', `printf 'FATAL:   could not open image %s\\n' "$9" >&2\nexit 255`);
      const garbage = standIn('standin-garbage', 'singularity', `printf 'not json\\n'`);
      const slow = standIn('standin-slow', 'singularity', 'exec /bin/sleep 5');
      const cases: Array<[NodeJS.ProcessEnv, RegExp]> = [
        [{ PATH: `${failing}:${unsquashfsOnly}` }, /^singularity inspect failed: exit 255: FATAL: {3}could not open image /],
        [{ PATH: `${garbage}:${unsquashfsOnly}` }, /^singularity inspect printed no inspect JSON$/],
        [{ PATH: `${slow}:${unsquashfsOnly}` }, /^singularity inspect failed: timed out after 300 ms$/],
        [{ PATH: unsquashfsOnly, SREG_SINGULARITY: '/nonexistent/apptainer' }, /^SREG_SINGULARITY=\/nonexistent\/apptainer is not an executable; inspect skipped$/],
      ];
      for (const [env, warning] of cases) {
        const started = Date.now();
        const { metrics, warnings } = await describeImage(fx.noMetaSif, { env, timeoutMs: 300 });
        expect(Date.now() - started).toBeLessThan(4000);
        expect(metrics.source, String(warning)).toBe('unsquashfs');
        expect(metrics.data.attributes.labels).toEqual(embedded.labels);
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(warning);
      }
    });
  });
});

describe('parsers', () => {
  it('parseInspectJson keeps well-typed attributes and reads the old string environment', () => {
    expect(parseInspectJson('WARNING: x\n{"data":{"attributes":{"labels":{"a":"1","n":2,"z":null},"runscript":"","test":"t","environment":"export A=1"}},"type":"container"}')).toEqual({
      labels: { a: '1', n: '2' },
      test: 't',
      environment: { '/.singularity.d/env/90-environment.sh': 'export A=1' },
    });
    expect(parseInspectJson('')).toBeUndefined();
    expect(parseInspectJson('{"data":{}}')).toBeUndefined();
    expect(parseInspectJson('{"data":{"attributes":')).toBeUndefined();
  });

  it('parseListing reads unsquashfs -lls lines, symlinks included', () => {
    const listing = [
      'drwxr-xr-x root/root                97 1970-01-01 00:00 squashfs-root',
      '-rw-r--r-- root/root               319 1970-01-01 00:00 squashfs-root/.singularity.d/labels.json',
      'lrwxrwxrwx root/root                13 1970-01-01 00:00 squashfs-root/.singularity.d/test -> tests/test.sh',
      'crw-r--r-- 0/0                     1,3 1970-01-01 00:00 squashfs-root/dev/null',
    ].join('\n');
    expect([...parseListing(listing)]).toEqual([
      ['.singularity.d/labels.json', { kind: '-' }],
      ['.singularity.d/test', { kind: 'l', target: 'tests/test.sh' }],
      ['dev/null', { kind: 'c' }],
    ]);
  });

  it('sniff tells SIF, squashfs, ext3 and unknown apart from the first bytes', () => {
    const sif = Buffer.alloc(128);
    sif.write('SIF_MAGIC\0', 0x20, 'latin1');
    expect(sniff(sif)).toEqual({ format: 'sif' });
    const sq = Buffer.alloc(96);
    sq.write('hsqs', 0, 'latin1');
    sq.writeUInt16LE(4, 28);
    expect(sniff(sq)).toEqual({ format: 'squashfs', offset: 0 });
    sq.writeUInt16LE(3, 28);
    expect(sniff(sq)).toEqual({ format: 'unknown' }); // squashfs 3.x: not a Singularity image
    expect(sniff(Buffer.from('#!/bin/sh\necho hsqs\n'))).toEqual({ format: 'unknown' });
    expect(sniff(Buffer.alloc(0))).toEqual({ format: 'unknown' });
  });
});
