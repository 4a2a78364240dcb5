// The fidelity proof: Dropbox's own Python SDK (Debian python3-dropbox 11.34), which validates
// every response strictly, runs a full session against the sandbox over TLS
// (test/fixtures/dropbox_fidelity.py). Skipped only when /usr/bin/python3 cannot import dropbox.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDropboxSandbox, type DropboxSandbox } from '../../src/sandbox/dropbox.js';
import { makeCerts } from '../helpers/certs.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, '..', 'fixtures', 'dropbox_fidelity.py');
const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const APP_KEY = 'sregfidelityapp';

const probe = spawnSync(PYTHON, ['-c', 'import dropbox'], { encoding: 'utf8' });
const hasSdk = probe.status === 0;
const title = hasSdk
  ? 'python3-dropbox against the sandbox over TLS'
  : `python3-dropbox fidelity (skipped: ${PYTHON} cannot import dropbox; apt-get install -y python3-dropbox)`;

interface Step {
  ok: boolean;
  error?: string;
  trace?: string;
  [k: string]: unknown;
}

describe.skipIf(!hasSdk)(title, () => {
  let dir: string;
  let sb: DropboxSandbox;
  let report: { version: string; steps: Record<string, Step> };
  let stderr = '';
  const events: string[] = [];
  let authorizeUrl: URL | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sreg-dbx-fidelity-'));
    const { key, cert, ca } = makeCerts(dir);
    const bundle = join(dir, 'bundle.pem');
    writeFileSync(bundle, `${readFileSync(SYSTEM_BUNDLE, 'utf8')}\n${ca}`);
    sb = await startDropboxSandbox({ tls: { key, cert }, appKey: APP_KEY, pageSize: 3 });
    sb.faults.add({ route: 'users/get_space_usage', kind: 'status', status: 429, retryAfter: 1 });
    const host = `127.0.0.1:${sb.port}`;
    const child = spawn(PYTHON, [SCRIPT], {
      env: {
        ...process.env,
        REQUESTS_CA_BUNDLE: bundle,
        CURL_CA_BUNDLE: bundle,
        DROPBOX_API_HOST: host,
        DROPBOX_API_CONTENT_HOST: host,
        DROPBOX_WEB_HOST: host,
        SANDBOX_APP_KEY: APP_KEY,
        NO_PROXY: '127.0.0.1,localhost',
        no_proxy: '127.0.0.1,localhost',
        PYTHONWARNINGS: 'ignore',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    report = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`python timed out; stderr:\n${stderr}`)), 45_000);
      child.on('exit', (code) => {
        if (!report) reject(new Error(`python exited ${code} without a report; stderr:\n${stderr}`));
      });
      createInterface({ input: child.stdout }).on('line', (line) => {
        const msg = JSON.parse(line) as { event: string; url?: string; challenge?: string } & typeof report;
        events.push(msg.event);
        if (msg.event === 'authorize') {
          authorizeUrl = new URL(msg.url!);
          const code = sb.approveAuthorization(msg.challenge!, {
            appKey: authorizeUrl.searchParams.get('client_id') ?? undefined,
          });
          child.stdin.write(`${code}\n`);
        } else if (msg.event === 'expire') {
          sb.expireAllTokens();
          child.stdin.write('ok\n');
        } else if (msg.event === 'report') {
          clearTimeout(timer);
          resolve(msg);
        }
      });
    });
  }, 60_000);

  afterAll(async () => {
    await sb?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A step's result, failing with the Python traceback when it raised. */
  function step(name: string): Step {
    const s = report.steps[name];
    expect(s, `step ${name} missing`).toBeDefined();
    expect(s.ok, `${name} failed: ${s.error}\n${s.trace ?? ''}`).toBe(true);
    return s;
  }

  it('runs the SDK version the contract was checked against', () => {
    expect(report.version).toBe('11.34.0');
    expect(events).toEqual(['authorize', 'expire', 'report']);
  });

  it('PKCE: the authorize URL points at the sandbox and the code exchange satisfies the SDK', () => {
    expect(authorizeUrl?.host).toBe(`127.0.0.1:${sb.port}`);
    expect(authorizeUrl?.pathname).toBe('/oauth2/authorize');
    expect(authorizeUrl?.searchParams.get('code_challenge_method')).toBe('S256');
    const s = step('pkce');
    expect(s.account_id).toHaveLength(40);
    expect(s.has_refresh).toBe(true);
  });

  it('users_get_current_account decodes', () => {
    expect(step('account').account_id).toHaveLength(40);
  });

  it('files_upload returns metadata with the real content hash', () => {
    const s = step('upload');
    expect(s.content_hash).toBe('9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50');
    expect(s.rev).toMatch(/^[0-9a-f]{9,}$/);
  });

  it('non-ASCII names survive the Dropbox-API-Arg and Dropbox-API-Result headers', () => {
    const s = step('upload_unicode');
    expect(s.name).toBe('ünïcødé 🐳.txt');
    expect(s.bytes).toBe('whale');
  });

  it('upload session: a wrong offset raises incorrect_offset and resuming from correct_offset works', () => {
    const s = step('session');
    expect(s.correct_offset).toBe(2 * 1024 * 1024);
    expect(s.size).toBe(5 * 1024 * 1024 + 12345);
    expect(s.hash_matches).toBe(true);
  });

  it('finish_batch_v2 commits closed sessions', () => {
    expect(step('finish_batch').success).toEqual([true, true]);
  });

  it('files_download returns the same bytes and content_hash', () => {
    const s = step('download');
    expect(s.bytes_match).toBe(true);
    expect(s.hash_matches).toBe(true);
  });

  it('get_temporary_link serves the file', () => {
    expect(step('temporary_link')).toMatchObject({ body: 'hello', size: 5 });
  });

  it('list_folder + continue page with a small limit', () => {
    const s = step('list_folder');
    expect(s.names).toEqual(['item0.txt', 'item1.txt', 'item2.txt', 'item3.txt', 'item4.txt']);
    expect(s.pages).toBe(3);
    expect(s.kinds).toEqual(['FileMetadata', 'FolderMetadata']);
  });

  it('a second shared link raises shared_link_already_exists with the first link', () => {
    const s = step('shared_link');
    expect(s).toMatchObject({ second_raised: true, already_exists: true, same_url: true, type: 'FileLinkMetadata' });
  });

  it('files_delete_v2 returns FileMetadata', () => {
    expect(step('delete')).toMatchObject({ type: 'FileMetadata', name: 'hello.txt' });
  });

  it('get_metadata of a missing path raises ApiError path/not_found', () => {
    expect(step('missing')).toMatchObject({ raised: true, path: true, not_found: true });
  });

  it('429 with Retry-After: the SDK waits and retries', () => {
    expect(step('rate_limited')).toMatchObject({ individual: true });
    const hits = sb.requests.filter((r) => r.path === '/2/users/get_space_usage').map((r) => r.status);
    expect(hits).toEqual([429, 200]);
  });

  it('after expiry the SDK refreshes on 401 expired_access_token; a refresh-token-only client works', () => {
    const s = step('refresh_after_expiry');
    expect(s.changed).toBe(true);
    expect(s.fresh_account_id).toBe(s.account_id);
    // Code exchange, refresh after the 401, the refresh-only client, then (revoke step) a refused refresh.
    const statuses = sb.requests.filter((r) => r.path === '/oauth2/token').map((r) => r.status);
    expect(statuses).toEqual([200, 200, 200, 400]);
    expect(sb.requests.some((r) => r.path === '/2/users/get_current_account' && r.status === 401)).toBe(true);
  });

  it('auth_token_revoke kills the access token and its refresh token', () => {
    expect(step('revoke')).toMatchObject({
      old_token_error: 'invalid_access_token',
      refresh_error: 'invalid_access_token',
    });
  });
});
