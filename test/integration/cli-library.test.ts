// The library commands through the real binary: round trips, and every kind of bad input gets one
// clear line, the right exit code, and changes nothing.
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, sample, tempEnv, type TempEnv, expectOneLine } from '../helpers/env.js';

let t: TempEnv;
beforeEach(() => (t = tempEnv()));
afterEach(() => t.cleanup());

const sreg = (args: string[], env: Record<string, string> = t.env, input?: string) => runCli(args, env, { input });

const oneLine = expectOneLine;

async function snapshot(): Promise<string> {
  const r = await sreg(['images', '--json']);
  return r.stdout + JSON.stringify(existsSync(t.env.SREGISTRY_STORAGE) ? readdirSync(t.env.SREGISTRY_STORAGE, { recursive: true }).sort() : []);
}

describe('library commands', () => {
  it('add, images, inspect, get, labels, mv, rename, rm', async () => {
    const file = sample('busybox_amd64.sif', t.dir);
    const add = await sreg(['add', file, '--name', 'lab/busybox:1.33', '--copy']);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/^added lab\/busybox:1\.33@[0-9a-f]{64}/);

    const list = JSON.parse((await sreg(['images', '--json'])).stdout);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ collection: 'lab', name: 'busybox', tag: '1.33', client: 'local', size: 792293 });
    expect((await sreg(['images'])).stdout).toMatch(/lab\s+busybox\s+1\.33\s+774 KiB/);

    const path = (await sreg(['get', 'lab/busybox:1.33'])).stdout.trim();
    expect(path).toBe(list[0].image);
    expect(existsSync(path)).toBe(true);

    const inspect = await sreg(['inspect', 'lab/busybox:1.33']);
    expect(inspect.stdout).toMatch(/== labels ==/);
    expect(inspect.stdout).toMatch(/== runscript ==/);
    const inspectJson = JSON.parse((await sreg(['inspect', 'lab/busybox:1.33', '--json'])).stdout);
    expect(inspectJson.metrics.sif.arch).toBe('amd64');

    const labels = JSON.parse((await sreg(['labels', '--key', 'schema-version', '--json'])).stdout);
    expect(labels).toEqual([{ uri: 'lab/busybox:1.33', key: 'org.label-schema.schema-version', value: '1.0' }]);

    const dest = join(t.dir, 'moved');
    mkdirSync(dest);
    const mv = await sreg(['mv', 'lab/busybox:1.33', dest]);
    expect(mv.code, mv.stderr).toBe(0);
    expect(mv.stdout.trim().startsWith(dest)).toBe(true);

    const rename = await sreg(['rename', 'lab/busybox:1.33', 'other/bb:new']);
    expect(rename.code, rename.stderr).toBe(0);
    expect((await sreg(['get', 'other/bb:new'])).code).toBe(0);

    const refused = await sreg(['rm', 'other/bb:new']); // no terminal, no --force
    oneLine(refused, 2, /add --force/);
    expect((await sreg(['get', 'other/bb:new'])).code).toBe(0);

    const rm = await sreg(['rm', 'other/bb:new', '--force']);
    expect(rm.code, rm.stderr).toBe(0);
    expect(JSON.parse((await sreg(['images', '--json'])).stdout)).toEqual([]);
  });

  it('a reader that closes the pipe early is not an error (sreg ... | head)', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('sh', ['-c', `'${process.execPath}' bin/sreg.js pull --help | head -1; echo "rc=\${PIPESTATUS:-0}"`], {
      cwd: join(import.meta.dirname, '../..'), env: { ...process.env, ...t.env }, encoding: 'utf8',
    });
    expect(r.stdout).toMatch(/^Usage: sreg pull/);
    expect(r.stderr).toBe('');
  });

  it('prints the version without loading the TUI', async () => {
    const r = await sreg(['--version']);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('without a terminal and without a command, prints a hint and exits 2 with no escape codes', async () => {
    const r = await sreg([]);
    oneLine(r, 2, /needs a terminal/);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/\u001b/);
  });
});

