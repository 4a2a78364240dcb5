// Dropbox credentials: SREGISTRY_DROPBOX_TOKEN (as sregistry-cli), a pasted token, or PKCE with an app
// key (token_access_type=offline) whose refresh token lives in the secret store. We refresh ourselves
// rather than through the SDK: it neither persists tokens, dedupes refreshes, nor retries on 401 (§6).
import { createHash, randomBytes } from 'node:crypto';
import { AuthRequiredError, RemoteError, UsageError } from '../../../core/errors.js';
import type { SecretStore } from '../../auth/tokens.js';
import type { Env } from '../../config.js';
import { log, registerSecret } from '../../log.js';
import { httpFetch, routeOf, type DropboxHosts } from './client.js';
import { LOGIN_AGAIN } from './errors.js';

export const SECRET_KEY = 'dropbox';
export const SCOPES = ['account_info.read', 'files.metadata.read', 'files.content.read', 'files.content.write', 'sharing.read', 'sharing.write'];
/** Refresh this long before the stated expiry, so a long transfer never starts with a dying token. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export interface DropboxSecret {
  accessToken?: string;
  /** Epoch milliseconds; absent for long-lived pasted tokens. */
  expiresAt?: number;
  /** When to refresh: 5 minutes before expiry, or a quarter of the lifetime for short-lived tokens. */
  refreshAt?: number;
  refreshToken?: string;
  appKey?: string;
  who?: string;
  accountId?: string;
  [key: string]: unknown;
}

interface TokenResponse {
  access_token: string;
  expires_in?: number;
  refresh_token?: string;
  account_id?: string;
  uid?: string;
}

const b64url = (b: Buffer) => b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = b64url(randomBytes(64));
  return { verifier, challenge: b64url(createHash('sha256').update(verifier).digest()) };
}

/** expiresAt and refreshAt for a token that lives `seconds`. */
export function expiry(seconds: number | undefined): { expiresAt?: number; refreshAt?: number } {
  if (!seconds) return { expiresAt: undefined, refreshAt: undefined };
  const now = Date.now();
  return { expiresAt: now + seconds * 1000, refreshAt: now + seconds * 1000 - Math.min(REFRESH_MARGIN_MS, (seconds * 1000) / 4) };
}

function fresh(s: DropboxSecret): boolean {
  if (!s.expiresAt) return true;
  return Date.now() < (s.refreshAt ?? s.expiresAt - REFRESH_MARGIN_MS);
}

export class DropboxAuth {
  private refreshing?: Promise<string>;

  constructor(
    private readonly env: Env,
    private readonly secrets: SecretStore,
    private readonly hosts: DropboxHosts,
    private readonly appKeySetting: () => string | undefined,
  ) {
    registerSecret(env.SREGISTRY_DROPBOX_TOKEN);
  }

  appKey(): string | undefined {
    return this.env.SREG_DROPBOX_APP_KEY || this.appKeySetting() || undefined;
  }

  envToken(): string | undefined {
    return this.env.SREGISTRY_DROPBOX_TOKEN?.trim() || undefined;
  }

  stored(): DropboxSecret | undefined {
    return this.secrets.get<DropboxSecret>(SECRET_KEY);
  }

  /** A token good for at least a few minutes: refreshed first when it is about to expire. */
  async token(): Promise<string> {
    return this.envToken() ?? this.storedToken();
  }

  /** The saved login's token (ignoring SREGISTRY_DROPBOX_TOKEN), refreshed when due. */
  async storedToken(): Promise<string> {
    const s = this.stored();
    if (!s?.accessToken && !s?.refreshToken) throw new AuthRequiredError('not logged in to Dropbox; log in: sreg login dropbox (or set SREGISTRY_DROPBOX_TOKEN)');
    if (s.accessToken && fresh(s)) return s.accessToken;
    if (!s.refreshToken) throw new AuthRequiredError(`your Dropbox login has expired; ${LOGIN_AGAIN}`);
    return this.refresh(s.accessToken);
  }

