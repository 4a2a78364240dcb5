// Several processes on one library: concurrent writers, and an import killed halfway.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, REPO, sample, tempEnv, type TempEnv } from '../helpers/env.js';

let t: TempEnv;
beforeEach(() => (t = tempEnv()));
afterEach(() => t.cleanup());

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('library shared by processes', () => {
  it('two processes adding 100 images each end with 200 rows and no error', async () => {
    const src = sample('one-group.sif', t.dir);
    const dbFile = join(t.env.SREGISTRY_DATABASE, 'sregistry.db');
    const script = join(REPO, 'test/fixtures/add-many.mjs');
    const [a, b] = await Promise.all([
      run([script, dbFile, t.env.SREGISTRY_STORAGE, src, 'alpha', '100']),
      run([script, dbFile, t.env.SREGISTRY_STORAGE, src, 'beta', '100']),
    ]);
    expect(a).toEqual({ code: 0, stderr: '' });
    expect(b).toEqual({ code: 0, stderr: '' });
    const db = new Database(dbFile, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM container').get()).toEqual({ n: 200 });
    expect(db.prepare('SELECT count(*) AS n FROM collection').get()).toEqual({ n: 2 });
    const images = db.prepare('SELECT image FROM container').all() as Array<{ image: string }>;
    db.close();
    for (const { image } of images) expect(existsSync(image)).toBe(true);
  });

  it('an import killed mid-copy leaves no row and no file under a real name; the next add cleans up', async () => {
    // A SIF with 400 MiB of padding after it, so the copy takes long enough to be killed mid-way.
    const big = sample('busybox_amd64.sif', t.dir, 'big.sif');
    const fd = openSync(big, 'r+');
    ftruncateSync(fd, 400 * 1024 * 1024);
    writeSync(fd, Buffer.alloc(1 << 20, 7), 0, 1 << 20, 200 * 1024 * 1024); // make it not all-sparse
    closeSync(fd);
    const child = spawn(process.execPath, [BIN, 'add', big, '--name', 'c/big', '--copy'], { env: { ...process.env, ...t.env }, stdio: 'ignore' });
    const storage = t.env.SREGISTRY_STORAGE;
    const deadline = Date.now() + 20_000;
    let killedMidway = false;
    while (Date.now() < deadline) {
      const temps = existsSync(storage) ? readdirSync(storage).filter((n) => n.startsWith('.sreg-tmp-')) : [];
      if (temps.length > 0 && statSync(join(storage, temps[0]!)).size > 1 << 20) {
        child.kill('SIGKILL');
        killedMidway = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => child.on('close', r));
    expect(killedMidway).toBe(true);
    const real = readdirSync(storage, { recursive: true }).map(String).filter((n) => !n.startsWith('.sreg-tmp-'));
    expect(real).toEqual([]);
    const db = new Database(join(t.env.SREGISTRY_DATABASE, 'sregistry.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM container').get()).toEqual({ n: 0 });
    db.close();
    // The next import sweeps the dead process's temp file and succeeds.
    const again = await run([BIN, 'add', sample('one-group.sif', t.dir), '--name', 'c/small'], t.env);
    expect(again.code).toBe(0);
    expect(readdirSync(storage).filter((n) => n.startsWith('.sreg-tmp-'))).toEqual([]);
  });
});
