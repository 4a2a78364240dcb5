// The Dropbox sandbox itself, over raw HTTP: route shapes, errors by status, paging, Range, upload
// sessions and offsets, faults and OAuth PKCE (contracts/dropbox.md).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Dropbox, DropboxAuth } from 'dropbox';
import nodeFetch from 'node-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropboxContentHash } from '../../src/core/hash.js';
import { startDropboxSandbox, type DropboxSandbox } from '../../src/sandbox/dropbox.js';

const MiB = 1024 * 1024;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const APP_KEY = 'sregtestappkey1';

let sb: DropboxSandbox;
let token: string;

interface Res {
  status: number;
  type: string | null;
  headers: Headers;
  body: any;
  text: string;
}

async function wrap(r: Response): Promise<Res> {
  const text = await r.text();
  const type = r.headers.get('content-type');
  let body: any = text;
  if (type === 'application/json') body = JSON.parse(text);
  return { status: r.status, type, headers: r.headers, body, text };
}

/** The header JSON the SDKs send: non-ASCII escaped. */
function argHeader(arg: unknown): string {
  return JSON.stringify(arg).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function rpc(route: string, arg: unknown, opts: { token?: string; headers?: Record<string, string> } = {}) {
  return fetch(`${sb.url}/2/${route}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${opts.token ?? token}`, 'Content-Type': 'application/json', ...opts.headers },
    body: arg === undefined ? undefined : JSON.stringify(arg),
  }).then(wrap);
}

