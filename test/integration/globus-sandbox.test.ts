// The Globus sandbox, driven by the real @globus/sdk 6.2 client the way sreg drives Globus.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auth, authorization, errors, transfer } from '@globus/sdk';
import { generateCodeChallenge, generateCodeVerifier } from '@globus/sdk/core/authorization/pkce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SANDBOX_HPC_ID as HPC,
  SANDBOX_LAB_ID as LAB,
  SANDBOX_LAPTOP_ID as LAPTOP,
  SANDBOX_OFFLINE_ID as OFFLINE,
  seedGlobusSandbox,
  startGlobusSandbox,
  type GlobusSandbox,
} from '../../src/sandbox/globus.js';

const CID = '9c1f0f8e-3a57-4d5b-8d0f-2a7e2b0c4d11';
const R = 'https://auth.globus.org/v2/web/auth-code';
const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';
const SCOPES = `openid profile email ${TRANSFER}`;

/** Storage whose entries are own enumerable properties, so the manager's getAll()/refresh see them. */
class EnumerableStorage {
  [key: string]: unknown;
  getItem(k: string): string | null {
    return Object.prototype.hasOwnProperty.call(this, k) ? (this[k] as string) : null;
  }
  setItem(k: string, v: string): void {
    this[k] = v;
  }
  removeItem(k: string): void {
    delete this[k];
  }
  clear(): void {
    for (const k of Object.keys(this)) delete this[k];
  }
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function pointSdkAt(sb: GlobusSandbox): void {
  Object.assign(process.env, sb.env);
}

async function login(sb: GlobusSandbox, scope = SCOPES, accessType: string | null = 'offline') {
  const verifier = generateCodeVerifier();
  const challenge = await generateCodeChallenge(verifier);
  const code = sb.approveAuthorization({
    client_id: CID, code_challenge: challenge, code_challenge_method: 'S256', scope, redirect_uri: R, access_type: accessType ?? undefined, state: '_default',
  });
  const res = await auth.oauth2.token.exchange({
    payload: { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: CID, redirect_uri: R },
  });
  return { res, json: (await res.json()) as Json, code, verifier };
}

/** The transfer token of a code-exchange response, wherever Globus put it. */
function transferToken(doc: Json): Json {
  return [doc, ...(doc.other_tokens ?? [])].find((t: Json) => t.resource_server === 'transfer.api.globus.org');
}

const bearer = (tok: string) => ({ Authorization: `Bearer ${tok}` });

let files: string;
let sb: GlobusSandbox;
let tok: string;
const IMG_A = randomBytes(300_000);

beforeAll(async () => {
  files = mkdtempSync(join(tmpdir(), 'sreg-globus-test-'));
  writeFileSync(join(files, 'hello-world.sif'), IMG_A);
  writeFileSync(join(files, 'lolcow.sif'), randomBytes(1000));
  sb = await startGlobusSandbox({ clientId: CID, timeScale: 0, bytesPerSecond: 100_000, queueDelayMs: 500 });
  seedGlobusSandbox(sb, [join(files, 'hello-world.sif'), join(files, 'lolcow.sif')]);
  pointSdkAt(sb);
  tok = transferToken((await login(sb)).json).access_token;
});

afterAll(async () => {
  await sb.close();
  rmSync(files, { recursive: true, force: true });
});

describe('Globus Auth', () => {
  it('exchanges a PKCE code for one token per resource server, with refresh tokens when offline', async () => {
    const { res, json } = await login(sb);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(json.resource_server).toBe('auth.globus.org');
    expect(json.scope).toBe('openid profile email');
    expect(json.state).toBe('_default');
    expect(json.token_type).toBe('Bearer');
    expect(json.expires_in).toBe(172800);
    expect(json.refresh_token).toBeTruthy();
    expect(json.id_token.split('.')).toHaveLength(3);
    expect(json.other_tokens).toHaveLength(1);
    const xfer = json.other_tokens[0];
    expect(xfer).toMatchObject({ resource_server: 'transfer.api.globus.org', scope: TRANSFER, token_type: 'Bearer' });
    expect(xfer.refresh_token).toBeTruthy();
    const claims = JSON.parse(Buffer.from(json.id_token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ aud: CID, sub: sb.user.id, email: sb.user.email, preferred_username: sb.user.username });
  });

  it('gives no refresh token without offline access, and honours the offline_access scope', async () => {
    const online = await login(sb, SCOPES, null);
    expect(online.json.refresh_token).toBeUndefined();
    expect(transferToken(online.json).refresh_token).toBeUndefined();
    const offline = await login(sb, `${SCOPES} offline_access`, null);
    expect(transferToken(offline.json).refresh_token).toBeTruthy();
  });

  it('puts the transfer token at top level when only transfer is asked for', async () => {
    const { json } = await login(sb, TRANSFER);
    expect(json.resource_server).toBe('transfer.api.globus.org');
    expect(json.other_tokens).toEqual([]);
    expect(json.id_token).toBeUndefined();
  });

  it('refuses a wrong verifier, a reused code and a different redirect_uri with invalid_grant', async () => {
    const exchange = (payload: Record<string, string>) => auth.oauth2.token.exchange({ payload: { grant_type: 'authorization_code', client_id: CID, redirect_uri: R, ...payload } });
    const v = generateCodeVerifier();
    const c = await generateCodeChallenge(v);
    const code1 = sb.approveAuthorization({ client_id: CID, code_challenge: c, scope: TRANSFER, redirect_uri: R });
    const wrong = await exchange({ code: code1, code_verifier: generateCodeVerifier() });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'invalid_grant' });
    // The code was spent by the failed attempt.
    expect((await exchange({ code: code1, code_verifier: v })).status).toBe(401);
    const code2 = sb.approveAuthorization({ client_id: CID, code_challenge: c, scope: TRANSFER, redirect_uri: R });
    expect((await exchange({ code: code2, code_verifier: v, redirect_uri: 'https://example.org/cb' })).status).toBe(401);
    const code3 = sb.approveAuthorization({ client_id: CID, code_challenge: c, scope: TRANSFER, redirect_uri: R });
    expect((await exchange({ code: code3, code_verifier: v })).status).toBe(200);
  });

