// `sreg login --app-key / --client-id`: your own Dropbox app or Globus client, kept in settings.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runCli, tempEnv, type TempEnv, runAnswering } from '../helpers/env.js';

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
  const env = { ...t.env, SREG_SANDBOX_DIR: join(t.dir, 'sandbox') };
  for (const backend of ['dropbox', 'globus']) {
    const { code, stdout: out, stderr: err } = await runAnswering(['--sandbox', 'login', backend], env, (o) => /Sandbox: the code to paste is (\S+)/.exec(o.stderr)?.[1]);
    expect(code, err).toBe(0);
    expect(out).toMatch(new RegExp(`logged in to ${backend === 'dropbox' ? 'Dropbox' : 'Globus'} as `));
  }
  const status = await runCli(['--sandbox', 'backend', 'status', '--json'], env);
  expect(JSON.parse(status.stdout).backends.map((b: { status: { loggedIn: boolean } }) => b.status.loggedIn)).toEqual([true, true]);
});
