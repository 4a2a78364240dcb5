// Test helper: builds the fixture images of test/fixtures/build-sif.sh into a fresh folder under
// os.tmpdir(), and makes corrupted copies of SIF files. Nothing generated is committed.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const samplesDir = resolve(repoRoot, '../shared/sif-samples');
const script = join(repoRoot, 'test/fixtures/build-sif.sh');

export interface BuiltFixtures {
  dir: string;
  testSif: string;
  noMetaSif: string;
  bareSif: string;
  ext3PartSif: string;
  rawSimg: string;
  legacySimg: string;
  fakeExt3: string;
  rootfs: string;
  defFile: string;
  inspectMetadata: string;
  cleanup(): void;
}

/** The tools the fixture script needs; tests that build images skip when one is missing. */
export function missingTools(): string[] {
  return ['siftool', 'mksquashfs', 'unsquashfs', 'jq'].filter((t) => {
    try {
      execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
}

export function buildFixtures(): BuiltFixtures {
  const dir = mkdtempSync(join(tmpdir(), 'sreg-sif-'));
  execFileSync('sh', [script, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  const p = (f: string) => join(dir, f);
  return {
    dir,
    testSif: p('test.sif'),
    noMetaSif: p('no-meta.sif'),
    bareSif: p('bare.sif'),
    ext3PartSif: p('ext3-part.sif'),
    rawSimg: p('raw.simg'),
    legacySimg: p('legacy.simg'),
    fakeExt3: p('fake-ext3.img'),
    rootfs: p('rootfs'),
    defFile: p('Singularity.def'),
    inspectMetadata: p('inspect-metadata.json'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A copy of src cut to `length` bytes. */
export function truncatedCopy(src: string, dest: string, length: number): string {
  writeFileSync(dest, readFileSync(src).subarray(0, length));
  return dest;
}

/** A copy of src with bytes overwritten at the given offsets. */
export function patchedCopy(src: string, dest: string, patches: Array<{ at: number; bytes: Buffer }>): string {
  copyFileSync(src, dest);
  const buf = readFileSync(dest);
  for (const { at, bytes } of patches) bytes.copy(buf, at);
  writeFileSync(dest, buf);
  return dest;
}

export function u64(value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(value);
  return b;
}