describe('bad input: one line, right exit code, nothing changed', () => {
  beforeEach(async () => {
    expect((await sreg(['add', sample('one-group.sif', t.dir), '--name', 'keep/me'])).code).toBe(0);
  });

  it.each([
    [['get', 'no/such:image'], 1, /no image no\/such:image/],
    [['inspect', 'no/such'], 1, /no image/],
    [['rm', 'no/such', '--force'], 1, /no image/],
    [['mv', 'no/such', '/tmp'], 1, /no image/],
    [['rename', 'no/such', 'x/y'], 1, /no image/],
    [['add', '/definitely/missing.sif', '--name', 'x/y'], 1, /no such file/],
    [['add', '/tmp', '--name', 'x/y'], 2, /not a regular file/],
    [['get', '../etc/passwd'], 2, /not allowed/],
    [['add', '/etc/hostname', '--name', '/abs'], 2, /absolute/],
    [['rename', 'keep/me', 'bad name'], 2, /bad name/],
    [['add', 'x.sif'], 2, /--name/],
    [['images', '--bogus'], 2, /unknown option/],
    [['frobnicate'], 2, /unknown command/],
  ])('sreg %j', async (args, code, pattern) => {
    const before = await snapshot();
    oneLine(await sreg(args as string[]), code as number, pattern as RegExp);
    expect(await snapshot()).toBe(before);
  });

  it('a file that is not an image', async () => {
    const junk = join(t.dir, 'junk.sif');
    writeFileSync(junk, 'hello\n'.repeat(1000));
    const before = await snapshot();
    oneLine(await sreg(['add', junk, '--name', 'x/junk']), 1, /not a Singularity image/);
    expect(await snapshot()).toBe(before);
    expect(existsSync(junk)).toBe(true);
  });

  it('an existing name without --force', async () => {
    const before = await snapshot();
    oneLine(await sreg(['add', sample('two-groups.sif', t.dir), '--name', 'keep/me']), 1, /exists already.*--force/);
    expect(await snapshot()).toBe(before);
  });

  it('a missing database folder named by SREGISTRY_DATABASE', async () => {
    const env = { ...t.env, SREGISTRY_DATABASE: join(t.dir, 'nope') };
    oneLine(await sreg(['images'], env), 1, /does not exist \(SREGISTRY_DATABASE\)/);
    expect(existsSync(join(t.dir, 'nope'))).toBe(false);
  });

  // Permission checks mean nothing to root, so run those as `nobody` when we are root.
  const asNobody = process.getuid?.() === 0;

  it('an unreadable file and a read-only library', async () => {
    const secret = sample('one-group.sif', t.dir, 'secret.sif');
    chmodSync(secret, 0o000);
    if (asNobody) {
      const { spawnSync } = await import('node:child_process');
      chmodSync(t.dir, 0o755);
      const run = (args: string[]) => {
        const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(import.meta.dirname, '../../bin/sreg.js'), ...args], {
          env: { PATH: process.env.PATH!, ...t.env, HOME: '/nonexistent', XDG_STATE_HOME: join(t.dir, 'nobody-state') },
          encoding: 'utf8',
        });
        return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
      };
      const db = t.env.SREGISTRY_DATABASE;
      const { execFileSync } = await import('node:child_process');
      execFileSync('chmod', ['-R', 'a+rwX', db]);
      oneLine(run(['add', secret, '--name', 'x/secret']), 1, /permission denied/);
      execFileSync('chmod', ['-R', 'go-w', db]);
      oneLine(run(['add', sample('one-group.sif', t.dir, 'ok.sif'), '--name', 'x/ok', '--copy']), 1, /read-only/);
    } else {
      oneLine(await sreg(['add', secret, '--name', 'x/secret']), 1, /permission denied/);
      chmodSync(t.env.SREGISTRY_DATABASE, 0o555);
      oneLine(await sreg(['add', sample('one-group.sif', t.dir, 'ok.sif'), '--name', 'x/ok', '--copy']), 1, /read-only/);
      chmodSync(t.env.SREGISTRY_DATABASE, 0o755);
    }
    expect(JSON.parse((await sreg(['images', '--json'])).stdout).map((r: { name: string }) => r.name)).toEqual(['me']);
  });
});
