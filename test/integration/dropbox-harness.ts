// Shared set-up for the Dropbox backend tests: a sandbox server, a throw-away library, images made
// from a real SIF extended to any size (sparse), and helpers to run transfer jobs to the end.
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, createReadStream, existsSync, openSync, readdirSync, truncateSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { dropboxContentHash, DropboxContentHasher } from '../../src/core/hash.js';
import { startDropboxSandbox } from '../../src/sandbox/dropbox.js';
import type { DropboxSandbox, DropboxSandboxOptions } from '../../src/sandbox/dropbox.js';
import { openServices, type Services } from '../../src/services/index.js';
import { TEMP_PREFIX } from '../../src/services/library/storage.js';
import type { NewTransfer, TransferJob } from '../../src/services/transfers/types.js';
import { SAMPLES, tempEnv, type TempEnv } from '../helpers/env.js';

export const MIB = 1024 * 1024;
export { dropboxContentHash };

export interface World {
  sb: DropboxSandbox;
  t: TempEnv;
  env: Record<string, string>;
  s: Services;
  close(): Promise<void>;
}

/** A sandbox, a library, and services whose Dropbox backend talks to the sandbox with a token. */
export async function world(options: { sandbox?: DropboxSandboxOptions; env?: Record<string, string>; token?: boolean } = {}): Promise<World> {
  const sb = await startDropboxSandbox(options.sandbox);
  const t = tempEnv('sreg-dbx-');
  const env: Record<string, string> = { ...t.env, SREG_DROPBOX_URL: sb.url, SREG_RETRY_BASE_MS: '20', ...options.env };
  if (options.token !== false) env.SREGISTRY_DROPBOX_TOKEN = sb.issueToken({ refresh: false }).accessToken;
  // log() writes under the process's XDG_STATE_HOME: keep it out of the real home.
  process.env.XDG_STATE_HOME = env.XDG_STATE_HOME;
  const s = await openServices({ env });
  return {
    sb,
    t,
    env,
    s,
    async close() {
      await s.close();
      await sb.close();
      t.cleanup();
    },
  };
}

/** busybox SIF extended to `size` bytes (sparse), with a random tail so each image is unique. */
export function makeImage(dir: string, name: string, size: number): string {
  const file = join(dir, name);
  copyFileSync(join(SAMPLES, 'busybox_amd64.sif'), file);
  truncateSync(file, size);
  const fd = openSync(file, 'r+');
  writeSync(fd, randomBytes(32), 0, 32, size - 32);
  closeSync(fd);
  return file;
}

export async function hashes(file: string): Promise<{ sha256: string; contentHash: string }> {
  const sha = createHash('sha256');
  const content = new DropboxContentHasher();
  for await (const c of createReadStream(file, { highWaterMark: 4 * MIB })) {
    sha.update(c as Buffer);
    content.update(c as Buffer);
  }
  return { sha256: sha.digest('hex'), contentHash: content.digest() };
}

/** Enqueues a job and waits for it to end. */
export async function run(s: Services, spec: NewTransfer): Promise<TransferJob> {
  const job = s.queue.enqueue(spec);
  return s.queue.wait(job.id);
}

/** Adds a file to the library and pushes it to `remote` (a dropbox:// file location). */
export async function push(w: World, file: string, name: string, remote: string): Promise<TransferJob> {
  const lib = w.s.library;
  const { image } = await lib.addFile(file, (await import('../../src/core/uri.js')).parseImageName(name), { copy: true, force: true });
  return run(w.s, { kind: 'push', backend: 'dropbox', source: image.uri, destination: remote, imageName: name });
}

export async function pull(w: World, remote: string, as?: string, force = false): Promise<TransferJob> {
  const backend = await w.s.backend('dropbox');
  const plan = await backend.planPull(remote, { name: as });
  return run(w.s, { kind: 'pull', backend: 'dropbox', source: plan.source, destination: plan.imageName, imageName: plan.imageName, bytesTotal: plan.bytesTotal, options: { ...plan.options, force } });
}

/** Temp files an import left in the storage folder. */
export function leftovers(storage: string): string[] {
  return existsSync(storage) ? readdirSync(storage).filter((n) => n.startsWith(TEMP_PREFIX)) : [];
}

export function routes(sb: DropboxSandbox, name: string): number {
  return sb.requests.filter((r) => r.path === `/2/${name}` || r.path === `/${name}`).length;
}