function up(route: string, arg: unknown, bytes: Uint8Array, headers: Record<string, string> = {}) {
  return fetch(`${sb.url}/2/${route}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/octet-stream',
      'Dropbox-API-Arg': argHeader(arg),
      ...headers,
    },
    body: bytes as BodyInit,
  }).then(wrap);
}

function down(arg: unknown, headers: Record<string, string> = {}) {
  return fetch(`${sb.url}/2/files/download`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Dropbox-API-Arg': argHeader(arg), ...headers },
  });
}

const upload = (path: string, bytes: Uint8Array, extra: Record<string, unknown> = {}) =>
  up('files/upload', { path, mode: 'add', autorename: false, mute: false, strict_conflict: false, ...extra }, bytes);

function b64url(buf: Buffer): string {
  return buf.toString('base64url');
}

beforeAll(async () => {
  sb = await startDropboxSandbox({ appKey: APP_KEY });
  token = sb.issueToken().accessToken;
});

afterAll(async () => {
  await sb.close();
});

describe('users and auth', () => {
  it('get_current_account accepts no body (JS SDK) and a null body (Python SDK)', async () => {
    const bare = await fetch(`${sb.url}/2/users/get_current_account`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    }).then(wrap);
    expect(bare.status).toBe(200);
    expect(bare.type).toBe('application/json');
    expect(bare.body.account_id).toHaveLength(40);
    expect(bare.body.root_info['.tag']).toBe('user');
    const nul = await rpc('users/get_current_account', null);
    expect(nul.status).toBe(200);
    expect(nul.body.account_id).toBe(bare.body.account_id);
    expect(bare.headers.get('x-dropbox-request-id')).toMatch(/^[0-9a-f]+$/);
  });

  it('answers 400 text without a token, 401 JSON for unknown and expired ones, missing_scope', async () => {
    const none = await fetch(`${sb.url}/2/users/get_current_account`, { method: 'POST' }).then(wrap);
    expect(none.status).toBe(400);
    expect(none.type).toMatch(/^text\/plain/);
    expect(none.text).toContain('Error in call to API function "users/get_current_account"');
    const unknown = await rpc('users/get_current_account', null, { token: 'sl.nope' });
    expect(unknown.status).toBe(401);
    expect(unknown.type).toBe('application/json');
    expect(unknown.body.error['.tag']).toBe('invalid_access_token');
    const short = sb.issueToken({ ttlSeconds: 0 });
    const expired = await rpc('users/get_current_account', null, { token: short.accessToken });
    expect(expired.body.error['.tag']).toBe('expired_access_token');
    expect(expired.body.error_summary).toMatch(/^expired_access_token\/\.+$/);
    const narrow = sb.issueToken({ scope: ['account_info.read'] });
    const denied = await rpc('files/list_folder', { path: '' }, { token: narrow.accessToken });
    expect(denied.status).toBe(401);
    expect(denied.body.error).toEqual({ '.tag': 'missing_scope', required_scope: 'files.metadata.read' });
  });

  it('expireAllTokens expires access tokens but not refresh tokens', async () => {
    const t = sb.issueToken();
    sb.expireAllTokens();
    const r = await rpc('users/get_current_account', null, { token: t.accessToken });
    expect(r.body.error['.tag']).toBe('expired_access_token');
    const refreshed = await fetch(
      `${sb.url}/oauth2/token?grant_type=refresh_token&refresh_token=${t.refreshToken}&client_id=${APP_KEY}`,
      { method: 'POST', headers: { 'Content-Type': 'application/json' } },
    ).then(wrap);
    expect(refreshed.status).toBe(200);
    token = refreshed.body.access_token;
    expect((await rpc('users/get_current_account', null)).status).toBe(200);
  });

  it('rejects RPC with a wrong Content-Type or bad JSON as 400 text', async () => {
    const wrongType = await rpc('files/list_folder', { path: '' }, { headers: { 'Content-Type': 'text/plain' } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.text).toContain('Bad HTTP "Content-Type" header: "text/plain"');
    const badJson = await fetch(`${sb.url}/2/files/list_folder`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{nope',
    }).then(wrap);
    expect(badJson.status).toBe(400);
    expect(badJson.text).toContain('could not decode input as JSON');
    const unknownField = await rpc('files/get_metadata', { path: '/x', bogus: 1 });
    expect(unknownField.status).toBe(400);
    expect(unknownField.text).toContain("unknown field 'bogus'");
  });
});

describe('files/upload', () => {
  it('returns FileMetadata without .tag, with a real content_hash', async () => {
    const bytes = Buffer.from('hello');
    const r = await upload('/Up/Hello.txt', bytes, { client_modified: '2024-05-01T12:00:00Z' });
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/json');
    expect(r.body['.tag']).toBeUndefined();
    expect(r.body).toMatchObject({
      name: 'Hello.txt',
      path_lower: '/up/hello.txt',
      path_display: '/Up/Hello.txt',
      size: 5,
      client_modified: '2024-05-01T12:00:00Z',
      is_downloadable: true,
      content_hash: '9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50',
    });
    expect(r.body.id).toMatch(/^id:/);
    expect(r.body.rev).toMatch(/^[0-9a-f]{9,}$/);
    expect(r.body.server_modified).toMatch(TIMESTAMP);
  });

  it('rejects a client_modified with milliseconds (400 text) and a bad path pattern', async () => {
    const r = await upload('/Up/ms.txt', Buffer.from('x'), { client_modified: new Date().toISOString() });
    expect(r.status).toBe(400);
    expect(r.type).toMatch(/^text\/plain/);
    expect(r.text).toMatch(/client_modified: time data '.*' does not match format '%Y-%m-%dT%H:%M:%SZ'/);
    const bad = await upload('relative.txt', Buffer.from('x'));
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('did not match pattern');
    const wrongType = await up('files/upload', { path: '/Up/t.txt' }, Buffer.from('x'), { 'Content-Type': 'application/json' });
    expect(wrongType.status).toBe(400);
  });

  it('follows add/overwrite/update/autorename/strict_conflict rules', async () => {
    const first = await upload('/Modes/a.sif', Buffer.from('one'));
    expect(first.status).toBe(200);
    const same = await upload('/MODES/A.sif', Buffer.from('one'));
    expect(same.status).toBe(200);
    expect(same.body.rev).toBe(first.body.rev);
    const strict = await upload('/Modes/a.sif', Buffer.from('one'), { strict_conflict: true });
    expect(strict.status).toBe(409);
    const conflict = await upload('/Modes/a.sif', Buffer.from('two'));
    expect(conflict.status).toBe(409);
    expect(conflict.body.error['.tag']).toBe('path');
    expect(conflict.body.error.reason).toEqual({ '.tag': 'conflict', conflict: { '.tag': 'file' } });
    expect(conflict.body.error.upload_session_id).toMatch(/^pid_upload_session:/);
    expect(conflict.body.error_summary).toMatch(/^path\/conflict\/file\/\.+$/);
    const renamed = await upload('/Modes/a.sif', Buffer.from('two'), { autorename: true });
    expect(renamed.body.name).toBe('a (1).sif');
    const over = await upload('/Modes/a.sif', Buffer.from('three'), { mode: 'overwrite' });
    expect(over.status).toBe(200);
    expect(over.body.id).toBe(first.body.id);
    expect(over.body.rev).not.toBe(first.body.rev);
    const stale = await upload('/Modes/a.sif', Buffer.from('four'), { mode: { '.tag': 'update', update: first.body.rev } });
    expect(stale.status).toBe(409);
    const fresh = await upload('/Modes/a.sif', Buffer.from('four'), { mode: { '.tag': 'update', update: over.body.rev } });
    expect(fresh.status).toBe(200);
    const folderInWay = await upload('/Modes', Buffer.from('x'));
    expect(folderInWay.body.error.reason.conflict['.tag']).toBe('folder');
  });

  it('a conflicting upload leaves its bytes in a closed session that can be finished elsewhere', async () => {
    await upload('/Keep/k.txt', Buffer.from('v1'));
    const c = await upload('/Keep/k.txt', Buffer.from('version two'));
    const sid = c.body.error.upload_session_id;
    const fin = await up(
      'files/upload_session/finish',
      { cursor: { session_id: sid, offset: 11 }, commit: { path: '/Keep/k2.txt', mode: 'add' } },
      Buffer.alloc(0),
    );
    expect(fin.status).toBe(200);
    expect(fin.body.content_hash).toBe(dropboxContentHash(Buffer.from('version two')));
  });

  it('checks content_hash', async () => {
    const data = Buffer.from('checked');
    const bad = await upload('/Up/c.txt', data, { content_hash: 'f'.repeat(64) });
    expect(bad.status).toBe(409);
    expect(bad.body.error).toEqual({ '.tag': 'content_hash_mismatch' });
    const good = await upload('/Up/c.txt', data, { content_hash: dropboxContentHash(data) });
    expect(good.status).toBe(200);
  });

  it('refuses bodies over 150 MiB with payload_too_large', async () => {
    const total = 150 * MiB + 1;
    let sent = 0;
    const chunk = Buffer.alloc(4 * MiB);
    const body = new Readable({
      read() {
        if (sent >= total) return void this.push(null);
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        this.push(chunk.subarray(0, n));
      },
    });
    const r = await fetch(`${sb.url}/2/files/upload`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/octet-stream',
        'Dropbox-API-Arg': argHeader({ path: '/big.bin' }),
      },
      body: Readable.toWeb(body) as ReadableStream,
      duplex: 'half',
    } as RequestInit).then(wrap);
    expect(r.status).toBe(409);
    expect(r.body.error['.tag']).toBe('payload_too_large');
  });
});

describe('upload sessions', () => {
  it('sequential: incorrect_offset with correct_offset, closed, finish, not_found after', async () => {
    const a = randomBytes(3 * MiB);
    const b = randomBytes(2 * MiB + 17);
    const start = await up('files/upload_session/start', { close: false }, a);
    expect(start.status).toBe(200);
    const sid = start.body.session_id;
    expect(sid).toMatch(/^pid_upload_session:/);
    const wrong = await up('files/upload_session/append_v2', { cursor: { session_id: sid, offset: 0 }, close: false }, b);
    expect(wrong.status).toBe(409);
    expect(wrong.body.error).toEqual({ '.tag': 'incorrect_offset', correct_offset: a.length });
    const ok = await up('files/upload_session/append_v2', { cursor: { session_id: sid, offset: a.length }, close: false }, b);
    expect(ok.status).toBe(200);
    expect(ok.type).toBe('application/json');
    expect(ok.text).toBe('null');
    const commit = { path: '/Sessions/seq.bin', mode: 'overwrite', autorename: false, mute: true };
    const badFinish = await up('files/upload_session/finish', { cursor: { session_id: sid, offset: 5 }, commit }, Buffer.alloc(0));
    expect(badFinish.body.error).toEqual({
      '.tag': 'lookup_failed',
      lookup_failed: { '.tag': 'incorrect_offset', correct_offset: a.length + b.length },
    });
    const tail = Buffer.from('tail');
    const fin = await up('files/upload_session/finish', { cursor: { session_id: sid, offset: a.length + b.length }, commit }, tail);
    expect(fin.status).toBe(200);
    expect(fin.body.size).toBe(a.length + b.length + 4);
    expect(fin.body.content_hash).toBe(dropboxContentHash(Buffer.concat([a, b, tail])));
    const again = await up('files/upload_session/append_v2', { cursor: { session_id: sid, offset: 0 } }, tail);
    expect(again.body.error).toEqual({ '.tag': 'not_found' });
  });

  it('sequential: appending to a closed session is `closed`; per-request content_hash is checked', async () => {
    const start = await up('files/upload_session/start', { close: true }, Buffer.from('abc'));
    const sid = start.body.session_id;
    const closed = await up('files/upload_session/append_v2', { cursor: { session_id: sid, offset: 3 } }, Buffer.from('d'));
    expect(closed.body.error['.tag']).toBe('closed');
    const s2 = (await up('files/upload_session/start', {}, Buffer.alloc(0))).body.session_id;
    const mismatch = await up(
      'files/upload_session/append_v2',
      { cursor: { session_id: s2, offset: 0 }, content_hash: dropboxContentHash(Buffer.from('other')) },
      Buffer.from('data'),
    );
    expect(mismatch.body.error['.tag']).toBe('content_hash_mismatch');
    const retry = await up(
      'files/upload_session/append_v2',
      { cursor: { session_id: s2, offset: 0 }, content_hash: dropboxContentHash(Buffer.from('data')) },
      Buffer.from('data'),
    );
    expect(retry.status).toBe(200);
  });

  it('concurrent: 4 MiB rules, pieces in any order, finish needs close and every piece', async () => {
    const bad1 = await up('files/upload_session/start', { session_type: 'concurrent' }, Buffer.from('x'));
    expect(bad1.body.error['.tag']).toBe('concurrent_session_data_not_allowed');
    const bad2 = await up('files/upload_session/start', { session_type: { '.tag': 'concurrent' }, close: true }, Buffer.alloc(0));
    expect(bad2.body.error['.tag']).toBe('concurrent_session_close_not_allowed');
    const sid = (await up('files/upload_session/start', { session_type: 'concurrent' }, Buffer.alloc(0))).body.session_id;
    const p0 = randomBytes(4 * MiB);
    const p1 = randomBytes(4 * MiB);
    const p2 = randomBytes(1000);
    const append = (offset: number, data: Buffer, close = false) =>
      up('files/upload_session/append_v2', { cursor: { session_id: sid, offset }, close }, data);
    expect((await append(1000, p0)).body.error['.tag']).toBe('concurrent_session_invalid_offset');
    expect((await append(0, p2)).body.error['.tag']).toBe('concurrent_session_invalid_data_size');
    const commit = { path: '/Sessions/conc.bin', mode: 'add' };
    const finish = (offset: number, body = Buffer.alloc(0)) =>
      up('files/upload_session/finish', { cursor: { session_id: sid, offset }, commit }, body);
    // The closing piece first, then the others in parallel.
    expect((await append(8 * MiB, p2, true)).status).toBe(200);
    expect((await finish(8 * MiB + 1000)).body.error['.tag']).toBe('concurrent_session_missing_data');
    const [r1, r0] = await Promise.all([append(4 * MiB, p1), append(0, p0)]);
    expect([r0.status, r1.status]).toEqual([200, 200]);
    expect((await finish(8 * MiB + 1000, Buffer.from('x'))).body.error['.tag']).toBe('concurrent_session_data_not_allowed');
    const done = await finish(8 * MiB + 1000);
    expect(done.status).toBe(200);
    expect(done.body.content_hash).toBe(dropboxContentHash(Buffer.concat([p0, p1, p2])));
  });

  it('concurrent: finish before close is concurrent_session_not_closed', async () => {
    const sid = (await up('files/upload_session/start', { session_type: 'concurrent' }, Buffer.alloc(0))).body.session_id;
    const r = await up(
      'files/upload_session/finish',
      { cursor: { session_id: sid, offset: 0 }, commit: { path: '/Sessions/nc.bin' } },
      Buffer.alloc(0),
    );
    expect(r.body.error['.tag']).toBe('concurrent_session_not_closed');
  });

  it('finish_batch_v2 is RPC and needs closed sessions', async () => {
    const closedSid = (await up('files/upload_session/start', { close: true }, Buffer.from('batch one'))).body.session_id;
    const openSid = (await up('files/upload_session/start', {}, Buffer.from('batch two'))).body.session_id;
    const r = await rpc('files/upload_session/finish_batch_v2', {
      entries: [
        { cursor: { session_id: closedSid, offset: 9 }, commit: { path: '/Batch/one.txt', mode: 'add' } },
        { cursor: { session_id: openSid, offset: 9 }, commit: { path: '/Batch/two.txt', mode: 'add' } },
        { cursor: { session_id: 'pid_upload_session:nope', offset: 0 }, commit: { path: '/Batch/3.txt' } },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.entries[0]).toMatchObject({ '.tag': 'success', name: 'one.txt', size: 9 });
    expect(r.body.entries[1]).toEqual({
      '.tag': 'failure',
      failure: { '.tag': 'lookup_failed', lookup_failed: { '.tag': 'not_closed' } },
    });
    expect(r.body.entries[2].failure.lookup_failed['.tag']).toBe('not_found');
  });
});

describe('files/download', () => {
  const data = randomBytes(300_000);
  beforeAll(async () => {
    await upload('/Down/Ünïcødé 🐳.bin', data);
  });

  it('streams the file with Dropbox-API-Result (no .tag, ASCII-escaped)', async () => {
    const r = await down({ path: '/down/ünïcødé 🐳.bin' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/octet-stream');
    const raw = r.headers.get('dropbox-api-result')!;
    expect(raw).toMatch(/^[\x20-\x7e]+$/);
    const meta = JSON.parse(raw);
    expect(meta['.tag']).toBeUndefined();
    expect(meta.name).toBe('Ünïcødé 🐳.bin');
    expect(meta.content_hash).toBe(dropboxContentHash(data));
    expect(Buffer.from(await r.arrayBuffer()).equals(data)).toBe(true);
  });

  it('honours Range with 206 and Content-Range; the result header still describes the whole file', async () => {
    const r = await down({ path: '/Down/Ünïcødé 🐳.bin' }, { Range: 'bytes=1000-1999' });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe(`bytes 1000-1999/${data.length}`);
    expect(JSON.parse(r.headers.get('dropbox-api-result')!).size).toBe(data.length);
    expect(Buffer.from(await r.arrayBuffer()).equals(data.subarray(1000, 2000))).toBe(true);
    const open = await down({ path: '/Down/Ünïcødé 🐳.bin' }, { Range: `bytes=${data.length - 10}-` });
    expect(Buffer.from(await open.arrayBuffer()).equals(data.subarray(data.length - 10))).toBe(true);
    const suffix = await down({ path: '/Down/Ünïcødé 🐳.bin' }, { Range: 'bytes=-5' });
    expect((await suffix.arrayBuffer()).byteLength).toBe(5);
    const beyond = await down({ path: '/Down/Ünïcødé 🐳.bin' }, { Range: `bytes=${data.length}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${data.length}`);
  });

  it('answers 409 JSON for missing paths and folders', async () => {
    const missing = await wrap(await down({ path: '/Down/none.bin' }));
    expect(missing.status).toBe(409);
    expect(missing.type).toBe('application/json');
    expect(missing.body.error).toEqual({ '.tag': 'path', path: { '.tag': 'not_found' } });
    const folder = await wrap(await down({ path: '/Down' }));
    expect(folder.body.error.path['.tag']).toBe('not_file');
    const noArg = await fetch(`${sb.url}/2/files/download`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    expect(noArg.status).toBe(400);
  });

  it('get_temporary_link gives a plain GET URL without auth, with Range', async () => {
    const r = await rpc('files/get_temporary_link', { path: '/Down/Ünïcødé 🐳.bin' });
    expect(r.status).toBe(200);
    expect(r.body.metadata.size).toBe(data.length);
    const whole = await fetch(r.body.link);
    expect(Buffer.from(await whole.arrayBuffer()).equals(data)).toBe(true);
    const part = await fetch(r.body.link, { headers: { Range: 'bytes=0-9' } });
    expect(part.status).toBe(206);
    expect((await part.arrayBuffer()).byteLength).toBe(10);
  });
});

describe('folders, listing, metadata, delete', () => {
  beforeAll(async () => {
    for (let i = 0; i < 7; i++) await upload(`/List/f${i}.txt`, Buffer.from(`file ${i}`));
    await rpc('files/create_folder_v2', { path: '/List/Sub/Deeper' });
    await upload('/List/Sub/inner.txt', Buffer.from('inner'));
  });

  it('list_folder: "/" is a 400, root is ""', async () => {
    const slash = await rpc('files/list_folder', { path: '/' });
    expect(slash.status).toBe(400);
    expect(slash.text).toContain('Specify the root folder as an empty string');
    const root = await rpc('files/list_folder', { path: '' });
    expect(root.status).toBe(200);
    expect(root.body.entries.map((e: any) => e.name)).toContain('List');
  });

  it('pages with an opaque cursor until has_more is false', async () => {
    const first = await rpc('files/list_folder', { path: '/list', limit: 3 });
    expect(first.body.entries).toHaveLength(3);
    expect(first.body.has_more).toBe(true);
    const names = first.body.entries.map((e: any) => e.name);
    let cursor = first.body.cursor;
    let more = true;
    let pages = 1;
    while (more) {
      const next = await rpc('files/list_folder/continue', { cursor });
      expect(next.status).toBe(200);
      names.push(...next.body.entries.map((e: any) => e.name));
      cursor = next.body.cursor;
      more = next.body.has_more;
      pages++;
    }
    expect(pages).toBe(3);
    expect(names.sort()).toEqual(['Sub', 'f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'f4.txt', 'f5.txt', 'f6.txt']);
    // The finished cursor now reports changes, deletions included.
    await upload('/List/late.txt', Buffer.from('late'));
    await rpc('files/delete_v2', { path: '/List/f0.txt' });
    const delta = await rpc('files/list_folder/continue', { cursor });
    expect(delta.body.entries.map((e: any) => [e['.tag'], e.name])).toEqual([
      ['file', 'late.txt'],
      ['deleted', 'f0.txt'],
    ]);
    const bad = await rpc('files/list_folder/continue', { cursor: 'garbage' });
    expect(bad.status).toBe(400);
  });

  it('recursive listing includes the folder itself and nested entries with .tag', async () => {
    const r = await rpc('files/list_folder', { path: '/List/Sub', recursive: true });
    expect(r.body.entries.map((e: any) => [e['.tag'], e.path_display])).toEqual([
      ['folder', '/List/Sub'],
      ['folder', '/List/Sub/Deeper'],
      ['file', '/List/Sub/inner.txt'],
    ]);
    expect((await rpc('files/list_folder', { path: '/List/f1.txt' })).body.error.path['.tag']).toBe('not_folder');
    expect((await rpc('files/list_folder', { path: '/Nope' })).body.error.path['.tag']).toBe('not_found');
  });

  it('get_metadata: tagged, case-insensitive, by id, path/not_found, include_deleted', async () => {
    const m = await rpc('files/get_metadata', { path: '/LIST/F1.TXT' });
    expect(m.body['.tag']).toBe('file');
    expect(m.body.path_display).toBe('/List/f1.txt');
    const byId = await rpc('files/get_metadata', { path: m.body.id });
    expect(byId.body.path_lower).toBe('/list/f1.txt');
    const byRev = await rpc('files/get_metadata', { path: `rev:${m.body.rev}` });
    expect(byRev.body.id).toBe(m.body.id);
    const missing = await rpc('files/get_metadata', { path: '/List/none' });
    expect(missing.status).toBe(409);
    expect(missing.body.error).toEqual({ '.tag': 'path', path: { '.tag': 'not_found' } });
    expect(missing.body.error_summary).toMatch(/^path\/not_found\/\.+$/);
    const gone = await rpc('files/get_metadata', { path: '/List/f0.txt', include_deleted: true });
    expect(gone.body['.tag']).toBe('deleted');
    expect((await rpc('files/get_metadata', { path: '' })).status).toBe(400);
    expect((await rpc('files/get_metadata', { path: '/List//x' })).body.error.path['.tag']).toBe('malformed_path');
  });

  it('delete_v2 returns tagged metadata; missing is path_lookup/not_found', async () => {
    const d = await rpc('files/delete_v2', { path: '/List/f2.txt' });
    expect(d.status).toBe(200);
    expect(d.body.metadata['.tag']).toBe('file');
    const again = await rpc('files/delete_v2', { path: '/List/f2.txt' });
    expect(again.body.error).toEqual({ '.tag': 'path_lookup', path_lookup: { '.tag': 'not_found' } });
    const folder = await rpc('files/delete_v2', { path: '/List/Sub' });
    expect(folder.body.metadata['.tag']).toBe('folder');
    expect((await rpc('files/get_metadata', { path: '/List/Sub/inner.txt' })).status).toBe(409);
  });

  it('create_folder_v2 creates parents, returns untagged metadata, conflicts on a second call', async () => {
    const r = await rpc('files/create_folder_v2', { path: '/Made/Deep/Leaf', autorename: false });
    expect(r.status).toBe(200);
    expect(r.body.metadata['.tag']).toBeUndefined();
    expect(r.body.metadata).toMatchObject({ name: 'Leaf', path_display: '/Made/Deep/Leaf' });
    expect((await rpc('files/get_metadata', { path: '/made/deep' })).body['.tag']).toBe('folder');
    const again = await rpc('files/create_folder_v2', { path: '/made/deep/leaf' });
    expect(again.body.error).toEqual({ '.tag': 'path', path: { '.tag': 'conflict', conflict: { '.tag': 'folder' } } });
  });
});

describe('sharing', () => {
  it('creates a link once, then shared_link_already_exists with nested metadata', async () => {
    await upload('/Share/img.sif', Buffer.from('shared'));
    const first = await rpc('sharing/create_shared_link_with_settings', {
      path: '/Share/img.sif',
      settings: { audience: 'public', access: 'viewer', allow_download: true },
    });
    expect(first.status).toBe(200);
    expect(first.body['.tag']).toBe('file');
    expect(first.body.url).toMatch(/^https:\/\/www\.dropbox\.com\/scl\/fi\/.+dl=0$/);
    for (const k of ['can_revoke', 'visibility_policies', 'can_set_expiry', 'can_remove_expiry', 'allow_download', 'can_allow_download', 'can_disallow_download', 'allow_comments', 'team_restricts_comments']) {
      expect(first.body.link_permissions).toHaveProperty(k);
    }
    const second = await rpc('sharing/create_shared_link_with_settings', { path: '/Share/img.sif' });
    expect(second.status).toBe(409);
    expect(second.body.error['.tag']).toBe('shared_link_already_exists');
    expect(second.body.error.shared_link_already_exists['.tag']).toBe('metadata');
    expect(second.body.error.shared_link_already_exists.metadata.url).toBe(first.body.url);
    expect(second.body.error_summary).toMatch(/^shared_link_already_exists\/metadata\/\.+$/);
    const list = await rpc('sharing/list_shared_links', { path: '/Share/img.sif', direct_only: true });
    expect(list.body.links.map((l: any) => l.url)).toEqual([first.body.url]);
    expect(list.body.cursor).toBeUndefined();
    const all = await rpc('sharing/list_shared_links', {});
    expect(all.body.cursor).toEqual(expect.any(String));
  });
});

describe('oauth2', () => {
  const verifier = b64url(randomBytes(48));
  const challenge = b64url(createHash('sha256').update(verifier).digest());

  it('serves an authorize page whose Allow button shows a code', async () => {
    const q = `client_id=${APP_KEY}&response_type=code&token_access_type=offline&code_challenge=${challenge}&code_challenge_method=S256`;
    const page = await fetch(`${sb.url}/oauth2/authorize?${q}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    const allowed = await fetch(`${sb.url}/oauth2/authorize`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: q,
    });
    const code = /<code id="code">([^<]+)<\/code>/.exec(await allowed.text())?.[1];
    expect(code).toBeTruthy();
    const bad = await fetch(`${sb.url}/oauth2/authorize?client_id=someone-else&response_type=code`);
    expect(bad.status).toBe(400);
  });

  it('exchanges a PKCE code from the query string (JS SDK) once, verifying S256', async () => {
    const code = sb.approveAuthorization(challenge);
    const wrongVerifier = await fetch(
      `${sb.url}/oauth2/token?grant_type=authorization_code&code=${code}&client_id=${APP_KEY}&code_verifier=${b64url(randomBytes(48))}`,
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
    ).then(wrap);
    expect(wrongVerifier.status).toBe(400);
    expect(wrongVerifier.body.error).toBe('invalid_grant');
    const ok = await fetch(
      `${sb.url}/oauth2/token?grant_type=authorization_code&code=${code}&client_id=${APP_KEY}&code_verifier=${verifier}`,
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
    ).then(wrap);
    expect(ok.status).toBe(200);
    expect(ok.type).toBe('application/json');
    expect(ok.body).toMatchObject({ token_type: 'bearer', expires_in: 14400, uid: expect.any(String) });
    expect(ok.body.account_id).toHaveLength(40);
    expect(ok.body.access_token).toMatch(/^sl\./);
    expect(ok.body.refresh_token).toEqual(expect.any(String));
    const reused = await fetch(
      `${sb.url}/oauth2/token?grant_type=authorization_code&code=${code}&client_id=${APP_KEY}&code_verifier=${verifier}`,
      { method: 'POST' },
    ).then(wrap);
    expect(reused.body.error).toBe('invalid_grant');
  });

  it('exchanges and refreshes with a form body (Python SDK); revoke kills both tokens', async () => {
    const code = sb.approveAuthorization(challenge);
    const form = (p: Record<string, string>) =>
      fetch(`${sb.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(p).toString(),
      }).then(wrap);
    const t = await form({ grant_type: 'authorization_code', code, client_id: APP_KEY, code_verifier: verifier });
    expect(t.status).toBe(200);
    const r = await form({ grant_type: 'refresh_token', refresh_token: t.body.refresh_token, client_id: APP_KEY });
    expect(r.status).toBe(200);
    expect(r.body.refresh_token).toBeUndefined();
    expect(r.body.expires_in).toBe(14400);
    const wrongApp = await form({ grant_type: 'refresh_token', refresh_token: t.body.refresh_token, client_id: 'other' });
    expect(wrongApp.status).toBe(400);
    const revoke = await rpc('auth/token/revoke', undefined, { token: r.body.access_token, headers: {} });
    expect(revoke.status).toBe(200);
    const after = await rpc('users/get_current_account', null, { token: t.body.access_token });
    expect(after.body.error['.tag']).toBe('invalid_access_token');
    const refreshAfter = await form({ grant_type: 'refresh_token', refresh_token: t.body.refresh_token, client_id: APP_KEY });
    expect(refreshAfter.status).toBe(400);
    expect(refreshAfter.body.error).toBe('invalid_grant');
  });
});

describe('the dropbox npm SDK (10.34) through a host-rewriting fetch', () => {
  // The SDK always builds https://api.dropboxapi.com/... URLs; the sandbox routes on the path alone.
  const viaSandbox = (url: string, init: any) => {
    const u = new URL(url);
    return nodeFetch(sb.url + u.pathname + u.search, init);
  };

  it('PKCE (query-string token request), upload, buffered download, list, refresh, void routes', async () => {
    const auth = new DropboxAuth({ clientId: APP_KEY, fetch: viaSandbox as any });
    const url = new URL(String(await auth.getAuthenticationUrl('', undefined, 'code', 'offline', undefined, 'none', true)));
    const code = sb.approveAuthorization(url.searchParams.get('code_challenge')!);
    const tokenRes: any = await auth.getAccessTokenFromCode('', code);
    expect(tokenRes.result.refresh_token).toEqual(expect.any(String));
    auth.setAccessToken(tokenRes.result.access_token);
    auth.setRefreshToken(tokenRes.result.refresh_token);
    auth.setAccessTokenExpiresAt(new Date(Date.now() + tokenRes.result.expires_in * 1000));
    const dbx = new Dropbox({ auth });
    expect((await dbx.usersGetCurrentAccount()).result.account_id).toHaveLength(40);
    const up1 = await dbx.filesUpload({ path: '/Sdk/a.txt', contents: Buffer.from('sdk bytes'), mode: { '.tag': 'overwrite' } });
    expect(up1.result.content_hash).toBe(dropboxContentHash(Buffer.from('sdk bytes')));
    const got: any = await dbx.filesDownload({ path: '/sdk/A.TXT' });
    expect(Buffer.from(got.result.fileBinary).toString()).toBe('sdk bytes');
    const listed = await dbx.filesListFolder({ path: '/Sdk' });
    expect(listed.result.entries.map((e) => e['.tag'])).toEqual(['file']);
    const err: any = await dbx.filesGetMetadata({ path: '/Sdk/none' }).catch((e) => e);
    expect(err.status).toBe(409);
    expect(err.error.error.path['.tag']).toBe('not_found');
    // Expired: no retry in the SDK, but refreshAccessToken (query string, JSON type, empty body) works.
    sb.expireAllTokens();
    const expired: any = await dbx.usersGetCurrentAccount().catch((e) => e);
    expect(expired.error.error['.tag']).toBe('expired_access_token');
    await auth.refreshAccessToken();
    expect((await dbx.usersGetCurrentAccount()).status).toBe(200);
    await dbx.authTokenRevoke();
    const revoked: any = await dbx.usersGetCurrentAccount().catch((e) => e);
    expect(revoked.error.error['.tag']).toBe('invalid_access_token');
    // expireAllTokens hit the shared token too.
    token = sb.issueToken().accessToken;
  });
});

describe('faults', () => {
  const data = randomBytes(2 * MiB);
  beforeAll(async () => {
    await upload('/Faults/data.bin', data);
  });

  it('fails the nth matching request with 500, 503 + Retry-After, 429 JSON + header', async () => {
    const id = sb.faults.add({ route: 'files/get_metadata', nth: 2, kind: 'status', status: 500 });
    expect((await rpc('files/get_metadata', { path: '/Faults/data.bin' })).status).toBe(200);
    expect((await rpc('files/get_metadata', { path: '/Faults/data.bin' })).status).toBe(500);
    expect((await rpc('files/get_metadata', { path: '/Faults/data.bin' })).status).toBe(200);
    expect(sb.faults.firedCount(id)).toBe(1);
    sb.faults.add({ route: 'files/get_metadata', kind: 'status', status: 503, retryAfter: 2 });
    const u = await rpc('files/get_metadata', { path: '/Faults/data.bin' });
    expect(u.status).toBe(503);
    expect(u.headers.get('retry-after')).toBe('2');
    sb.faults.add({ route: 'files/upload', kind: 'status', status: 429, retryAfter: 3 });
    const t = await upload('/Faults/x.bin', Buffer.from('x'));
    expect(t.status).toBe(429);
    expect(t.headers.get('retry-after')).toBe('3');
    expect(t.body.error).toEqual({ reason: { '.tag': 'too_many_requests' }, retry_after: 3 });
    expect(sb.requests.at(-1)).toMatchObject({ path: '/2/files/upload', status: 429, faults: ['status'] });
    sb.faults.clear();
  });

  it('resets a download after K bytes, and a resumed Range finishes it', async () => {
    sb.faults.add({ route: 'files/download', nth: 1, kind: 'reset', afterBytes: MiB });
    const r = await down({ path: '/Faults/data.bin' });
    expect(r.status).toBe(200);
    const got: Buffer[] = [];
    let failed = false;
    try {
      for await (const c of r.body as any) got.push(Buffer.from(c));
    } catch {
      failed = true;
    }
    expect(failed).toBe(true);
    const have = Buffer.concat(got);
    expect(have.length).toBeLessThanOrEqual(MiB);
    const rest = await down({ path: '/Faults/data.bin' }, { Range: `bytes=${have.length}-` });
    expect(rest.status).toBe(206);
    expect(Buffer.concat([have, Buffer.from(await rest.arrayBuffer())]).equals(data)).toBe(true);
  });

  it('truncates a download: full Content-Length, fewer bytes, clean close', async () => {
    sb.faults.add({ route: 'files/download', kind: 'truncate', afterBytes: 1000 });
    const received = await new Promise<{ length: string | undefined; bytes: number; aborted: boolean }>((resolve) => {
      const u = new URL(`${sb.url}/2/files/download`);
      const req = httpRequest(
        { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Dropbox-API-Arg': argHeader({ path: '/Faults/data.bin' }) } },
        (res) => {
          let bytes = 0;
          let aborted = false;
          res.on('data', (c: Buffer) => (bytes += c.length));
          res.on('aborted', () => (aborted = true));
          res.on('error', () => (aborted = true));
          res.on('close', () => resolve({ length: res.headers['content-length'], bytes, aborted }));
        },
      );
      req.end();
    });
    expect(received.length).toBe(String(data.length));
    expect(received.bytes).toBe(1000);
    expect(received.aborted).toBe(true);
  });

  it('resets an upload while reading the body; the session offset stays put', async () => {
    const sid = (await up('files/upload_session/start', {}, Buffer.alloc(0))).body.session_id;
    sb.faults.add({ route: 'files/upload_session/append_v2', kind: 'reset', afterBytes: 64 * 1024 });
    await expect(up('files/upload_session/append_v2', { cursor: { session_id: sid, offset: 0 } }, data)).rejects.toThrow();
    const retry = await up('files/upload_session/append_v2', { cursor: { session_id: sid, offset: 0 } }, data);
    expect(retry.status).toBe(200);
  });

  it('a lost append response makes the retry see incorrect_offset; resume from correct_offset', async () => {
    const sid = (await up('files/upload_session/start', {}, Buffer.alloc(0))).body.session_id;
    const chunk = data.subarray(0, MiB);
    sb.faults.add({ route: 'files/upload_session/append_v2', kind: 'lose-response' });
    await expect(up('files/upload_session/append_v2', { cursor: { session_id: sid, offset: 0 } }, chunk)).rejects.toThrow();
    const retry = await up('files/upload_session/append_v2', { cursor: { session_id: sid, offset: 0 } }, chunk);
    expect(retry.body.error).toEqual({ '.tag': 'incorrect_offset', correct_offset: MiB });
    const fin = await up(
      'files/upload_session/finish',
      { cursor: { session_id: sid, offset: retry.body.error.correct_offset }, commit: { path: '/Faults/resumed.bin' } },
      Buffer.alloc(0),
    );
    expect(fin.body.content_hash).toBe(dropboxContentHash(chunk));
  });

  it('throttles a download to bytes/sec', async () => {
    sb.faults.add({ route: 'files/download', kind: 'throttle', bytesPerSecond: 1 * MiB });
    const t0 = Date.now();
    const r = await down({ path: '/Faults/data.bin' }, { Range: 'bytes=0-524287' });
    expect((await r.arrayBuffer()).byteLength).toBe(512 * 1024);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
  });

  it('expire-token makes the token expire at that request', async () => {
    const t = sb.issueToken();
    sb.faults.add({ route: 'users/get_current_account', kind: 'expire-token' });
    const r = await rpc('users/get_current_account', null, { token: t.accessToken });
    expect(r.body.error['.tag']).toBe('expired_access_token');
    const r2 = await rpc('files/get_metadata', { path: '/Faults/data.bin' }, { token: t.accessToken });
    expect(r2.status).toBe(401);
  });
});

describe('lifecycle', () => {
  it('seeds files (bytes or a local path) and keeps state across a restart on the same dataDir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sreg-dbx-state-'));
    try {
      const local = join(dir, 'local.sif');
      await writeFile(local, Buffer.from('from disk'));
      const a = await startDropboxSandbox({ dataDir: join(dir, 'data') });
      const seeded = await a.seed('/library/busybox:latest.sif', local);
      expect(seeded.content_hash).toBe(dropboxContentHash(Buffer.from('from disk')));
      await a.seed('/library/other.sif', Buffer.from('bytes'));
      const t = a.issueToken();
      await a.close();
      const b = await startDropboxSandbox({ dataDir: join(dir, 'data') });
      try {
        const r = await fetch(`${b.url}/2/files/download`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${t.accessToken}`, 'Dropbox-API-Arg': argHeader({ path: '/library/busybox:latest.sif' }) },
        });
        expect(r.status).toBe(200);
        expect(await r.text()).toBe('from disk');
      } finally {
        await b.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('logs every request with its status', () => {
    expect(sb.requests.length).toBeGreaterThan(50);
    expect(sb.requests.every((r) => typeof r.status === 'number' && r.path.startsWith('/'))).toBe(true);
  });

  it('listens on loopback only', async () => {
    await expect(startDropboxSandbox({ host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });
});
