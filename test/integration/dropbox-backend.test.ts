// The Dropbox backend against the sandbox server: transfers under and over the 150 MiB single-upload
// limit with content_hash equality, paging, search, share, delete, PKCE login and refresh.
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DropboxBackend } from '../../src/services/backends/dropbox/index.js';
import { hashes, leftovers, makeImage, MIB, pull, push, routes, world, type World } from './dropbox-harness.js';

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

async function remoteHash(w: World, remote: string): Promise<string | undefined> {
  const plan = await (await w.s.backend('dropbox')).planPull(remote, {});
  return plan.options?.contentHash as string | undefined;
}

describe('dropbox transfers', () => {
  it('pushes and pulls a small image with one upload; hashes match on both sides', async () => {
    w = await world();
    const file = makeImage(w.t.dir, 'small.sif', 3 * MIB + 123);
    const local = await hashes(file);
    const pushed = await push(w, file, 'pusheen/asaurus:blue', 'dropbox://pusheen/asaurus:blue.sif');
    expect(pushed.state, pushed.reason ?? '').toBe('done');
    expect(routes(w.sb, 'files/upload')).toBe(1);
    expect(routes(w.sb, 'files/upload_session/start')).toBe(0);
    expect(await remoteHash(w, 'dropbox://pusheen/asaurus:blue')).toBe(local.contentHash);

    const pulled = await pull(w, 'dropbox://pusheen/asaurus:blue', 'copy/asaurus:blue');
    expect(pulled.state, pulled.reason ?? '').toBe('done');
    const img = w.s.library.get('copy/asaurus:blue');
    expect(img.client).toBe('dropbox');
    expect(img.version).toBe(local.sha256);
    expect((await hashes(img.image!)).sha256).toBe(local.sha256);
    expect(leftovers(w.env.SREGISTRY_STORAGE)).toEqual([]);
  });

  it('pushes and pulls a 160 MiB image through an upload session and a streamed download', async () => {
    w = await world();
    const file = makeImage(w.t.dir, 'big.sif', 160 * MIB + 5);
    const local = await hashes(file);
    const pushed = await push(w, file, 'big/image:v1', 'dropbox://big/image:v1.sif');
    expect(pushed.state, pushed.reason ?? '').toBe('done');
    expect(routes(w.sb, 'files/upload')).toBe(0);
    expect(routes(w.sb, 'files/upload_session/start')).toBe(1);
    expect(routes(w.sb, 'files/upload_session/finish')).toBe(1);
    expect(await remoteHash(w, 'dropbox://big/image:v1')).toBe(local.contentHash);

    const pulled = await pull(w, 'dropbox://big/image:v1', 'back/image:v1');
    expect(pulled.state, pulled.reason ?? '').toBe('done');
    expect(pulled.bytesDone).toBe(160 * MIB + 5);
    expect(w.s.library.get('back/image:v1').version).toBe(local.sha256);
  });

  it('refuses to pull over a library image without force, and replaces it with force', async () => {
    w = await world();
    const file = makeImage(w.t.dir, 'a.sif', MIB);
    await push(w, file, 'c/n:t', 'dropbox://c/n:t.sif');
    const again = await pull(w, 'dropbox://c/n:t');
    expect(again.state).toBe('failed');
    expect(again.reason).toMatch(/Image exists!.*--force/);
    const forced = await pull(w, 'dropbox://c/n:t', undefined, true);
    expect(forced.state, forced.reason ?? '').toBe('done');
    expect(w.s.library.list('c/n:t')).toHaveLength(1);
  });
});

