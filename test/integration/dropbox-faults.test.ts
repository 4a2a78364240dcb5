// Injected faults during push and pull: each ends in a completed, verified image or a failed job with a
// clear reason; a failed pull never leaves a library row or a temp file.
import { closeSync, openSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../src/sandbox/dropbox.js';
import type { TransferJob } from '../../src/services/transfers/types.js';
import { hashes, leftovers, makeImage, MIB, pull, push, world, type World } from './dropbox-harness.js';

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

type Fault = Omit<FaultRule, 'route'>;

const RECOVERABLE: Array<[string, Fault]> = [
  ['500', { kind: 'status', status: 500, nth: 2 }],
  ['503 with Retry-After', { kind: 'status', status: 503, retryAfter: 1, nth: 2 }],
  ['429 with Retry-After', { kind: 'status', status: 429, retryAfter: 1, nth: 2 }],
  ['reset mid-body', { kind: 'reset', afterBytes: 1 * MIB + 17, nth: 2 }],
  ['truncated response', { kind: 'truncate', afterBytes: 5, nth: 2 }],
  ['lost response', { kind: 'lose-response', nth: 2 }],
  ['throttle', { kind: 'throttle', bytesPerSecond: 24 * MIB, times: 100 }],
];

/** Pushing after a fault must leave the remote with the local bytes, or fail saying why. */
async function checkPush(job: TransferJob, w: World, remote: string, contentHash: string): Promise<void> {
  if (job.state === 'done') {
    const plan = await (await w.s.backend('dropbox')).planPull(remote, {});
    expect(plan.options?.contentHash).toBe(contentHash);
  } else {
    expect(job.state).toBe('failed');
    expect(job.reason).toMatch(/\w/);
  }
}

describe('faults during push', () => {
  // Upload sessions of 4 MiB pieces (file above the lowered single-upload limit) and a single upload.
  const setups = [
    { label: 'session', route: 'files/upload_session/append_v2', size: 18 * MIB + 3 },
    { label: 'single', route: 'files/upload', size: 3 * MIB + 3 },
  ];
  for (const setup of setups) {
    it.each(RECOVERABLE)(`${setup.label} upload survives %s`, async (_label, fault) => {
      w = await world({ env: { SREG_DROPBOX_CHUNK_MIB: '4', SREG_DROPBOX_SINGLE_LIMIT_MIB: '8' } });
      const file = makeImage(w.t.dir, 'p.sif', setup.size);
      const { contentHash } = await hashes(file);
      // nth 2: the second request of the route (for a single upload, the first one; it has no second).
      const rule = { ...fault, route: setup.route, nth: setup.label === 'single' && fault.nth ? 1 : fault.nth } as FaultRule;
      const id = w.sb.faults.add(rule);
      const job = await push(w, file, 'f/p:1', 'dropbox://f/p:1.sif');
      expect(w.sb.faults.firedCount(id)).toBeGreaterThan(0);
      expect(job.state, job.reason ?? '').toBe('done');
      await checkPush(job, w, 'dropbox://f/p:1', contentHash);
    });
  }

  it('gives up after bounded retries of a persistent 500, with the reason', async () => {
    w = await world();
    const file = makeImage(w.t.dir, 'p.sif', MIB);
    w.sb.faults.add({ route: 'files/upload', kind: 'status', status: 500, times: 100 });
    const started = Date.now();
    const job = await push(w, file, 'f/p:1', 'dropbox://f/p:1.sif');
    expect(job.state).toBe('failed');
    expect(job.reason).toMatch(/Dropbox upload failed with HTTP 500 after retries/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('fails with "log in again" when a pasted token expires (no refresh token)', async () => {
    w = await world();
    const file = makeImage(w.t.dir, 'p.sif', MIB);
    w.sb.faults.add({ route: 'files/upload', kind: 'expire-token' });
    const job = await push(w, file, 'f/p:1', 'dropbox://f/p:1.sif');
    expect(job.state).toBe('failed');
    expect(job.reason).toMatch(/log in again: sreg login dropbox/);
  });
});

describe('faults during pull', () => {
  const SIZE = 12 * MIB + 7;

  async function seeded(): Promise<{ w: World; sha256: string }> {
    const wd = await world();
    const file = makeImage(wd.t.dir, 'src.sif', SIZE);
    await wd.sb.seed('/f/p:1.sif', file);
    return { w: wd, sha256: (await hashes(file)).sha256 };
  }

  function checkPull(job: TransferJob, w: World, sha256: string): void {
    const row = w.s.library.find('f/p:1');
    if (job.state === 'done') {
      expect(row?.version).toBe(sha256);
    } else {
      expect(job.state).toBe('failed');
      expect(job.reason).toMatch(/\w/);
      expect(row).toBeUndefined();
    }
    expect(leftovers(w.env.SREGISTRY_STORAGE)).toEqual([]);
  }

  it.each(RECOVERABLE)('download survives %s', async (_label, fault) => {
    const { w: wd, sha256 } = await seeded();
    w = wd;
    const id = w.sb.faults.add({ ...fault, route: 'files/download', nth: fault.nth ? 1 : undefined } as FaultRule);
    const job = await pull(w, 'dropbox://f/p:1');
    expect(w.sb.faults.firedCount(id)).toBeGreaterThan(0);
    expect(job.state, job.reason ?? '').toBe('done');
    checkPull(job, w, sha256);
  });

  it('keeps resuming while every attempt moves bytes, beyond the retry budget', async () => {
    const { w: wd, sha256 } = await seeded();
    w = wd;
    w.sb.faults.add({ route: 'files/download', kind: 'reset', afterBytes: MIB, times: 100 });
    const job = await pull(w, 'dropbox://f/p:1');
    expect(job.state, job.reason ?? '').toBe('done');
    checkPull(job, w, sha256);
    expect(w.sb.requests.filter((r) => r.path === '/2/files/download').length).toBe(13);
  });

  it('resumes with Range after the connection drops, more than once', async () => {
    const { w: wd, sha256 } = await seeded();
    w = wd;
    w.sb.faults.add({ route: 'files/download', kind: 'reset', afterBytes: 3 * MIB, times: 3 });
    const job = await pull(w, 'dropbox://f/p:1');
    expect(job.state, job.reason ?? '').toBe('done');
    checkPull(job, w, sha256);
    const downloads = w.sb.requests.filter((r) => r.path === '/2/files/download');
    expect(downloads.length).toBe(4);
  });

  it('checks content_hash when a download was stitched from several responses: bad bytes never reach the library', async () => {
    const { w: wd } = await seeded();
    w = wd;
    // Bytes that no longer match Dropbox's content_hash (as if a resume went to the wrong offset).
    const blobs = join(w.sb.dataDir, 'blobs');
    const blob = join(blobs, readdirSync(blobs)[0]!);
    const fd = openSync(blob, 'r+');
    writeSync(fd, Buffer.from('corrupt'), 0, 7, 6 * MIB);
    closeSync(fd);
    w.sb.faults.add({ route: 'files/download', kind: 'reset', afterBytes: 2 * MIB });
    const job = await pull(w, 'dropbox://f/p:1');
    expect(job.state).toBe('failed');
    expect(job.reason).toMatch(/corrupt after resuming \(content_hash/);
    expect(w.s.library.find('f/p:1')).toBeUndefined();
    expect(leftovers(w.env.SREGISTRY_STORAGE)).toEqual([]);
  });

  it.each<[string, Fault]>([
    ['a persistent 500', { kind: 'status', status: 500, times: 100 }],
    ['a connection that always drops before any byte', { kind: 'reset', afterBytes: 0, times: 100 }],
    ['a Retry-After longer than we wait', { kind: 'status', status: 429, retryAfter: 100_000, times: 100 }],
  ])('fails cleanly on %s: no row, no temp file', async (_label, fault) => {
    const { w: wd, sha256 } = await seeded();
    w = wd;
    w.sb.faults.add({ ...fault, route: 'files/download' } as FaultRule);
    const job = await pull(w, 'dropbox://f/p:1');
    expect(job.state).toBe('failed');
    expect(job.reason).toMatch(/Dropbox|connection/);
    checkPull(job, w, sha256);
  });

  it('fails with a clear line when the file is gone', async () => {
    const { w: wd } = await seeded();
    w = wd;
    await expect(pull(w, 'dropbox://f/nothing:here')).rejects.toThrow('not found on Dropbox: /f/nothing:here.sif');
  });
});