  it('refreshes into a single top-level token doc with other_tokens: []', async () => {
    const { json } = await login(sb);
    const xfer = transferToken(json);
    const res = await auth.oauth2.token.refresh({ payload: { grant_type: 'refresh_token', refresh_token: xfer.refresh_token, client_id: CID } });
    const doc = (await res.json()) as Json;
    expect(res.status).toBe(200);
    expect(doc.resource_server).toBe('transfer.api.globus.org');
    expect(doc.other_tokens).toEqual([]);
    expect(doc.access_token).not.toBe(xfer.access_token);
    expect(doc.refresh_token).toBe(xfer.refresh_token);
    const ep = await transfer.endpoint.get(LAPTOP, { headers: bearer(doc.access_token) });
    expect(ep.status).toBe(200);
  });

  it('revokes tokens with {"active": false}; revoked tokens get 401 and invalid_grant', async () => {
    const xfer = transferToken((await login(sb)).json);
    const res = await auth.oauth2.token.revoke({ payload: { token: xfer.access_token, client_id: CID } });
    expect(await res.json()).toEqual({ active: false });
    const denied = await transfer.endpoint.get(LAPTOP, { headers: bearer(xfer.access_token) });
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ code: 'AuthenticationFailed' });
    await auth.oauth2.token.revoke({ payload: { token: xfer.refresh_token, client_id: CID } });
    const refresh = await auth.oauth2.token.refresh({ payload: { grant_type: 'refresh_token', refresh_token: xfer.refresh_token, client_id: CID } });
    expect(refresh.status).toBe(401);
    expect(await refresh.json()).toEqual({ error: 'invalid_grant' });
  });

  it('serves userinfo to the auth token and a tiny authorize page to browsers', async () => {
    const { json } = await login(sb);
    const info = await auth.oauth2.userinfo({ headers: bearer(json.access_token) });
    expect(await info.json()).toMatchObject({ sub: sb.user.id, email: sb.user.email });
    const bad = await auth.oauth2.userinfo({ headers: bearer(transferToken(json).access_token) });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: 'unauthorized', errors: [{ code: 'UNAUTHORIZED' }] });
    const v = generateCodeVerifier();
    const u = new URL(auth.getAuthorizationEndpoint());
    u.search = new URLSearchParams({ client_id: CID, redirect_uri: R, response_type: 'code', scope: SCOPES, code_challenge: await generateCodeChallenge(v), code_challenge_method: 'S256', state: '_default' }).toString();
    expect(u.origin).toBe(sb.url);
    const pageRes = await fetch(u);
    expect(pageRes.status).toBe(200);
    const approved = await fetch(u.origin + u.pathname, { method: 'POST', body: u.searchParams });
    const code = /id="auth-code">([^<]+)</.exec(await approved.text())?.[1];
    const ex = await auth.oauth2.token.exchange({ payload: { grant_type: 'authorization_code', code: code as string, code_verifier: v, client_id: CID, redirect_uri: R } });
    expect(ex.status).toBe(200);
  });

  it('redirects the Allow button to a loopback redirect_uri with code and state', async () => {
    const v = generateCodeVerifier();
    const form = new URLSearchParams({ client_id: CID, redirect_uri: 'http://127.0.0.1:9/callback', response_type: 'code', scope: TRANSFER, code_challenge: await generateCodeChallenge(v), state: 'xyz' });
    const res = await fetch(`${sb.url}/v2/oauth2/authorize`, { method: 'POST', body: form, redirect: 'manual' });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location') as string);
    expect(to.searchParams.get('state')).toBe('xyz');
    const ex = await auth.oauth2.token.exchange({ payload: { grant_type: 'authorization_code', code: to.searchParams.get('code') as string, code_verifier: v, client_id: CID, redirect_uri: 'http://127.0.0.1:9/callback' } });
    expect(((await ex.json()) as Json).resource_server).toBe('transfer.api.globus.org');
  });
});

