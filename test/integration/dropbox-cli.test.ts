// The remote commands through the real binary against the sandbox: the seed's push/pull/search/share
// stories, scriptable login, backend selection, tasks, and one clear line for each kind of bad input.
// Needs the build (npm test runs it first).
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDropboxSandbox, type DropboxSandbox } from '../../src/sandbox/dropbox.js';
import { runCli, tempEnv, type TempEnv, expectOneLine, runAnswering, printedUrl } from '../helpers/env.js';
import { makeImage, MIB } from './dropbox-harness.js';

let sb: DropboxSandbox;
let t: TempEnv;
let env: Record<string, string>;
beforeAll(async () => {
  sb = await startDropboxSandbox({ appKey: 'cli-app' });
  t = tempEnv('sreg-dbx-cli-');
  env = { ...t.env, SREG_DROPBOX_URL: sb.url, SREGISTRY_DROPBOX_TOKEN: sb.issueToken({ refresh: false }).accessToken, SREG_RETRY_BASE_MS: '20' };
});
afterAll(async () => {
  await sb.close();
  t.cleanup();
});

const sreg = (args: string[], extra: Record<string, string | undefined> = {}, input?: string) =>
  runCli(args, Object.fromEntries(Object.entries({ ...env, ...extra }).filter(([, v]) => v !== undefined)) as Record<string, string>, { input });

const oneLine = expectOneLine;

const downloads = () => sb.requests.filter((r) => r.path === '/2/files/download').length;

