// Globus Auth for a native app, in Node: PKCE authorize URL → code pasted back → tokens, one record
// per resource server in the secret store. Access tokens are refreshed when they expire (or on a 401)
// and the refreshed tokens are SAVED, so a login lasts as long as the refresh token does.
// The SDK's browser login helpers and its MemoryStorage are not used (contracts/globus.md §3.4).
import { auth } from '@globus/sdk';
import { generateCodeChallenge, generateCodeVerifier } from '@globus/sdk/core/authorization/pkce';
import { AuthRequiredError, RemoteError, SregError } from '../../../core/errors.js';
import type { SecretStore } from '../../auth/tokens.js';
import type { Env, Settings } from '../../config.js';
import { log, registerSecret } from '../../log.js';
import type { LoginFlow, LoginStart } from '../backend.js';
import { errorFrom, GlobusClient, serviceBase, type TokenSource } from './client.js';
import { AUTH_RS, dataAccessCollections, IDENTITY_SCOPES, mergeScopes, TRANSFER_RS, TRANSFER_SCOPE } from './scopes.js';

/** The native-app client id sregistry-cli uses (seen in the seeds' login URLs). */
export const DEFAULT_CLIENT_ID = 'ae32247c-2c17-4c43-92b5-ba7fe9957dbb';
export const REDIRECT_URI = 'https://auth.globus.org/v2/web/auth-code';
/** Refresh this long before expiry, so a request never leaves with a token about to die. */
const EXPIRY_MARGIN_MS = 60_000;

const ACCOUNT = 'globus';
const tokenKey = (rs: string) => `globus:${rs}`;

export interface StoredToken {
  resource_server: string;
  access_token: string;
  refresh_token?: string;
  scope: string;
  /** epoch ms */
  expires_at: number;
  client_id: string;
  [key: string]: unknown;
}

export interface GlobusAccount {
  client_id: string;
  who?: string;
  sub?: string;
  /** Resource servers we hold tokens for. */
  resource_servers: string[];
  /** Every scope consented so far (transfer with its data_access dependents), asked for again on re-login. */
  scopes: string[];
  /** Scopes a ConsentRequired asked for since: the next login asks for them. */
  pending_scopes?: string[];
  logged_in_at: string;
  [key: string]: unknown;
}

interface TokenDoc {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  resource_server: string;
  scope?: string;
  id_token?: string;
  other_tokens?: TokenDoc[];
}

interface SettingsStore {
  get<K extends keyof Settings>(key: K): Settings[K];
}

export class GlobusAuth implements TokenSource {
  private readonly refreshing = new Map<string, Promise<string>>();
  readonly client: GlobusClient;

  constructor(
    private readonly env: Env,
    private readonly secrets: SecretStore,
    private readonly settings: SettingsStore,
  ) {
    this.client = new GlobusClient(env, this);
  }

  clientId(): string {
    return this.env.SREG_GLOBUS_CLIENT_ID || this.settings.get('globusClientId') || DEFAULT_CLIENT_ID;
  }

  account(): GlobusAccount | undefined {
    return this.secrets.get<GlobusAccount>(ACCOUNT);
  }

  token(rs: string): StoredToken | undefined {
    const t = this.secrets.get<StoredToken>(tokenKey(rs));
    if (t) {
      registerSecret(t.access_token);
      registerSecret(t.refresh_token);
    }
    return t;
  }

  /** The scopes a login asks for: identity, transfer with every data_access consented before, plus `extra`. */
  scopesFor(extra: string[] = []): string[] {
    const account = this.account();
    return mergeScopes(IDENTITY_SCOPES, TRANSFER_SCOPE, account?.scopes, account?.pending_scopes, extra);
  }

  consentRequired(scopes: string[]): void {
    const account = this.account();
    if (account) this.secrets.update(ACCOUNT, { pending_scopes: mergeScopes(account.pending_scopes, scopes) });
  }