describe('bearer check', () => {
  it('answers 400 without credentials and 401 to the auth.globus.org token', async () => {
    const none = await transfer.endpoint.get(LAPTOP);
    expect(none.status).toBe(400);
    expect(await none.json()).toMatchObject({ code: 'ClientError.AuthenticationFailed', message: 'No credentials supplied' });
    const { json } = await login(sb);
    const wrongRs = await transfer.endpoint.get(LAPTOP, { headers: bearer(json.access_token) });
    expect(wrongRs.status).toBe(401);
  });

  it('answers 401 once a token expires, and the SDK manager refreshes and retries', async () => {
    const { json } = await login(sb);
    const manager = authorization.create({ client: CID, redirect: R, useRefreshTokens: true, storage: new EnumerableStorage() as unknown as Storage });
    manager.addTokenResponse(json as never);
    sb.expireTokens();
    const expired = await transfer.endpoint.get(LAPTOP, { headers: bearer(transferToken(json).access_token) });
    expect(expired.status).toBe(401);
    sb.requests.length = 0;
    const res = await transfer.endpoint.get(LAPTOP, {}, { manager });
    expect(res.status).toBe(200);
    expect(sb.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      `GET /v0.10/endpoint/${LAPTOP} 401`,
      'POST /v2/oauth2/token 200',
      `GET /v0.10/endpoint/${LAPTOP} 200`,
    ]);
    tok = manager.tokens.transfer?.access_token as string;
  });

  it('expires tokens after accessTokenTtlSeconds of sandbox time', async () => {
    const short = await startGlobusSandbox({ accessTokenTtlSeconds: 60, timeScale: 0 });
    try {
      pointSdkAt(short);
      const t = transferToken((await login(short)).json);
      expect(t.expires_in).toBe(60);
      expect((await transfer.endpoint.get(LAPTOP, { headers: bearer(t.access_token) })).status).toBe(200);
      short.advance(61_000);
      expect((await transfer.endpoint.get(LAPTOP, { headers: bearer(t.access_token) })).status).toBe(401);
    } finally {
      pointSdkAt(sb);
      await short.close();
    }
  });
});

describe('endpoints', () => {
  const search = async (query: Record<string, string | number>) => {
    const res = await transfer.endpointSearch({ query, headers: bearer(tok) });
    return { status: res.status, json: (await res.json()) as Json };
  };

  it('lists each scope', async () => {
    const names = async (scope: string) => (await search({ filter_scope: scope })).json.DATA.map((e: Json) => e.id);
    expect(await names('my-endpoints')).toEqual([LAPTOP]);
    expect(await names('my-gcp-endpoints')).toEqual([LAPTOP]);
    expect((await names('shared-with-me')).sort()).toEqual([LAB, OFFLINE].sort());
    expect(await names('recently-used')).toEqual(expect.arrayContaining([LAPTOP, HPC]));
    const { json } = await search({ filter_scope: 'my-endpoints' });
    expect(json).toMatchObject({ DATA_TYPE: 'endpoint_list', limit: 25, offset: 0, has_next_page: false });
    expect(json.DATA[0]).toMatchObject({ DATA_TYPE: 'endpoint', display_name: 'sandbox-laptop (this machine)', entity_type: 'GCP_mapped_collection', gcp_connected: true, is_globus_connect: true, default_directory: '/~/' });
    expect(typeof json.DATA[0]._rank).toBe('number');
  });

  it('searches full text, pages with has_next_page and enforces the limits', async () => {
    const hpc = await search({ filter_fulltext: 'scratch' });
    expect(hpc.json.DATA.map((e: Json) => e.id)).toEqual([HPC]);
    expect(hpc.json.DATA[0]).toMatchObject({ entity_type: 'GCSv5_mapped_collection', gcp_connected: null, high_assurance: false });
    const uni = await search({ filter_fulltext: 'sandbox university', limit: 1 });
    expect(uni.json.DATA).toHaveLength(1);
    expect(uni.json.has_next_page).toBe(true);
    const page2 = await search({ filter_fulltext: 'sandbox university', limit: 1, offset: 1 });
    expect(page2.json.has_next_page).toBe(false);
    expect((await search({ filter_scope: 'all' })).status).toBe(400);
    expect((await search({ filter_fulltext: 'lab', limit: 101 })).status).toBe(400);
    expect((await search({ filter_fulltext: 'lab', limit: 100, offset: 901 })).status).toBe(400);
  });

  it('gets one endpoint or 404 EndpointNotFound', async () => {
    const ok = await transfer.endpoint.get(HPC, { headers: bearer(tok) });
    expect(await ok.json()).toMatchObject({ id: HPC, owner_string: 'hpc-admins@sandbox-university.edu' });
    const missing = await transfer.endpoint.get('00000000-0000-4000-8000-000000000000', { headers: bearer(tok) });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'EndpointNotFound' });
  });
});

