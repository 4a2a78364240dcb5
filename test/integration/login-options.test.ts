// `sreg login --app-key / --client-id`: your own Dropbox app or Globus client, kept in settings.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runCli, tempEnv, type TempEnv } from '../helpers/env.js';

let t: TempEnv;
beforeEach(() => (t = tempEnv()));
afterEach(() => t.cleanup());
const settings = () => JSON.parse(readFileSync(join(t.env.XDG_CONFIG_HOME, 'sreg/settings.json'), 'utf8'));

it('uses and saves the Dropbox app key and the Globus client id given on the command line', async () => {
  const dbx = await runCli(['login', 'dropbox', '--app-key', 'myappkey'], t.env, { input: '' });
  expect(dbx.code).toBe(2); // no code was pasted
  expect(dbx.stdout).toMatch(/^https:\/\/www\.dropbox\.com\/oauth2\/authorize\?client_id=myappkey&/m);
  expect(settings().dropboxAppKey).toBe('myappkey');

  const globus = await runCli(['login', 'globus', '--client-id', '11111111-2222-3333-4444-555555555555'], t.env, { input: '' });
  expect(globus.stdout).toMatch(/client_id=11111111-2222-3333-4444-555555555555/);
  expect(settings().globusClientId).toBe('11111111-2222-3333-4444-555555555555');

  const wrong = await runCli(['login', 'globus', '--app-key', 'x'], t.env);
  expect(wrong).toMatchObject({ code: 2, stderr: 'sreg: --app-key is for dropbox\n' });
});

it('in sandbox mode every backend says which code the fake would show, and that code logs in', async () => {
  const { spawn } = await import('node:child_process');
  const { BIN } = await import('../helpers/env.js');
  const env = { ...t.env, SREG_SANDBOX_DIR: join(t.dir, 'sandbox') };
  for (const backend of ['dropbox', 'globus']) {
    const child = spawn(process.execPath, [BIN, '--sandbox', 'login', backend], { env: { PATH: process.env.PATH ?? '', ...env } });
    let err = '';
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      err += d;
      const m = /Sandbox: the code to paste is (\S+)/.exec(err);
      if (m && !child.stdin.writableEnded) child.stdin.end(m[1] + '\n');
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code, err).toBe(0);
    expect(out).toMatch(new RegExp(`logged in to ${backend === 'dropbox' ? 'Dropbox' : 'Globus'} as `));
  }
  const status = await runCli(['--sandbox', 'backend', 'status', '--json'], env);
  expect(JSON.parse(status.stdout).backends.map((b: { status: { loggedIn: boolean } }) => b.status.loggedIn)).toEqual([true, true]);
});