describe('dropbox browsing', () => {
  it('lists a folder over several pages, searches, shares twice and deletes', async () => {
    w = await world({ sandbox: { pageSize: 3 } });
    for (let i = 0; i < 7; i++) await w.sb.seed(`/pusheen/asaurus:t${i}.sif`, Buffer.from(`image ${i}`));
    await w.sb.seed('/vsoch/hello-world:tacos.sif', Buffer.from('hello'));
    await w.sb.seed('/vsoch/notes.txt', Buffer.from('not an image'));
    const b = (await w.s.backend('dropbox')) as DropboxBackend;

    const root = await b.list('');
    expect(root.entries.map((e) => e.name)).toEqual(['pusheen', 'vsoch']);
    expect(root.parent).toBeUndefined();
    const folder = await b.list(root.entries[0]!.location);
    expect(folder.entries).toHaveLength(7);
    expect(folder.entries.every((e) => e.isImage && e.kind === 'file')).toBe(true);
    expect(folder.parent).toBe('dropbox://');
    expect(routes(w.sb, 'files/list_folder/continue')).toBeGreaterThanOrEqual(2);

    const all = await b.search('');
    expect(all.filter((h) => h.kind === 'collection').map((h) => h.title)).toEqual(['pusheen', 'vsoch']);
    expect(all.filter((h) => h.kind === 'image')).toHaveLength(8);
    const green = await b.search('TACOS');
    expect(green.map((h) => h.title)).toEqual(['vsoch/hello-world:tacos']);

    const first = await b.share('dropbox://vsoch/hello-world:tacos');
    const second = await b.share('dropbox://vsoch/hello-world:tacos');
    expect(first).toMatch(/^https:\/\//);
    expect(second).toBe(first);

    await b.remove('dropbox://vsoch/hello-world:tacos');
    await expect(b.planPull('dropbox://vsoch/hello-world:tacos', {})).rejects.toThrow(/not found on Dropbox/);
    await expect(b.remove('dropbox://vsoch/hello-world:tacos')).rejects.toThrow(/not found on Dropbox/);
    await expect(b.list('dropbox://vsoch/notes.txt')).rejects.toThrow(/not a folder on Dropbox/);
  });
});

describe('dropbox login', () => {
  it('logs in by PKCE, stores the refresh token, refreshes mid-transfer once, and logs out', async () => {
    w = await world({ token: false, env: { SREG_DROPBOX_APP_KEY: 'sreg-test-app', SREG_DROPBOX_CHUNK_MIB: '4' }, sandbox: { appKey: 'sreg-test-app' } });
    const b = await w.s.backend('dropbox');
    expect((await b.status()).loggedIn).toBe(false);
    const flow = b.login();
    const start = await flow.start();
    const url = new URL(start.url!);
    expect(url.pathname).toBe('/oauth2/authorize');
    expect(url.searchParams.get('token_access_type')).toBe('offline');
    const code = w.sb.approveAuthorization(url.searchParams.get('code_challenge')!);
    const { who } = await flow.finish(code);
    expect(who).toBeTruthy();
    const saved = w.s.secrets.get<{ refreshToken?: string; accessToken?: string }>('dropbox');
    expect(saved?.refreshToken).toBeTruthy();
    expect((await b.status()).loggedIn).toBe(true);

    // Every token dies while an upload session is under way: one refresh, then the upload goes on.
    const file = makeImage(w.t.dir, 'r.sif', 155 * MIB);
    const local = await hashes(file);
    let expired = false;
    w.s.queue.on('progress', (j) => {
      if (!expired && j.bytesDone > 40 * MIB) {
        expired = true;
        w!.sb.expireAllTokens();
      }
    });
    const job = await push(w, file, 'r/r:1', 'dropbox://r/r:1.sif');
    expect(job.state, job.reason ?? '').toBe('done');
    expect(expired).toBe(true);
    expect(routes(w.sb, 'oauth2/token')).toBe(2); // the code exchange and one refresh
    const after = w.s.secrets.get<{ accessToken?: string }>('dropbox');
    expect(after?.accessToken).not.toBe(saved?.accessToken);
    expect(await remoteHash(w, 'dropbox://r/r:1')).toBe(local.contentHash);

    // Concurrent calls after another expiry share one refresh.
    w.sb.expireAllTokens();
    await Promise.all([b.list(''), b.list(''), b.list('')]);
    expect(routes(w.sb, 'oauth2/token')).toBe(3);

    await b.logout();
    expect(w.s.secrets.get('dropbox')).toBeUndefined();
    expect(routes(w.sb, 'auth/token/revoke')).toBe(1);
    await expect(b.list('')).rejects.toThrow(/sreg login dropbox/);
    expect(existsSync(w.env.SREGISTRY_STORAGE)).toBe(true);
  });
});