describe('ls and mkdir', () => {
  const ls = async (ep: string, query: Record<string, string | number | boolean>) => {
    const res = await transfer.fileOperations.ls(ep, { query, headers: bearer(tok) } as never);
    return { status: res.status, json: (await res.json()) as Json };
  };

  it('lists /~/ with the path echoed, absolute_path and Transfer timestamps', async () => {
    const { json } = await ls(LAPTOP, { path: '/~/containers' });
    expect(json).toMatchObject({ DATA_TYPE: 'file_list', endpoint: LAPTOP, path: '/~/containers/', absolute_path: '/home/sandbox/containers/', length: 2, total: 2 });
    expect(json.DATA.map((e: Json) => e.name)).toEqual(['hello-world.sif', 'lolcow.sif']);
    expect(json.DATA[0]).toMatchObject({ DATA_TYPE: 'file', type: 'file', size: IMG_A.length, permissions: expect.stringMatching(/^0[0-7]{3}$/), link_target: null, user: 'sandbox' });
    expect(json.DATA[0].last_modified).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00$/);
    const abs = await ls(LAB, { path: '/images' });
    expect(abs.json).toMatchObject({ path: '/images/', absolute_path: null });
  });

  it('handles colons in names, hidden files, paging and ordering', async () => {
    const lab = await ls(LAB, { path: '/', show_hidden: false });
    expect(lab.json.DATA.map((e: Json) => e.name)).toEqual(['README.txt', 'images']);
    expect((await ls(LAB, { path: '/', show_hidden: 0 })).json.total).toBe(2);
    expect((await ls(LAB, { path: '/', show_hidden: 1 })).json.total).toBe(3);
    expect((await ls(LAB, { path: '/' })).json.DATA.map((e: Json) => e.name)).toEqual(['.lab-notes', 'README.txt', 'images']);
    const page = await ls(LAB, { path: '/', limit: 1, offset: 1 });
    expect(page.json).toMatchObject({ length: 1, total: 3 });
    expect(page.json.DATA[0].name).toBe('README.txt');
    const desc = await ls(LAB, { path: '/', orderby: 'name DESC' });
    expect(desc.json.DATA[0].name).toBe('images');
    mkdirSync(sb.endpointPath(LAPTOP, '/~/tags'), { recursive: true });
    writeFileSync(sb.endpointPath(LAPTOP, '/~/tags/img:latest.sif'), 'x');
    const tags = await ls(LAPTOP, { path: '/~/tags/' });
    expect(tags.json.DATA.map((e: Json) => e.name)).toEqual(['img:latest.sif']);
    const filtered = await ls(LAB, { path: '/', filter: 'type:dir' });
    expect(filtered.json.DATA.map((e: Json) => e.name)).toEqual(['images']);
  });

  it('shows a symlink as its target with link_target, and a broken one as invalid_symlink', async () => {
    symlinkSync('containers/hello-world.sif', sb.endpointPath(LAPTOP, '/~/current.sif'));
    symlinkSync('nowhere.sif', sb.endpointPath(LAPTOP, '/~/broken.sif'));
    const { json } = await ls(LAPTOP, { path: '/~/' });
    const link = json.DATA.find((e: Json) => e.name === 'current.sif');
    expect(link).toMatchObject({ type: 'file', size: IMG_A.length, link_target: '/home/sandbox/containers/hello-world.sif' });
    expect(link.link_size).toBeGreaterThan(0);
    expect(json.DATA.find((e: Json) => e.name === 'broken.sif')).toMatchObject({ type: 'invalid_symlink' });
  });

  it('answers 404 ClientError.NotFound, 502 NotDirectory and 502 GCDisconnected', async () => {
    const missing = await ls(LAPTOP, { path: '/~/nope/' });
    expect(missing.status).toBe(404);
    expect(missing.json.code).toBe('ClientError.NotFound');
    const file = await ls(LAPTOP, { path: '/~/containers/lolcow.sif' });
    expect(file.status).toBe(502);
    expect(file.json.code).toBe('ExternalError.DirListingFailed.NotDirectory');
    const offline = await ls(OFFLINE, { path: '/' });
    expect(offline.status).toBe(502);
    expect(offline.json).toMatchObject({ code: 'ExternalError.DirListingFailed.GCDisconnected', request_id: expect.any(String), resource: expect.any(String) });
  });

  it('creates one directory level, then says Exists or No such file or directory', async () => {
    const manager = authorization.create({ client: CID, redirect: R, storage: new EnumerableStorage() as unknown as Storage });
    manager.addTokenResponse((await login(sb)).json as never);
    const mk = (path: string) => transfer.fileOperations.mkdir(LAPTOP, { payload: { path } } as never, { manager });
    const made = await mk('/~/new-dir/');
    expect(made.ok).toBe(true);
    expect(await made.json()).toMatchObject({ DATA_TYPE: 'mkdir_result', code: 'DirectoryCreated' });
    expect(statSync(sb.endpointPath(LAPTOP, '/~/new-dir')).isDirectory()).toBe(true);
    const again = await mk('/~/new-dir/');
    expect(again.status).toBe(502);
    expect(((await again.json()) as Json).code).toBe('ExternalError.MkdirFailed.Exists');
    const deep = await mk('/~/a/b/c/');
    expect(deep.status).toBe(502);
    expect(((await deep.json()) as Json).message).toContain('No such file or directory');
  });
});

describe('consent for GCSv5 mapped collections', () => {
  it('answers 403 ConsentRequired, then works with a token that has the data_access scope', async () => {
    const res = await transfer.fileOperations.ls(HPC, { query: { path: '/~/images/' }, headers: bearer(tok) } as never);
    expect(res.status).toBe(403);
    const body = (await res.json()) as Json;
    expect(errors.isConsentRequiredError(body)).toBe(true);
    const scope = `${TRANSFER}[*https://auth.globus.org/scopes/${HPC}/data_access]`;
    expect(body).toMatchObject({ code: 'ConsentRequired', required_scopes: [scope], authorization_parameters: { required_scopes: [scope] } });

    const { json } = await login(sb, `${body.required_scopes.join(' ')} openid profile email`);
    const consented = transferToken(json);
    expect(consented.scope).toBe(scope);
    const ok = await transfer.fileOperations.ls(HPC, { query: { path: '/~/images/' }, headers: bearer(consented.access_token) } as never);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as Json).DATA.map((e: Json) => e.name)).toEqual(['hello-world:latest.sif', 'lolcow:latest.sif']);
    tok = consented.access_token;
  });
});