  /** The native-app flow: open the URL, log in, paste the code the auth-code page shows. */
  login(options: { scopes?: string[] } = {}): LoginFlow {
    let verifier: string | undefined;
    let clientId = this.clientId();
    const scopes = this.scopesFor(options.scopes);
    return {
      start: async (): Promise<LoginStart> => {
        verifier = generateCodeVerifier();
        clientId = this.clientId();
        const url = new URL(`${serviceBase('auth', this.env)}/v2/oauth2/authorize`);
        url.search = new URLSearchParams({
          client_id: clientId,
          redirect_uri: REDIRECT_URI,
          scope: scopes.join(' '),
          state: '_default',
          response_type: 'code',
          code_challenge: await generateCodeChallenge(verifier),
          code_challenge_method: 'S256',
          access_type: 'offline',
        }).toString();
        const consent = dataAccessCollections(options.scopes ?? []);
        return {
          url: url.toString(),
          expects: 'code',
          instructions: [
            'Open the link (or scan the QR code) and log in with your institution or Globus ID.',
            consent.length
              ? `Allow sreg to access collection${consent.length > 1 ? 's' : ''} ${consent.join(', ')} when Globus asks.`
              : 'Allow sreg to use Globus Transfer when Globus asks.',
            'Globus then shows a "Native App Authorization Code": copy it and paste it here.',
          ],
        };
      },
      finish: async (pasted: string) => {
        if (!verifier) throw new SregError('login not started');
        const code = pasted.trim();
        if (!code) throw new SregError('no code pasted; copy the "Native App Authorization Code" Globus shows after login');
        const res = await auth.oauth2.token.exchange(
          { payload: { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId, redirect_uri: REDIRECT_URI } },
          this.client.sdkOptions('auth'),
        );
        if (!res.ok) {
          const err = await errorFrom(res, 'Globus login');
          throw new AuthRequiredError(`Globus did not accept the code (${err.message.replace(/^Globus login: /, '')}); codes work once and expire after a few minutes: log in again`);
        }
        const doc = (await res.json()) as TokenDoc;
        return { who: await this.saveLogin(doc, clientId, scopes) };
      },
    };
  }

  private async saveLogin(doc: TokenDoc, clientId: string, asked: string[]): Promise<string> {
    const docs = [doc, ...(doc.other_tokens ?? [])];
    const transfer = docs.find((d) => d.resource_server === TRANSFER_RS);
    if (!transfer) throw new AuthRequiredError('Globus did not grant access to Transfer; log in again and allow "Transfer files using Globus Transfer"');
    const previous = this.account();
    const replaced = (previous?.resource_servers ?? []).map((rs) => this.token(rs)).filter((t): t is StoredToken => !!t);
    const identity = decodeIdToken(docs.find((d) => d.id_token)?.id_token);
    for (const d of docs) this.saveToken(d, clientId);
    const account: GlobusAccount = {
      client_id: clientId,
      who: identity.who ?? previous?.who,
      sub: identity.sub ?? previous?.sub,
      resource_servers: [...new Set(docs.map((d) => d.resource_server))],
      scopes: mergeScopes(asked.filter((s) => s.startsWith(TRANSFER_SCOPE)), transfer.scope),
      logged_in_at: new Date().toISOString(),
    };
    this.secrets.set(ACCOUNT, account);
    // Tokens a new login replaced are dead weight at Globus: revoke them (best effort).
    const fresh = new Set(docs.flatMap((d) => [d.access_token, d.refresh_token]));
    await Promise.allSettled(
      replaced.flatMap((t) => [t.refresh_token, t.access_token].filter((v): v is string => !!v && !fresh.has(v)).map((v) => this.revoke(v, t.client_id))),
    );
    log('globus', `logged in as ${account.who ?? 'unknown'} (${account.resource_servers.join(', ')})`);
    return account.who ?? 'Globus user';
  }

  private saveToken(d: TokenDoc, clientId: string, keepRefresh?: string): StoredToken {
    const t: StoredToken = {
      resource_server: d.resource_server,
      access_token: d.access_token,
      refresh_token: d.refresh_token ?? keepRefresh,
      scope: d.scope ?? '',
      expires_at: Date.now() + (Number(d.expires_in) || 0) * 1000,
      client_id: clientId,
    };
    this.secrets.set(tokenKey(d.resource_server), t);
    return t;
  }

  /** A usable access token for `rs`, refreshed first when it expired (or is about to). */
  async accessToken(rs: string, signal?: AbortSignal): Promise<string> {
    const t = this.token(rs);
    if (!t) throw new AuthRequiredError('not logged in to Globus; run: sreg login globus');
    if (t.expires_at - EXPIRY_MARGIN_MS > Date.now()) return t.access_token;
    if (!t.refresh_token) throw new AuthRequiredError('the Globus login expired; run: sreg login globus');
    return this.refresh(rs, t.access_token, signal);
  }

