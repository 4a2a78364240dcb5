// OAuth 2 for the sandbox (§2): short-lived access tokens, refresh tokens, PKCE codes, bearer
// checks with Dropbox's AuthError bodies, the token endpoint and a small authorize page.
import { createHash, randomBytes } from 'node:crypto';
import { ACCOUNT_ID, UID } from './metadata.js';
import type { ApproveOptions, IssuedToken, IssueTokenOptions } from './types.js';
import { authError, BadRequest, JsonFailure } from './wire.js';

export const ALL_SCOPES = [
  'account_info.read',
  'files.metadata.read',
  'files.metadata.write',
  'files.content.read',
  'files.content.write',
  'sharing.read',
  'sharing.write',
];

const CODE_TTL_MS = 10 * 60 * 1000;

interface AccessRecord {
  token: string;
  expiresAt: number;
  scope: string[];
  refresh?: string;
  revoked?: boolean;
}

interface RefreshRecord {
  token: string;
  /** Undefined: the sandbox has no appKey and the token was minted for any app. */
  appKey?: string;
  scope: string[];
  revoked?: boolean;
}

interface CodeRecord {
  challenge: string;
  method: 'S256' | 'plain';
  appKey?: string;
  scope: string[];
  offline: boolean;
  redirectUri?: string;
  expiresAt: number;
  used: boolean;
}

export interface TokenState {
  access: AccessRecord[];
  refresh: RefreshRecord[];
}

function oauthError(error: string, description: string): JsonFailure {
  return new JsonFailure(400, { error, error_description: description });
}

