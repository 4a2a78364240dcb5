// Globus Auth for a native app: authorization codes with PKCE, one token per resource server,
// refresh tokens only for offline access, revocation, and the bearer check Transfer relies on.
import { createHash, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { authUnauthorized, oauthError, randomAlnum } from './errors.js';
import { TRANSFER_SCOPE, dataAccessScope } from './endpoints.js';
import { dataAccessCollection, parseScopes } from './scopes.js';
import type { AuthorizationParams, SandboxIdentity } from './types.js';

export const AUTH_RS = 'auth.globus.org';
export const TRANSFER_RS = 'transfer.api.globus.org';
const IDENTITY_SCOPES = ['openid', 'profile', 'email', 'urn:globus:auth:scope:auth.globus.org:view_identities'];
const CODE_TTL_MS = 10 * 60 * 1000;

interface CodeGrant {
  client_id: string;
  code_challenge: string;
  redirect_uri: string;
  identityScopes: string[];
  transfer: boolean;
  dataAccess: string[];
  offline: boolean;
  state?: string;
  expiresAt: number;
}

export interface AccessToken {
  token: string;
  resource_server: string;
  scope: string;
  client_id: string;
  expiresAt: number;
  revoked: boolean;
  refresh?: string;
}

interface RefreshToken {
  token: string;
  resource_server: string;
  /** Identity scopes for auth.globus.org; the transfer scope string is rebuilt from consents. */
  scope: string;
  client_id: string;
  revoked: boolean;
}

export interface AuthSnapshot {
  access: AccessToken[];
  refresh: RefreshToken[];
  consents: Array<[string, string[]]>;
}

let signingKey: KeyObject | undefined;
function idTokenKey(): KeyObject {
  signingKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return signingKey;
}

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

export class AuthService {
  private readonly codes = new Map<string, CodeGrant>();
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, RefreshToken>();
  /** data_access consents a user gave each client; like Globus, they outlive single tokens. */
  private readonly consents = new Map<string, Set<string>>();

  constructor(
    private readonly now: () => number,
    private readonly user: SandboxIdentity,
    private readonly opts: { clientId?: string; accessTokenTtlSeconds: number; rotateRefreshTokens: boolean },
  ) {}

  /** The user logs in and consents in the browser; returns the code the auth-code page shows. */
  approve(p: AuthorizationParams): string {
    if (!p.client_id || (this.opts.clientId && p.client_id !== this.opts.clientId)) throw new Error('invalid client_id');
    if (!p.code_challenge || !/^[A-Za-z0-9_-]{43}$/.test(p.code_challenge)) throw new Error('invalid code_challenge');
    if (p.code_challenge_method !== undefined && p.code_challenge_method !== 'S256') throw new Error('code_challenge_method must be S256');
    if (!p.redirect_uri) throw new Error('missing redirect_uri');
    const identityScopes: string[] = [];
    const dataAccess: string[] = [];
    let transfer = false;
    let offline = p.access_type === 'offline';
    for (const s of parseScopes(p.scope ?? '')) {
      if (s.scope === 'offline_access') offline = true;
      else if (IDENTITY_SCOPES.includes(s.scope)) identityScopes.push(s.scope);
      else if (s.scope === TRANSFER_SCOPE) {
        transfer = true;
        for (const d of s.dependents) {
          const id = dataAccessCollection(d.scope);
          if (!id) throw new Error(`invalid_scope: ${d.scope}`);
          dataAccess.push(id);
        }
      } else throw new Error(`invalid_scope: ${s.scope}`);
    }
    if (!identityScopes.length && !transfer) throw new Error('invalid_scope: no scopes requested');
    const code = randomAlnum(30);
    this.codes.set(code, {
      client_id: p.client_id, code_challenge: p.code_challenge, redirect_uri: p.redirect_uri,
      identityScopes, transfer, dataAccess, offline, state: p.state, expiresAt: this.now() + CODE_TTL_MS,
    });
    return code;
  }

  /** POST /v2/oauth2/token with the form already parsed. */
  token(form: URLSearchParams, basicClient: string | undefined): Record<string, unknown> {
    const clientId = basicClient ?? form.get('client_id') ?? '';
    if (!clientId) throw oauthError('invalid_client', 401);
    if (this.opts.clientId && clientId !== this.opts.clientId) throw oauthError('invalid_client', 401);
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') return this.exchangeCode(form, clientId);
    if (grant === 'refresh_token') return this.refreshGrant(form, clientId);
    if (!grant) throw oauthError('invalid_request', 400, 'Missing grant_type');
    throw oauthError('unsupported_grant_type');
  }

  private exchangeCode(form: URLSearchParams, clientId: string): Record<string, unknown> {
    const code = form.get('code');
    const verifier = form.get('code_verifier');
    const redirect = form.get('redirect_uri');
    if (!code || !verifier || !redirect) throw oauthError('invalid_request', 400, 'Missing code, code_verifier or redirect_uri');
    const g = this.codes.get(code);
    this.codes.delete(code); // single use, whatever happens next
    if (!g || g.expiresAt < this.now() || g.client_id !== clientId || g.redirect_uri !== redirect) throw oauthError('invalid_grant', 401);
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) throw oauthError('invalid_grant', 401);
    if (createHash('sha256').update(verifier).digest('base64url') !== g.code_challenge) throw oauthError('invalid_grant', 401);

    const docs: Record<string, unknown>[] = [];
    if (g.identityScopes.length) {
      const doc = this.issue(AUTH_RS, g.identityScopes.join(' '), clientId, g.offline);
      doc.state = g.state ?? '_default';
      if (g.identityScopes.includes('openid')) doc.id_token = this.idToken(clientId, g.identityScopes);
      docs.push(doc);
    }
    if (g.transfer) {
      const set = this.consents.get(clientId) ?? new Set<string>();
      for (const id of g.dataAccess) set.add(id);
      this.consents.set(clientId, set);
      const doc = this.issue(TRANSFER_RS, '', clientId, g.offline);
      doc.state = g.state ?? '_default';
      docs.push(doc);
    }
    const [top, ...others] = docs;
    return { ...top, other_tokens: others };
  }

  private refreshGrant(form: URLSearchParams, clientId: string): Record<string, unknown> {
    const rt = this.refresh.get(form.get('refresh_token') ?? '');
    if (!rt || rt.revoked || rt.client_id !== clientId) throw oauthError('invalid_grant', 401);
    if (this.opts.rotateRefreshTokens) this.revokeRefresh(rt);
    const doc = this.issue(rt.resource_server, rt.scope, clientId, this.opts.rotateRefreshTokens, rt.token);
    return { ...doc, other_tokens: [] };
  }

  /** One token document; the transfer scope string lists the data_access consents given so far. */
  private issue(rs: string, scope: string, clientId: string, withRefresh: boolean, keepRefresh?: string) {
    const token = `Ag${randomAlnum(62)}`;
    let fullScope = scope;
    if (rs === TRANSFER_RS) {
      const ids = [...(this.consents.get(clientId) ?? [])];
      fullScope = ids.length ? `${TRANSFER_SCOPE}[${ids.map((id) => `*${dataAccessScope(id)}`).join(' ')}]` : TRANSFER_SCOPE;
    }
    let refreshToken = keepRefresh;
    if (withRefresh) {
      refreshToken = `Ag${randomAlnum(70)}`;
      this.refresh.set(refreshToken, { token: refreshToken, resource_server: rs, scope, client_id: clientId, revoked: false });
    }
    const ttl = this.opts.accessTokenTtlSeconds;
    this.access.set(token, {
      token, resource_server: rs, scope: fullScope, client_id: clientId,
      expiresAt: this.now() + ttl * 1000, revoked: false, refresh: refreshToken,
    });
    const doc: Record<string, unknown> = {
      access_token: token, expires_in: ttl, token_type: 'Bearer', resource_server: rs, scope: fullScope,
    };
    if (refreshToken) doc.refresh_token = refreshToken;
    return doc;
  }

  private idToken(clientId: string, scopes: string[]): string {
    const iat = Math.floor(this.now() / 1000);
    const claims: Record<string, unknown> = {
      sub: this.user.id, iss: 'https://auth.globus.org', aud: clientId, iat, exp: iat + 172800,
      last_authentication: iat, identity_provider: '41143743-f3c8-4d60-bbdb-eeecaba85bd9',
      identity_provider_display_name: 'Globus ID',
    };
    if (scopes.includes('profile')) Object.assign(claims, { name: this.user.name, preferred_username: this.user.username, organization: this.user.organization });
    if (scopes.includes('email')) claims.email = this.user.email;
    const head = b64url(JSON.stringify({ alg: 'RS512', typ: 'JWT' }));
    const body = b64url(JSON.stringify(claims));
    const sig = createSign('RSA-SHA512').update(`${head}.${body}`).sign(idTokenKey());
    return `${head}.${body}.${b64url(sig)}`;
  }

  /** POST /v2/oauth2/token/revoke: always {"active": false}, as Globus answers. */
  revoke(form: URLSearchParams): Record<string, unknown> {
    const t = form.get('token');
    if (!t) throw oauthError('invalid_request', 400, 'Missing token');
    const at = this.access.get(t);
    if (at) at.revoked = true;
    const rt = this.refresh.get(t);
    if (rt) this.revokeRefresh(rt);
    return { active: false };
  }

  private revokeRefresh(rt: RefreshToken): void {
    rt.revoked = true;
    for (const at of this.access.values()) if (at.refresh === rt.token) at.revoked = true;
  }

  /** The live token behind an Authorization header, or null. */
  lookup(header: string | undefined): AccessToken | null {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    const at = m ? this.access.get(m[1]) : undefined;
    if (!at || at.revoked || at.expiresAt <= this.now()) return null;
    return at;
  }

  /** GET /v2/oauth2/userinfo with an auth.globus.org token that has openid. */
  userinfo(header: string | undefined): Record<string, unknown> {
    const at = this.lookup(header);
    if (!at || at.resource_server !== AUTH_RS || !at.scope.split(' ').includes('openid')) throw authUnauthorized();
    const scopes = at.scope.split(' ');
    return {
      sub: this.user.id,
      ...(scopes.includes('profile') ? { name: this.user.name, preferred_username: this.user.username, organization: this.user.organization } : {}),
      ...(scopes.includes('email') ? { email: this.user.email } : {}),
      identity_provider: '41143743-f3c8-4d60-bbdb-eeecaba85bd9',
      identity_provider_display_name: 'Globus ID',
      last_authentication: Math.floor(this.now() / 1000),
    };
  }

  /** Every access token issued so far stops working; refresh tokens still do. */
  expireAll(): void {
    const now = this.now();
    for (const at of this.access.values()) at.expiresAt = Math.min(at.expiresAt, now - 1);
  }

  revokeAll(): void {
    for (const at of this.access.values()) at.revoked = true;
    for (const rt of this.refresh.values()) rt.revoked = true;
  }

  forgetConsents(): void {
    this.consents.clear();
  }

  snapshot(): AuthSnapshot {
    return {
      access: [...this.access.values()].filter((a) => !a.revoked && a.expiresAt > this.now()),
      refresh: [...this.refresh.values()].filter((r) => !r.revoked),
      consents: [...this.consents].map(([k, v]) => [k, [...v]]),
    };
  }

  restore(s: AuthSnapshot): void {
    for (const a of s.access ?? []) this.access.set(a.token, a);
    for (const r of s.refresh ?? []) this.refresh.set(r.token, r);
    for (const [k, v] of s.consents ?? []) this.consents.set(k, new Set(v));
  }
}

