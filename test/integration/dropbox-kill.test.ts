// A `sreg pull` killed with SIGKILL in the middle of a (throttled) download leaves no library row and
// no file under a real name; running it again completes and clears the dead process's temp file.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDropboxSandbox, type DropboxSandbox } from '../../src/sandbox/dropbox.js';
import { BIN, runCli, tempEnv, type TempEnv } from '../helpers/env.js';
import { hashes, leftovers, makeImage, MIB } from './dropbox-harness.js';

let sb: DropboxSandbox;
let t: TempEnv;
let env: Record<string, string>;
beforeAll(async () => {
  sb = await startDropboxSandbox();
  t = tempEnv('sreg-dbx-kill-');
  env = { ...t.env, SREG_DROPBOX_URL: sb.url, SREGISTRY_DROPBOX_TOKEN: sb.issueToken({ refresh: false }).accessToken };
});
afterAll(async () => {
  await sb.close();
  t.cleanup();
});

const images = async () => JSON.parse((await runCli(['images', '--json'], env)).stdout) as Array<{ uri: string; version: string }>;

function imageFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.sif') && statSync(join(dir, f)).isFile());
}

it('pull killed with SIGKILL mid-download leaves no row; running it again completes', async () => {
  const file = makeImage(t.dir, 'src.sif', 24 * MIB);
  const { sha256 } = await hashes(file);
  await sb.seed('/k/img:1.sif', file);
  sb.faults.add({ route: 'files/download', kind: 'throttle', bytesPerSecond: 4 * MIB });

  const child = spawn(process.execPath, [BIN, 'pull', 'dropbox://k/img:1'], { env: { PATH: process.env.PATH!, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no progress seen: ${stderr}`)), 20_000);
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/#\d+ [1-9]0%/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.kill('SIGKILL');
  expect(await closed).toBe('SIGKILL');

  expect(await images()).toEqual([]);
  expect(imageFiles(t.env.SREGISTRY_STORAGE)).toEqual([]);
  expect(leftovers(t.env.SREGISTRY_STORAGE)).toHaveLength(1); // the dead process's partial download

  sb.faults.clear();
  const again = await runCli(['pull', 'dropbox://k/img:1'], env);
  expect(again.code, again.stderr).toBe(0);
  expect(again.stdout).toMatch(/^Success! /m);
  const rows = await images();
  expect(rows).toHaveLength(1);
  expect(rows[0]!.version).toBe(sha256);
  expect(leftovers(t.env.SREGISTRY_STORAGE)).toEqual([]);
});