export class TokenStore {
  private access = new Map<string, AccessRecord>();
  private refresh = new Map<string, RefreshRecord>();
  private codes = new Map<string, CodeRecord>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly appKey: string | undefined,
    private readonly onChange: () => void,
  ) {}

  snapshot(): TokenState {
    // Access tokens long dead are not worth keeping; refresh tokens live until revoked.
    const horizon = Date.now() - 7 * 24 * 3600 * 1000;
    for (const [k, a] of this.access) if (a.expiresAt < horizon) this.access.delete(k);
    return { access: [...this.access.values()], refresh: [...this.refresh.values()] };
  }

  restore(state: TokenState): void {
    for (const a of state.access) this.access.set(a.token, a);
    for (const r of state.refresh) this.refresh.set(r.token, r);
  }

  private mintAccess(scope: string[], ttlSeconds: number, refresh?: string): AccessRecord {
    const rec: AccessRecord = {
      token: `sl.u.${randomBytes(96).toString('base64url')}`,
      expiresAt: Date.now() + ttlSeconds * 1000,
      scope,
      refresh,
    };
    this.access.set(rec.token, rec);
    this.onChange();
    return rec;
  }

  private mintRefresh(scope: string[], appKey: string | undefined): RefreshRecord {
    const rec: RefreshRecord = { token: randomBytes(48).toString('base64url'), appKey, scope };
    this.refresh.set(rec.token, rec);
    return rec;
  }

  issue(opts: IssueTokenOptions = {}): IssuedToken {
    const scope = opts.scope ?? ALL_SCOPES;
    const ttl = opts.ttlSeconds ?? this.ttlSeconds;
    const rt = opts.refresh === false ? undefined : this.mintRefresh(scope, opts.appKey ?? this.appKey);
    const at = this.mintAccess(scope, ttl, rt?.token);
    return { accessToken: at.token, refreshToken: rt?.token, expiresIn: ttl };
  }

  expireAll(): void {
    const past = Date.now() - 1000;
    for (const a of this.access.values()) a.expiresAt = Math.min(a.expiresAt, past);
    this.onChange();
  }

  expire(token: string): void {
    const a = this.access.get(token);
    if (a) a.expiresAt = Math.min(a.expiresAt, Date.now() - 1000);
  }

  /** The bearer token of a request, checked: 400 text when absent or malformed, 401 JSON otherwise. */
  bearer(header: string | undefined): string {
    if (!header) throw new BadRequest('Must provide HTTP header "Authorization" or URL parameter "authorization".');
    const m = /^Bearer (\S+)$/.exec(header);
    if (!m) {
      throw new BadRequest(
        `Invalid authorization value in HTTP header "Authorization": "${header.slice(0, 20)}".  Expecting "Bearer <oauth2-access-token>".`,
      );
    }
    return m[1];
  }

  authenticate(token: string, requiredScope: string | undefined): AccessRecord {
    const rec = this.access.get(token);
    if (!rec || rec.revoked) throw authError('invalid_access_token');
    if (Date.now() >= rec.expiresAt) throw authError('expired_access_token');
    if (requiredScope && !rec.scope.includes(requiredScope)) {
      throw authError('missing_scope', { required_scope: requiredScope });
    }
    return rec;
  }

  /** auth/token/revoke: the access token, its refresh token and every token minted from that. */
  revoke(token: string): void {
    const rec = this.access.get(token);
    if (!rec) return;
    rec.revoked = true;
    if (rec.refresh) {
      const rt = this.refresh.get(rec.refresh);
      if (rt) rt.revoked = true;
      for (const a of this.access.values()) if (a.refresh === rec.refresh) a.revoked = true;
    }
    this.onChange();
  }

  approve(challenge: string, opts: ApproveOptions = {}): string {
    const code = randomBytes(32).toString('base64url');
    this.codes.set(code, {
      challenge,
      method: opts.method ?? 'S256',
      appKey: opts.appKey ?? this.appKey,
      scope: opts.scope ?? ALL_SCOPES,
      offline: (opts.tokenAccessType ?? 'offline') === 'offline',
      redirectUri: opts.redirectUri,
      expiresAt: Date.now() + CODE_TTL_MS,
      used: false,
    });
    return code;
  }

  /** Checks the client_id of an authorize or token request against the sandbox's app. */
  clientIdOk(clientId: string): boolean {
    return this.appKey === undefined || clientId === this.appKey;
  }

  /** POST /oauth2/token with the parameters from the query string and the form body merged. */
  exchange(params: URLSearchParams, basicClientId?: string): Record<string, unknown> {
    const grant = params.get('grant_type');
    const clientId = params.get('client_id') ?? basicClientId;
    if (!grant) throw oauthError('invalid_request', 'No grant_type provided.');
    if (!clientId) throw oauthError('invalid_request', 'No auth function available for given request');
    if (!this.clientIdOk(clientId)) throw oauthError('invalid_client', 'Invalid client_id or client_secret');
    if (grant === 'authorization_code') return this.exchangeCode(params, clientId);
    if (grant === 'refresh_token') return this.exchangeRefresh(params, clientId);
    throw oauthError('unsupported_grant_type', `grant_type "${grant}" is not supported`);
  }

  private exchangeCode(params: URLSearchParams, clientId: string): Record<string, unknown> {
    const code = params.get('code') ?? '';
    const rec = this.codes.get(code);
    if (!rec || rec.used || Date.now() > rec.expiresAt) {
      throw oauthError('invalid_grant', "code doesn't exist or has expired");
    }
    if (rec.appKey !== undefined && rec.appKey !== clientId) {
      throw oauthError('invalid_grant', 'code was issued to a different client');
    }
    const verifier = params.get('code_verifier');
    if (!verifier) throw oauthError('invalid_request', 'No auth function available for given request');
    const computed = rec.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
    if (computed !== rec.challenge) throw oauthError('invalid_grant', 'invalid code verifier');
    if ((params.get('redirect_uri') ?? undefined) !== rec.redirectUri) {
      throw oauthError('invalid_grant', 'redirect_uri mismatch');
    }
    rec.used = true;
    const rt = rec.offline ? this.mintRefresh(rec.scope, clientId) : undefined;
    const at = this.mintAccess(rec.scope, this.ttlSeconds, rt?.token);
    return {
      access_token: at.token,
      token_type: 'bearer',
      expires_in: this.ttlSeconds,
      ...(rt ? { refresh_token: rt.token } : {}),
      scope: rec.scope.join(' '),
      uid: UID,
      account_id: ACCOUNT_ID,
    };
  }

  private exchangeRefresh(params: URLSearchParams, clientId: string): Record<string, unknown> {
    const rt = this.refresh.get(params.get('refresh_token') ?? '');
    if (!rt) throw oauthError('invalid_grant', 'refresh token is malformed');
    if (rt.revoked) throw oauthError('invalid_grant', 'refresh token has been revoked');
    if (rt.appKey !== undefined && rt.appKey !== clientId) {
      throw oauthError('invalid_grant', 'refresh token was issued to a different client');
    }
    let scope = rt.scope;
    const asked = params.get('scope');
    if (asked) {
      scope = asked.split(/\s+/).filter(Boolean);
      if (!scope.every((s) => rt.scope.includes(s))) throw oauthError('invalid_scope', 'scope exceeds the grant');
    }
    const at = this.mintAccess(scope, this.ttlSeconds, rt.token);
    return { access_token: at.token, token_type: 'bearer', expires_in: this.ttlSeconds };
  }
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1>${body}</body></html>`;
}

export type AuthorizeOutcome =
  | { kind: 'page'; status: number; html: string }
  | { kind: 'redirect'; location: string };

/**
 * GET shows the consent page; POST (its Allow button) issues the code and shows it, or redirects
 * to redirect_uri with code and state when the app gave one.
 */
export function authorize(tokens: TokenStore, params: URLSearchParams, approved: boolean): AuthorizeOutcome {
  const clientId = params.get('client_id') ?? '';
  const fail = (msg: string): AuthorizeOutcome => ({ kind: 'page', status: 400, html: page('Error (400)', `<p>${esc(msg)}</p>`) });
  if (!clientId || !tokens.clientIdOk(clientId)) return fail('Invalid client_id.');
  if (params.get('response_type') !== 'code') return fail('Invalid response_type: this app must use "code".');
  const challenge = params.get('code_challenge') ?? '';
  const method = params.get('code_challenge_method') ?? 'plain';
  if (!challenge) return fail('This sandbox needs PKCE: code_challenge is missing.');
  if (method !== 'S256' && method !== 'plain') return fail('Invalid code_challenge_method.');
  const access = params.get('token_access_type') ?? 'legacy';
  if (!['offline', 'online', 'legacy'].includes(access)) return fail('Invalid token_access_type.');
  const redirectUri = params.get('redirect_uri') ?? undefined;
  if (!approved) {
    const hidden = [...params.entries()]
      .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
      .join('');
    return {
      kind: 'page',
      status: 200,
      html: page(
        'Allow access to your Dropbox?',
        `<p>The app <code>${esc(clientId)}</code> wants to read and write files in the sreg sandbox.</p>` +
          `<form method="post" action="/oauth2/authorize">${hidden}<button type="submit">Allow</button></form>`,
      ),
    };
  }
  const scope = params.get('scope')?.split(/\s+/).filter(Boolean);
  const code = tokens.approve(challenge, {
    appKey: clientId,
    method: method as 'S256' | 'plain',
    tokenAccessType: access as 'offline' | 'online' | 'legacy',
    scope: scope && scope.length ? scope : undefined,
    redirectUri,
  });
  if (redirectUri) {
    const u = new URL(redirectUri);
    u.searchParams.set('code', code);
    const state = params.get('state');
    if (state !== null) u.searchParams.set('state', state);
    return { kind: 'redirect', location: u.toString() };
  }
  return {
    kind: 'page',
    status: 200,
    html: page('Access code generated', `<p>Enter this code into the app:</p><p><code id="code">${esc(code)}</code></p>`),
  };
}