  /** Called after a 401 expired_access_token for `stale`: one refresh, shared by every caller. */
  async expired(stale: string): Promise<string> {
    if (this.envToken()) throw new AuthRequiredError(`SREGISTRY_DROPBOX_TOKEN has expired; set a new one or ${LOGIN_AGAIN}`);
    const s = this.stored();
    if (s?.accessToken && s.accessToken !== stale && (!s.expiresAt || s.expiresAt > Date.now())) return s.accessToken; // someone refreshed already
    if (!s?.refreshToken) throw new AuthRequiredError(`your Dropbox login has expired; ${LOGIN_AGAIN}`);
    return this.refresh(stale);
  }

  /** Dedupes concurrent refreshes in this process; re-reads the store first in case another process refreshed. */
  private refresh(stale: string | undefined): Promise<string> {
    this.refreshing ??= (async () => {
      try {
        const s = this.stored();
        if (s?.accessToken && s.accessToken !== stale && s.expiresAt && fresh(s)) return s.accessToken;
        const appKey = s?.appKey ?? this.appKey();
        if (!s?.refreshToken || !appKey) throw new AuthRequiredError(`your Dropbox login has expired; ${LOGIN_AGAIN}`);
        const t = await this.tokenRequest({ grant_type: 'refresh_token', refresh_token: s.refreshToken, client_id: appKey });
        const patch: DropboxSecret = { accessToken: t.access_token, ...expiry(t.expires_in) };
        if (t.refresh_token) patch.refreshToken = t.refresh_token;
        this.secrets.update(SECRET_KEY, patch);
        log('auth', `dropbox access token refreshed (valid ${t.expires_in ?? '?'} s)`);
        return t.access_token;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** POST /oauth2/token with a form body; invalid_grant means the saved login is gone. */
  async tokenRequest(params: Record<string, string>): Promise<TokenResponse> {
    const url = `${this.hosts.oauth}/oauth2/token`;
    let res;
    try {
      res = await httpFetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params).toString(),
      });
    } catch (e) {
      log('http', `POST ${routeOf(url)} -> ${(e as Error).message}`);
      throw new RemoteError(`cannot reach Dropbox to sign in: ${(e as Error).message}`);
    }
    log('http', `POST ${routeOf(url)} (${params.grant_type}) -> ${res.status}`);
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* text error */
    }
    if (!res.ok || typeof body.access_token !== 'string') {
      const why = typeof body.error_description === 'string' ? body.error_description : typeof body.error === 'string' ? body.error : text.slice(0, 200);
      if (params.grant_type === 'refresh_token' || body.error === 'invalid_grant') {
        throw new AuthRequiredError(`Dropbox refused the sign-in (${why || res.status}); ${LOGIN_AGAIN}`);
      }
      throw new RemoteError(`Dropbox sign-in failed: ${why || 'HTTP ' + res.status}`, res.status);
    }
    registerSecret(body.access_token as string);
    registerSecret(body.refresh_token as string | undefined);
    return body as unknown as TokenResponse;
  }

  /** The browser URL for the PKCE code flow (no redirect: Dropbox shows the code to paste). */
  authorizeUrl(challenge: string, scopes: string[] = SCOPES): string {
    const appKey = this.appKey();
    if (!appKey) {
      throw new UsageError('no Dropbox app key: set SREG_DROPBOX_APP_KEY (or dropboxAppKey in settings), or paste a token: sreg login dropbox --token');
    }
    const q = new URLSearchParams({
      client_id: appKey,
      response_type: 'code',
      token_access_type: 'offline',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: scopes.join(' '),
    });
    return `${this.hosts.web}/oauth2/authorize?${q.toString()}`;
  }

  async exchangeCode(code: string, verifier: string): Promise<TokenResponse & { appKey: string }> {
    const appKey = this.appKey();
    if (!appKey) throw new UsageError('no Dropbox app key: set SREG_DROPBOX_APP_KEY');
    const t = await this.tokenRequest({ grant_type: 'authorization_code', code: code.trim(), client_id: appKey, code_verifier: verifier });
    if (!t.refresh_token) log('auth', 'dropbox: no refresh token in the code exchange (app without offline access?)');
    return { ...t, appKey };
  }

  save(secret: DropboxSecret): void {
    this.secrets.set(SECRET_KEY, secret);
  }

  forget(): void {
    this.secrets.delete(SECRET_KEY);
  }
}
