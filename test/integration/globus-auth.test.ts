// Globus login against the sandbox: PKCE native-app flow, tokens saved per resource server, refresh
// (before expiry and on 401) with the new tokens saved, ConsentRequired → second login → success, logout.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { ConsentRequiredError } from '../../src/core/errors.js';
import { SANDBOX_HPC_ID, SANDBOX_LAB_ID } from '../../src/sandbox/globus.js';
import { DEFAULT_CLIENT_ID } from '../../src/services/backends/globus/auth.js';
import { harness, type Harness } from './globus-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const secretsFile = (x: Harness) => join(x.env.XDG_CONFIG_HOME!, 'sreg', 'secrets.json');
const secrets = (x: Harness) => JSON.parse(readFileSync(secretsFile(x), 'utf8')) as Record<string, Record<string, unknown>>;
const TRANSFER = 'globus:transfer.api.globus.org';

describe('Globus login', () => {
  test('PKCE login with offline access stores one token per resource server (file mode 0600)', async () => {
    h = await harness();
    const flow = h.globus.login();
    const start = await flow.start();
    expect(start.expects).toBe('code');
    const url = new URL(start.url!);
    expect(url.origin).toBe(h.sandbox.url);
    expect(url.pathname).toBe('/v2/oauth2/authorize');
    const q = url.searchParams;
    expect(q.get('client_id')).toBe(DEFAULT_CLIENT_ID);
    expect(q.get('redirect_uri')).toBe('https://auth.globus.org/v2/web/auth-code');
    expect(q.get('access_type')).toBe('offline');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('scope')!.split(' ')).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'urn:globus:auth:scope:transfer.api.globus.org:all']));
    const { who } = await flow.finish(h.approve(start.url!));
    expect(who).toBe(h.sandbox.user.username);

    const s = secrets(h);
    expect(s[TRANSFER]!.refresh_token).toBeTruthy();
    expect(s['globus:auth.globus.org']!.access_token).toBeTruthy();
    expect(s.globus!.who).toBe(h.sandbox.user.username);
    expect(statSync(secretsFile(h)).mode & 0o777).toBe(0o600);
    expect((await h.globus.status()).loggedIn).toBe(true);
    // A code works once: pasting it again is refused with a clear message.
    await expect(flow.finish('not-a-code')).rejects.toThrow(/did not accept the code/);
  });

  test('the client id comes from SREG_GLOBUS_CLIENT_ID (the sandbox only accepts that one)', async () => {
    const id = '11111111-2222-4333-8444-555555555555';
    h = await harness({ clientId: id });
    h.env.SREG_GLOBUS_CLIENT_ID = id;
    const reopened = await h.reopen();
    const g = (await reopened.backend('globus')) as Harness['globus'];
    const start = await g.login().start();
    expect(new URL(start.url!).searchParams.get('client_id')).toBe(id);
    await reopened.close();
  });

  test('an expired access token is refreshed before the call and the new one is saved', async () => {
    h = await harness();
    await h.login();
    const before = secrets(h)[TRANSFER]!;
    // Make the saved token look expired: sreg must refresh before calling Transfer.
    const all = secrets(h);
    all[TRANSFER]!.expires_at = Date.now() - 1000;
    writeFileSync(secretsFile(h), JSON.stringify(all));
    h.sandbox.requests.length = 0;
    await h.globus.search('', { scope: 'my-endpoints' });
    expect(h.sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v2/oauth2/token', 'GET /v0.10/endpoint_search']);
    const after = secrets(h)[TRANSFER]!;
    expect(after.access_token).not.toBe(before.access_token);
    expect(after.refresh_token).toBe(before.refresh_token);
    expect(after.expires_at as number).toBeGreaterThan(Date.now());
  });

  test('a 401 (token expired at Globus) refreshes once, retries, and saves rotated refresh tokens', async () => {
    h = await harness({ rotateRefreshTokens: true });
    await h.login();
    const before = secrets(h)[TRANSFER]!;
    h.sandbox.expireTokens();
    h.sandbox.requests.length = 0;
    const hits = await h.globus.search('', { scope: 'shared-with-me' });
    expect(hits.map((x) => x.fields?.id)).toContain(SANDBOX_LAB_ID);
    expect(h.sandbox.requests.map((r) => `${r.path} ${r.status}`)).toEqual(['/v0.10/endpoint_search 401', '/v2/oauth2/token 200', '/v0.10/endpoint_search 200']);
    const after = secrets(h)[TRANSFER]!;
    expect(after.access_token).not.toBe(before.access_token);
    expect(after.refresh_token).not.toBe(before.refresh_token); // rotated, and saved
    // A new process (services reopened) uses the saved pair without logging in again.
    h.sandbox.expireTokens();
    const reopened = await h.reopen();
    const g = (await reopened.backend('globus')) as Harness['globus'];
    await expect(g.search('', { scope: 'my-endpoints' })).resolves.not.toHaveLength(0);
    await reopened.close();
  });

  test('ConsentRequired on a mapped collection → login with required_scopes → the listing works', async () => {
    h = await harness();
    await h.login();
    const err = await h.globus.list(`globus://${SANDBOX_HPC_ID}/~/`).catch((e) => e);
    expect(err).toBeInstanceOf(ConsentRequiredError);
    const scopes = (err as ConsentRequiredError).requiredScopes;
    expect(scopes.join(' ')).toContain(`${SANDBOX_HPC_ID}/data_access`);
    // What the TUI does: log in again with those scopes, then retry.
    const flow = h.globus.login({ scopes });
    const start = await flow.start();
    expect(new URL(start.url!).searchParams.get('scope')).toContain(`https://auth.globus.org/scopes/${SANDBOX_HPC_ID}/data_access`);
    expect(start.instructions.join(' ')).toContain(SANDBOX_HPC_ID);
    await flow.finish(h.approve(start.url!));
    const listing = await h.globus.list(`globus://${SANDBOX_HPC_ID}/~/`);
    expect(listing.entries.map((e) => e.name)).toEqual(expect.arrayContaining(['.singularity', 'images', 'latest.sif']));
    // The consent is remembered: a later plain login asks for it again.
    const again = new URL((await h.globus.login().start()).url!).searchParams.get('scope')!;
    expect(again).toContain(`${SANDBOX_HPC_ID}/data_access`);
  });

  test('after ConsentRequired a plain `sreg login globus` asks for the missing consent', async () => {
    h = await harness();
    await h.login();
    await expect(h.globus.list(`globus://${SANDBOX_HPC_ID}/~/`)).rejects.toThrow(/sreg login globus/);
    await h.login(); // no scopes given: the pending ones are added
    await expect(h.globus.list(`globus://${SANDBOX_HPC_ID}/~/`)).resolves.toBeTruthy();
  });

  test('logout revokes the tokens at Globus and forgets them', async () => {
    h = await harness();
    await h.login();
    const saved = secrets(h)[TRANSFER]!;
    h.sandbox.requests.length = 0;
    await h.globus.logout();
    expect(h.sandbox.requests.filter((r) => r.path === '/v2/oauth2/token/revoke').length).toBeGreaterThanOrEqual(2);
    expect(secrets(h)[TRANSFER]).toBeUndefined();
    expect(secrets(h).globus).toBeUndefined();
    expect((await h.globus.status()).loggedIn).toBe(false);
    // The revoked refresh token no longer works at Globus.
    const res = await fetch(`${h.sandbox.url}/v2/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: String(saved.refresh_token), client_id: DEFAULT_CLIENT_ID }),
    });
    expect(res.ok).toBe(false);
    await expect(h.globus.search('', {})).rejects.toThrow(/sreg login globus/);
  });
});