describe('sreg push/pull/search/share/delete with Dropbox', () => {
  it('push of a file not in the library adds it under the target name, then uploads', async () => {
    const file = makeImage(t.dir, 'library-busybox-latest.simg', 2 * MIB);
    const r = await sreg(['push', '--name', 'dropbox://pusheen/asaurus:blue', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[container\]\[new\] pusheen\/asaurus:blue/);
    expect(r.stdout).toMatch(/pushed to dropbox:\/\/pusheen\/asaurus:blue\.sif/);
    expect(existsSync(file)).toBe(true); // copied, not moved
    const images = JSON.parse((await sreg(['images', '--json'])).stdout);
    expect(images.map((i: { uri: string }) => i.uri.split('@')[0])).toEqual(['pusheen/asaurus:blue']);
  });

  it('push by library name with SREGISTRY_CLIENT, search, share twice', async () => {
    const r = await sreg(['push', '--name', 'pusheen/asaurus:pink', 'pusheen/asaurus:blue'], { SREGISTRY_CLIENT: 'dropbox' });
    expect(r.code, r.stderr).toBe(0);
    const all = await sreg(['search', 'dropbox://']);
    expect(all.stdout).toMatch(/Collections\n1\s+pusheen/);
    expect(all.stdout).toMatch(/pusheen\/asaurus:blue/);
    expect(all.stdout).toMatch(/pusheen\/asaurus:pink/);
    const pink = JSON.parse((await sreg(['search', 'pink', '--json'], { SREGISTRY_CLIENT: 'dropbox' })).stdout);
    expect(pink.map((h: { title: string }) => h.title)).toEqual(['pusheen/asaurus:pink']);
    const a = await sreg(['share', 'dropbox://pusheen/asaurus:pink']);
    const b = await sreg(['share', 'dropbox://pusheen/asaurus:pink']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout.trim()).toMatch(/^https:\/\/\S+$/);
    expect(b.stdout).toBe(a.stdout);
  });

  it('pull, "Image exists!" without --force (nothing downloaded), --force replaces', async () => {
    const first = await sreg(['pull', '--name', 'lab/asaurus:pink', 'dropbox://pusheen/asaurus:pink']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Success! \/.*\.sif$/m);
    const before = downloads();
    const again = await sreg(['pull', '--name', 'lab/asaurus:pink', 'dropbox://pusheen/asaurus:pink']);
    oneLine(again, 1, /Image exists!.*--force/);
    expect(downloads()).toBe(before);
    const forced = await sreg(['pull', '--force', '--name', 'lab/asaurus:pink', 'dropbox://pusheen/asaurus:pink']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(/\[container\]\[update\] lab\/asaurus:pink/);
    const tasks = JSON.parse((await sreg(['tasks', '--json'])).stdout);
    expect(tasks.filter((j: { state: string }) => j.state === 'done').length).toBeGreaterThanOrEqual(4);
  });

  it('delete asks, refuses without a terminal, deletes with --force', async () => {
    oneLine(await sreg(['delete', 'dropbox://pusheen/asaurus:pink']), 2, /refusing without a terminal.*--force/);
    const r = await sreg(['delete', '--force', 'dropbox://pusheen/asaurus:pink']);
    expect(r.code, r.stderr).toBe(0);
    oneLine(await sreg(['pull', 'dropbox://pusheen/asaurus:pink']), 1, /not found on Dropbox: \/pusheen\/asaurus:pink\.sif/);
  });
});

describe('login, logout and backends', () => {
  it('logs in by PKCE with stdin not a terminal: URL on its own line, code read from stdin', async () => {
    const { code, stdout, stderr } = await runAnswering(['login', 'dropbox'], { ...env, SREGISTRY_DROPBOX_TOKEN: '', SREG_DROPBOX_APP_KEY: 'cli-app' }, (o) => {
      const url = printedUrl(o.stdout);
      return url && sb.approveAuthorization(new URL(url).searchParams.get('code_challenge')!, { appKey: 'cli-app' });
    });
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^logged in to Dropbox as /m);
    const status = await sreg(['backend', 'status'], { SREGISTRY_DROPBOX_TOKEN: undefined });
    expect(status.stdout).toMatch(/dropbox: logged in as .*refreshes automatically/);
    const out = await sreg(['logout', 'dropbox'], { SREGISTRY_DROPBOX_TOKEN: undefined });
    expect(out.code, out.stderr).toBe(0);
    expect((await sreg(['backend', 'status'], { SREGISTRY_DROPBOX_TOKEN: undefined })).stdout).toMatch(/dropbox: not logged in/);
  });

  it('logs in with a pasted token read from stdin', async () => {
    const token = sb.issueToken({ refresh: false }).accessToken;
    const r = await sreg(['login', 'dropbox', '--token'], { SREGISTRY_DROPBOX_TOKEN: undefined }, token + '\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/logged in to Dropbox as/);
    const bad = await sreg(['login', 'dropbox', '--token'], { SREGISTRY_DROPBOX_TOKEN: undefined }, 'not-a-token\n');
    expect(bad.code).toBe(1);
    expect(bad.stderr.trimEnd().split('\n').at(-1)).toMatch(/^sreg: Dropbox refused this token/);
  });

  it('activates a backend; SREGISTRY_CLIENT overrides it; a scheme-less URI follows it', async () => {
    const fresh = tempEnv('sreg-dbx-cli2-');
    const e = { ...fresh.env, SREG_DROPBOX_URL: sb.url, SREGISTRY_DROPBOX_TOKEN: env.SREGISTRY_DROPBOX_TOKEN! };
    try {
      oneLine(await runCli(['search', 'pusheen'], e), 2, /no backend for "pusheen".*sreg backend activate/);
      oneLine(await runCli(['search'], e), 2, /^sreg: which backend\? none is active: write it as dropbox:\/\/… or globus:\/\/…/);
      const act = await runCli(['backend', 'activate', 'dropbox'], e);
      expect(act.stdout).toBe('[activate] dropbox\n');
      expect((await runCli(['backend', 'list'], e)).stdout).toMatch(/^\* dropbox$/m);
      expect((await runCli(['search', 'blue'], e)).stdout).toMatch(/pusheen\/asaurus:blue/);
      const st = await runCli(['backend', 'status'], { ...e, SREGISTRY_CLIENT: 'globus' });
      expect(st.stdout).toMatch(/active: globus/);
      expect(st.stdout).toMatch(/SREGISTRY_CLIENT=globus overrides the activated backend \(dropbox\)/);
    } finally {
      fresh.cleanup();
    }
  });
});

describe('bad input: one line, exit code, nothing changed', () => {
  const cases: Array<[string, string[], number, RegExp]> = [
    ['push without --name', ['push', 'x.sif'], 2, /required option '--name <uri>'/],
    ['push of a missing file', ['push', '--name', 'dropbox://a/b:c', '/nope/x.sif'], 1, /no such file or library image/],
    ['push to an unknown scheme', ['push', '--name', 'ftp://a/b:c', 'x.sif'], 2, /unknown backend "ftp:\/\/"/],
    ['pull with a bad name', ['pull', 'dropbox://a/../b'], 2, /not allowed|bad|valid/],
    ['pull with an @version', ['pull', 'dropbox://a/b:c@123'], 2, /drop "@123"/],
    ['pull --name with a scheme', ['pull', '--name', 'dropbox://x/y:z', 'dropbox://pusheen/asaurus:blue'], 2, /--name is a library name/],
    ['search with both query and --endpoint', ['search', 'x', '--endpoint', 'abc'], 2, /either a query or --endpoint/],
    ['share of a missing image', ['share', 'dropbox://no/such:image'], 1, /not found on Dropbox/],
    ['login to an unknown backend', ['login', 'nope'], 2, /unknown backend "nope"/],
    ['backend with an unknown action', ['backend', 'explode'], 2, /unknown action "explode"/],
    ['backend activate without a name', ['backend', 'activate'], 2, /which backend/],
    ['tasks --cancel with a bad id', ['tasks', '--cancel', 'abc'], 2, /not a transfer id/],
    ['tasks --retry of a missing job', ['tasks', '--retry', '999'], 1, /no transfer 999/],
    ['pull with an expired token', ['pull', 'dropbox://pusheen/asaurus:blue'], 1, /log in again: sreg login dropbox/],
  ];
  it.each(cases)('%s', async (_label, args, code, pattern) => {
    const extra = _label.includes('expired') ? { SREGISTRY_DROPBOX_TOKEN: 'sl.expired-or-bogus-token-value' } : {};
    const before = readdirSync(t.env.SREGISTRY_STORAGE, { recursive: true }).sort();
    oneLine(await sreg(args, extra), code, pattern);
    expect(readdirSync(t.env.SREGISTRY_STORAGE, { recursive: true }).sort()).toEqual(before);
  });
});