const get = async (id: string) => (await (await transfer.task.get(id, { headers: bearer(tok) })).json()) as Json;
const newSubmissionId = async () => ((await (await transfer.taskSubmission.submissionId({ headers: bearer(tok) })).json()) as Json).value as string;

describe('transfer tasks', () => {
  const submit = async (body: Json) => {
    const res = await transfer.taskSubmission.submitTransfer({ payload: body, headers: bearer(tok) } as never);
    return { status: res.status, json: (await res.json()) as Json };
  };
  const pull = async (src: string, dst: string, extra: Json = {}) =>
    submit({
      submission_id: await newSubmissionId(), source_endpoint: HPC, destination_endpoint: LAPTOP, label: 'container pull', verify_checksum: true,
      DATA: [{ DATA_TYPE: 'transfer_item', source_path: src, destination_path: dst, recursive: false }], ...extra,
    });

  it('accepts a transfer, moves bytes over time and really copies the file', async () => {
    const sid = await newSubmissionId();
    expect(sid).toMatch(/^[0-9a-f-]{36}$/);
    const body = {
      submission_id: sid, source_endpoint: HPC, destination_endpoint: LAPTOP, label: 'container pull', sync_level: 3, verify_checksum: true,
      DATA: [{ DATA_TYPE: 'transfer_item', source_path: '/~/images/hello-world:latest.sif', destination_path: '/~/incoming/hello-world:latest.sif', recursive: false }],
    };
    const first = await submit(body);
    expect(first.status).toBe(202);
    expect(first.json).toMatchObject({ DATA_TYPE: 'transfer_result', code: 'Accepted', submission_id: sid, task_link: { href: `/v0.10/task/${first.json.task_id}?format=json` } });
    const id = first.json.task_id as string;

    let t = await get(id);
    expect(t).toMatchObject({ DATA_TYPE: 'task', type: 'TRANSFER', status: 'ACTIVE', nice_status: 'Queued', is_ok: true, completion_time: null, bytes_transferred: 0, label: 'container pull', verify_checksum: true, sync_level: 3, source_endpoint_id: HPC, destination_endpoint_id: LAPTOP, destination_endpoint_display_name: 'sandbox-laptop (this machine)' });
    expect(t.request_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);

    sb.advance(1500); // 0.5 s queued, then 1 s at 100 kB/s
    t = await get(id);
    expect(t).toMatchObject({ status: 'ACTIVE', nice_status: 'OK', bytes_transferred: 100_000, files: 1 });
    sb.advance(1000);
    expect((await get(id)).bytes_transferred).toBe(200_000);
    sb.advance(5000);
    t = await get(id);
    expect(t).toMatchObject({ status: 'SUCCEEDED', nice_status: null, is_ok: null, fatal_error: null, files_transferred: 1, bytes_transferred: IMG_A.length, bytes_checksummed: IMG_A.length * 2, subtasks_succeeded: 2, subtasks_total: 2, subtasks_pending: 0 });
    expect(t.completion_time).toMatch(/\+00:00$/);
    expect(readFileSync(sb.endpointPath(LAPTOP, '/~/incoming/hello-world:latest.sif')).equals(IMG_A)).toBe(true);

    const dup = await submit(body);
    expect(dup.status).toBe(200);
    expect(dup.json).toMatchObject({ code: 'Duplicate', task_id: id });

    const ok = await (await transfer.task.getSuccessfulTransfers(id, { headers: bearer(tok) } as never)).json();
    expect(ok).toMatchObject({ DATA_TYPE: 'successful_transfers', next_marker: null, DATA: [{ DATA_TYPE: 'successful_transfer', source_path: '/~/images/hello-world:latest.sif', destination_path: '/~/incoming/hello-world:latest.sif' }] });
  });

  it('validates the body: no items, bad sync_level, unknown endpoint', async () => {
    const empty = await pull('/x', '/y', { DATA: [] });
    expect(empty.status).toBe(400);
    expect(empty.json).toMatchObject({ code: 'ClientError.BadRequest.NoTransferItems', message: 'A transfer requires at least one item' });
    expect((await pull('/x', '/y', { sync_level: 'checksum' })).status).toBe(400);
    const unknown = await pull('/x', '/y', { source_endpoint: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.code).toBe('EndpointNotFound');
  });

  it('fails a task with a fatal_error (injected, or a missing source file)', async () => {
    sb.failNextTask('PERMISSION_DENIED');
    const injected = await pull('/~/images/lolcow:latest.sif', '/~/incoming/lolcow.sif');
    sb.advance(2000);
    expect(await get(injected.json.task_id)).toMatchObject({ status: 'FAILED', fatal_error: { code: 'PERMISSION_DENIED', description: 'permission denied' }, faults: 1, nice_status: null });
    const missing = await pull('/~/images/absent.sif', '/~/incoming/absent.sif');
    sb.advance(2000);
    const t = await get(missing.json.task_id);
    expect(t).toMatchObject({ status: 'FAILED', fatal_error: { code: 'FILE_NOT_FOUND' }, subtasks_failed: 1 });
    expect(t.completion_time).not.toBeNull();
    expect(existsSync(sb.endpointPath(LAPTOP, '/~/incoming/absent.sif'))).toBe(false);
  });

  it('holds a task INACTIVE with a nice_status until it is resumed', async () => {
    sb.makeInactive('next', 'PAUSED_BY_ADMIN');
    const { json } = await pull('/~/images/lolcow:latest.sif', '/~/incoming/paused.sif');
    sb.advance(5000);
    expect(await get(json.task_id)).toMatchObject({ status: 'INACTIVE', nice_status: 'PAUSED_BY_ADMIN', is_ok: false, is_paused: true, bytes_transferred: 0 });
    const inactive = (await (await transfer.task.getAll({ query: { filter: 'status:INACTIVE' }, headers: bearer(tok) })).json()) as Json;
    expect(inactive.DATA.map((d: Json) => d.task_id)).toEqual([json.task_id]);
    sb.resumeTask(json.task_id);
    sb.advance(1000);
    expect((await get(json.task_id)).status).toBe('SUCCEEDED');
  });

  it('keeps a task ACTIVE but not OK while the GCP endpoint is offline', async () => {
    sb.setEndpointConnected(LAPTOP, false);
    const { json } = await pull('/~/images/lolcow:latest.sif', '/~/incoming/later.sif');
    sb.advance(3000);
    expect(await get(json.task_id)).toMatchObject({ status: 'ACTIVE', nice_status: 'GC_NOT_CONNECTED', is_ok: false, bytes_transferred: 0 });
    sb.setEndpointConnected(LAPTOP, true);
    sb.advance(1000);
    expect((await get(json.task_id)).status).toBe('SUCCEEDED');
  });

  it('cancels an active task, and says TaskComplete afterwards', async () => {
    sb.stallTask('next');
    const { json } = await pull('/~/images/hello-world:latest.sif', '/~/incoming/cancelled.sif');
    const id = json.task_id as string;
    const res = await transfer.task.cancel(id, { headers: bearer(tok) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ DATA_TYPE: 'result', code: 'Canceled', message: 'The task has been cancelled successfully.' });
    expect(await get(id)).toMatchObject({ status: 'FAILED', fatal_error: { code: 'CANCELED', description: 'canceled' } });
    const again = (await (await transfer.task.cancel(id, { headers: bearer(tok) })).json()) as Json;
    expect(again.code).toBe('TaskComplete');
    const events = (await (await transfer.task.getEventList(id, { headers: bearer(tok) } as never)).json()) as Json;
    expect(events.DATA[0]).toMatchObject({ DATA_TYPE: 'event', code: 'CANCELED', is_error: true });
  });

  it('skips a file already in place under sync_level 1 and counts it in files_skipped', async () => {
    const first = await pull('/~/images/lolcow:latest.sif', '/~/incoming/synced.sif', { sync_level: 1 });
    sb.advance(2000);
    expect((await get(first.json.task_id)).files_transferred).toBe(1);
    const second = await pull('/~/images/lolcow:latest.sif', '/~/incoming/synced.sif', { sync_level: 1 });
    sb.advance(2000);
    expect(await get(second.json.task_id)).toMatchObject({ status: 'SUCCEEDED', files: 1, files_skipped: 1, files_transferred: 0, bytes_transferred: 0 });
  });

  it('refuses mkdir on a read-only endpoint and keeps tasks writing there stuck on PERMISSION_DENIED', async () => {
    const ro = sb.addEndpoint({ id: '5a0d8e1c-2b3f-4c6d-9e7f-8a9b0c1d2e3f', display_name: 'Read-only Archive', entity_type: 'GCSv5_guest_collection', writable: false, scopes: ['shared-with-me'] });
    const mk = await transfer.fileOperations.mkdir(ro.id, { payload: { path: '/new/' }, headers: bearer(tok) } as never);
    expect(mk.status).toBe(403);
    expect(((await mk.json()) as Json).code).toBe('ExternalError.MkdirFailed.PermissionDenied');
    const { json } = await pull('/~/images/lolcow:latest.sif', '/lolcow.sif', { destination_endpoint: ro.id });
    sb.advance(5000);
    expect(await get(json.task_id)).toMatchObject({ status: 'ACTIVE', nice_status: 'PERMISSION_DENIED', is_ok: false, faults: 1 });
    await transfer.task.cancel(json.task_id, { headers: bearer(tok) });
  });

  it('answers 404 ClientError.NotFound for an unknown task', async () => {
    const res = await transfer.task.get('00000000-0000-4000-8000-000000000000', { headers: bearer(tok) });
    expect(res.status).toBe(404);
    expect(((await res.json()) as Json).code).toBe('ClientError.NotFound');
  });

  it('copies a folder recursively and pages successful_transfers by marker', async () => {
    const page = await startGlobusSandbox({ timeScale: 0, successfulTransfersPageSize: 2 });
    try {
      pointSdkAt(page);
      const t = transferToken((await login(page)).json).access_token;
      mkdirSync(page.endpointPath(LAB, '/set'), { recursive: true });
      for (const n of ['a.sif', 'b.sif', 'c.sif']) writeFileSync(page.endpointPath(LAB, `/set/${n}`), n);
      const sid = ((await (await transfer.taskSubmission.submissionId({ headers: bearer(t) })).json()) as Json).value;
      const sub = (await (await transfer.taskSubmission.submitTransfer({
        payload: { submission_id: sid, source_endpoint: LAB, destination_endpoint: LAPTOP, DATA: [{ DATA_TYPE: 'transfer_item', source_path: '/set/', destination_path: '/~/set/', recursive: true }] },
        headers: bearer(t),
      } as never)).json()) as Json;
      page.advance(5000);
      const doc = (await (await transfer.task.get(sub.task_id, { headers: bearer(t) })).json()) as Json;
      expect(doc).toMatchObject({ status: 'SUCCEEDED', files: 3, directories: 1, files_transferred: 3 });
      const p1 = (await (await transfer.task.getSuccessfulTransfers(sub.task_id, { headers: bearer(t) } as never)).json()) as Json;
      expect(p1.DATA).toHaveLength(2);
      expect(p1.next_marker).toBe(2);
      const p2 = (await (await transfer.task.getSuccessfulTransfers(sub.task_id, { query: { marker: p1.next_marker }, headers: bearer(t) } as never)).json()) as Json;
      expect(p2).toMatchObject({ marker: 2, next_marker: null, DATA: [{ source_path: '/set/c.sif', destination_path: '/~/set/c.sif' }] });
      expect(readFileSync(page.endpointPath(LAPTOP, '/~/set/b.sif'), 'utf8')).toBe('b.sif');
    } finally {
      pointSdkAt(sb);
      await page.close();
    }
  });

  it('lists tasks with limit, offset, length and total', async () => {
    const res = (await (await transfer.task.getAll({ query: { limit: 2, offset: 0 }, headers: bearer(tok) })).json()) as Json;
    expect(res).toMatchObject({ DATA_TYPE: 'task_list', limit: 2, offset: 0, length: 2 });
    expect(res.total).toBeGreaterThanOrEqual(6);
    const failed = (await (await transfer.task.getAll({ query: { filter: 'status:FAILED/type:TRANSFER' }, headers: bearer(tok) })).json()) as Json;
    expect(failed.DATA.every((d: Json) => d.status === 'FAILED')).toBe(true);
  });
});

describe('delete tasks', () => {
  const submitDelete = async (body: Json, token = tok) => {
    const res = await transfer.taskSubmission.submitDelete({ payload: body, headers: bearer(token) } as never);
    return { status: res.status, json: (await res.json()) as Json };
  };
  const del = async (paths: string[], extra: Json = {}) =>
    submitDelete({ submission_id: await newSubmissionId(), endpoint: LAB, label: 'sreg delete', DATA: paths.map((path) => ({ DATA_TYPE: 'delete_item', path })), ...extra });
  const taskIds = async () => ((await (await transfer.task.getAll({ query: { limit: 1000 }, headers: bearer(tok) })).json()) as Json).DATA.map((d: Json) => d.task_id);
  const put = (path: string, text = 'x') => {
    mkdirSync(join(sb.endpointPath(LAB, path), '..'), { recursive: true });
    writeFileSync(sb.endpointPath(LAB, path), text);
  };

  it('deletes a file; the same submission_id again is a Duplicate of the same task, not a second one', async () => {
    put('/trash/old.sif');
    const sid = await newSubmissionId();
    const body = { submission_id: sid, endpoint: LAB, recursive: false, ignore_missing: false, interpret_globs: false, label: 'sreg delete', notify_on_succeeded: false, notify_on_failed: true, DATA: [{ DATA_TYPE: 'delete_item', path: '/trash/old.sif' }] };
    const first = await submitDelete(body);
    expect(first.status).toBe(202);
    const id = first.json.task_id as string;
    expect(first.json).toEqual({
      DATA_TYPE: 'delete_result', code: 'Accepted', message: 'The delete has been accepted and a task has been created and queued for execution',
      request_id: expect.any(String), resource: '/delete', submission_id: sid, task_id: id,
      task_link: { DATA_TYPE: 'link', href: `/v0.10/task/${id}?format=json`, rel: 'related', resource: 'task', title: 'related task' },
    });
    expect(await get(id)).toMatchObject({ type: 'DELETE', status: 'ACTIVE', nice_status: 'Queued', label: 'sreg delete', source_endpoint_id: LAB, destination_endpoint_id: null });
    sb.advance(1000);
    expect(await get(id)).toMatchObject({ status: 'SUCCEEDED', fatal_error: null, files: 1, directories: 0, bytes_transferred: 0, subtasks_total: 1, subtasks_succeeded: 1 });
    expect(existsSync(sb.endpointPath(LAB, '/trash/old.sif'))).toBe(false);

    const before = await taskIds();
    const dup = await submitDelete(body);
    expect(dup.status).toBe(200);
    expect(dup.json).toMatchObject({ DATA_TYPE: 'delete_result', code: 'Duplicate', task_id: id });
    expect(await taskIds()).toEqual(before);
    const deletes = (await (await transfer.task.getAll({ query: { filter: 'type:DELETE' }, headers: bearer(tok) })).json()) as Json;
    expect(deletes.DATA.map((d: Json) => d.task_id)).toContain(id);
    expect(deletes.DATA.every((d: Json) => d.type === 'DELETE')).toBe(true);
  });

  it('fails on a missing path with NOT_FOUND unless ignore_missing, and deletes none of the other paths', async () => {
    put('/trash/kept.sif');
    const missing = await del(['/trash/kept.sif', '/trash/absent.sif']);
    sb.advance(1000);
    expect(await get(missing.json.task_id)).toMatchObject({ status: 'FAILED', fatal_error: { code: 'NOT_FOUND', description: expect.stringContaining('/trash/absent.sif') }, files: 0 });
    expect(existsSync(sb.endpointPath(LAB, '/trash/kept.sif'))).toBe(true);
    const ignored = await del(['/trash/kept.sif', '/trash/absent.sif'], { ignore_missing: true });
    sb.advance(1000);
    expect(await get(ignored.json.task_id)).toMatchObject({ status: 'SUCCEEDED', files: 1 });
    expect(existsSync(sb.endpointPath(LAB, '/trash/kept.sif'))).toBe(false);
  });

  it('fails on a folder without recursive, and deletes it and everything in it with recursive', async () => {
    put('/runs/a/1.sif');
    put('/runs/a/2.sif');
    put('/runs/b/3.sif');
    const flat = await del(['/runs/']);
    sb.advance(1000);
    expect(await get(flat.json.task_id)).toMatchObject({ status: 'FAILED', fatal_error: { code: 'IS_A_DIRECTORY' } });
    expect(existsSync(sb.endpointPath(LAB, '/runs/a/1.sif'))).toBe(true);
    const deep = await del(['/runs/'], { recursive: true });
    sb.advance(1000);
    expect(await get(deep.json.task_id)).toMatchObject({ status: 'SUCCEEDED', files: 3, directories: 3, bytes_transferred: 0 });
    expect(existsSync(sb.endpointPath(LAB, '/runs'))).toBe(false);
  });

  it('refuses empty DATA, a missing endpoint, an unknown one, and a collection without consent', async () => {
    const empty = await del([]);
    expect(empty.status).toBe(400);
    expect(empty.json).toMatchObject({ code: 'ClientError.BadRequest', message: 'A delete requires at least one item', request_id: expect.any(String), resource: '/delete' });
    const noEndpoint = await del(['/x'], { endpoint: undefined });
    expect(noEndpoint.status).toBe(400);
    expect(noEndpoint.json.code).toBe('ClientError.BadRequest');
    expect((await del(['/x'], { endpoint: '00000000-0000-4000-8000-000000000000' })).json.code).toBe('EndpointNotFound');
    sb.forgetConsents(); // tokens already issued keep theirs
    const plain = transferToken((await login(sb)).json).access_token as string;
    const denied = await submitDelete({ submission_id: await newSubmissionId(), endpoint: HPC, DATA: [{ DATA_TYPE: 'delete_item', path: '/~/images/lolcow:latest.sif' }] }, plain);
    expect(denied.status).toBe(403);
    expect(denied.json.code).toBe('ConsentRequired');
  });
});

describe('real time, scaled', () => {
  it('finishes a task well under a second with timeScale, and keeps state across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sreg-globus-persist-'));
    try {
      let fast = await startGlobusSandbox({ dataDir: dir, timeScale: 1000 });
      pointSdkAt(fast);
      seedGlobusSandbox(fast, [join(files, 'lolcow.sif')]);
      const xfer = transferToken((await login(fast)).json);
      const t = xfer.access_token as string;
      const sid = ((await (await transfer.taskSubmission.submissionId({ headers: bearer(t) })).json()) as Json).value;
      const started = Date.now();
      const sub = (await (await transfer.taskSubmission.submitTransfer({
        payload: { submission_id: sid, source_endpoint: LAB, destination_endpoint: LAPTOP, DATA: [{ DATA_TYPE: 'transfer_item', source_path: '/images/lolcow.sif', destination_path: '/~/lolcow.sif' }] },
        headers: bearer(t),
      } as never)).json()) as Json;
      let status = '';
      while (status !== 'SUCCEEDED' && Date.now() - started < 2000) {
        status = ((await (await transfer.task.get(sub.task_id, { headers: bearer(t) })).json()) as Json).status;
        if (status !== 'SUCCEEDED') await new Promise((r) => setTimeout(r, 10));
      }
      expect(status).toBe('SUCCEEDED');
      expect(Date.now() - started).toBeLessThan(1000);
      await fast.close();

      fast = await startGlobusSandbox({ dataDir: dir, timeScale: 1000 });
      pointSdkAt(fast);
      expect((await transfer.task.get(sub.task_id, { headers: bearer(t) })).status).toBe(200);
      const refreshed = await auth.oauth2.token.refresh({ payload: { grant_type: 'refresh_token', refresh_token: xfer.refresh_token, client_id: CID } });
      expect(refreshed.status).toBe(200);
      await fast.close();
    } finally {
      pointSdkAt(sb);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('request log', () => {
  it('records method, path, query and status of every request', () => {
    const ls = sb.requests.find((r) => r.path.endsWith('/ls') && r.status === 404);
    expect(ls).toMatchObject({ method: 'GET', path: `/v0.10/operation/endpoint/${LAPTOP}/ls`, query: { path: '/~/nope/' } });
    expect(typeof ls?.ms).toBe('number');
  });
});