  async refreshAfter401(rs: string, rejected: string, signal?: AbortSignal): Promise<string> {
    const t = this.token(rs);
    // Another process may have refreshed already: use its token.
    if (t && t.access_token !== rejected && t.expires_at - EXPIRY_MARGIN_MS > Date.now()) return t.access_token;
    if (!t?.refresh_token) throw new AuthRequiredError('Globus no longer accepts the saved login; run: sreg login globus');
    return this.refresh(rs, rejected, signal);
  }

  /** One refresh at a time per resource server; the result is saved before anyone uses it. */
  private refresh(rs: string, stale: string, signal?: AbortSignal): Promise<string> {
    let p = this.refreshing.get(rs);
    if (!p) {
      p = this.doRefresh(rs, stale, signal).finally(() => this.refreshing.delete(rs));
      this.refreshing.set(rs, p);
    }
    return p;
  }

  private async doRefresh(rs: string, stale: string, signal?: AbortSignal): Promise<string> {
    const t = this.token(rs);
    if (!t?.refresh_token) throw new AuthRequiredError('the Globus login expired; run: sreg login globus');
    let res: Response;
    try {
      res = await auth.oauth2.token.refresh(
        { payload: { grant_type: 'refresh_token', refresh_token: t.refresh_token, client_id: t.client_id } },
        this.client.sdkOptions('auth', signal),
      );
    } catch (e) {
      if (signal?.aborted) throw signal.reason ?? e;
      throw new RemoteError(`cannot reach Globus Auth to refresh the login (${(e as Error).message})`, undefined, e);
    }
    if (!res.ok) {
      const err = await errorFrom(res, 'Globus token refresh');
      const now = this.token(rs);
      // A concurrent process may have rotated the refresh token and saved a fresh pair.
      if (now && now.access_token !== stale && now.access_token !== t.access_token && now.expires_at > Date.now()) return now.access_token;
      if (res.status >= 500) throw err;
      throw new AuthRequiredError(`the Globus login is no longer valid (${err.message.replace(/^Globus token refresh: /, '')}); run: sreg login globus`);
    }
    const doc = (await res.json()) as TokenDoc;
    // The refresh answer is that resource server's token at top level (contract §1.3).
    const saved = this.saveToken({ ...doc, resource_server: doc.resource_server || rs }, t.client_id, t.refresh_token);
    log('globus', `refreshed the ${rs} token (expires ${new Date(saved.expires_at).toISOString()})`);
    return saved.access_token;
  }

  private async revoke(token: string, clientId: string): Promise<void> {
    const res = await auth.oauth2.token.revoke({ payload: { token, client_id: clientId } }, this.client.sdkOptions('auth'));
    await res.body?.cancel().catch(() => {});
  }

  /** Revokes every token we hold at Globus, then forgets them (also when Globus cannot be reached). */
  async logout(): Promise<{ revoked: number; failed: number }> {
    const account = this.account();
    const rss = new Set([...(account?.resource_servers ?? []), TRANSFER_RS, AUTH_RS]);
    const tokens = [...rss].map((rs) => this.token(rs)).filter((t): t is StoredToken => !!t);
    const results = await Promise.allSettled(
      tokens.flatMap((t) => [t.refresh_token, t.access_token].filter((v): v is string => !!v).map((v) => this.revoke(v, t.client_id))),
    );
    for (const rs of rss) this.secrets.delete(tokenKey(rs));
    this.secrets.delete(ACCOUNT);
    const failed = results.filter((r) => r.status === 'rejected').length;
    log('globus', `logged out (${results.length - failed} tokens revoked, ${failed} failed)`);
    return { revoked: results.length - failed, failed };
  }
}

/** Reads the id_token's claims for display only (who is logged in); the signature is not checked. */
export function decodeIdToken(idToken: string | undefined): { who?: string; sub?: string } {
  if (!idToken) return {};
  try {
    const claims = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const who = (claims.preferred_username ?? claims.email ?? claims.name) as string | undefined;
    return { who, sub: claims.sub as string | undefined };
  } catch {
    return {};
  }
}
