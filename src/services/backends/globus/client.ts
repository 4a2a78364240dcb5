// One way to call Globus through @globus/sdk: the SDK builds URLs and bodies, this file supplies the
// bearer token, turns its never-throwing Responses into typed errors, refreshes on 401 once, waits out
// 429/503 (Retry-After), and retries network failures of requests that are safe to repeat.
// The token goes in sdkOptions.fetch.options.headers because the SDK drops `manager` inside options on
// mkdir and submitTransfer (contracts/globus.md §3.3). Service URLs come from the backend's env (so a
// test or sandbox can point one sreg at a fake without touching process.env).
import { AuthRequiredError, ConsentRequiredError, RemoteError } from '../../../core/errors.js';
import { backoffMs, DEFAULT_RETRY, retryAfterMs, sleep } from '../../http.js';
import { log } from '../../log.js';
import { proxyAgentFor } from '../../proxy.js';
import type { Env } from '../../config.js';

export type Service = 'auth' | 'transfer';

export interface SdkOptions {
  fetch: { options: { headers?: Record<string, string>; signal?: AbortSignal; __callable?: typeof fetch } };
}

/** Supplies and refreshes access tokens (auth.ts). */
export interface TokenSource {
  accessToken(resourceServer: string, signal?: AbortSignal): Promise<string>;
  /** Refreshes after a 401; returns the new token, or throws AuthRequiredError. */
  refreshAfter401(resourceServer: string, rejected: string, signal?: AbortSignal): Promise<string>;
  /** Remembers scopes a ConsentRequired asked for, so the next plain login asks for them too. */
  consentRequired?(scopes: string[]): void;
}

/** A Transfer or Auth error document, with its status and code kept for callers that branch on them. */
export class GlobusApiError extends RemoteError {
  readonly code: string;
  readonly body: Record<string, unknown>;
  constructor(status: number, code: string, message: string, body: Record<string, unknown>) {
    super(message, status);
    this.name = 'GlobusApiError';
    this.code = code;
    this.body = body;
  }
}

const SERVICE_ENV: Record<Service, string> = { auth: 'GLOBUS_SDK_SERVICE_URL_AUTH', transfer: 'GLOBUS_SDK_SERVICE_URL_TRANSFER' };
const DEFAULT_BASE: Record<Service, string> = { auth: 'https://auth.globus.org', transfer: 'https://transfer.api.globusonline.org' };

/** The base URL of a service: the env override (ours first, then the process's), else production. */
export function serviceBase(service: Service, env: Env): string {
  return (env[SERVICE_ENV[service]] || process.env[SERVICE_ENV[service]] || DEFAULT_BASE[service]).replace(/\/+$/, '');
}

/** Counts requests per process (bench and tests read it). */
export const requestCounter = { count: 0 };

/**
 * fetch that moves the SDK's URL onto our env's base, keeping path and query. Through the site's proxy
 * (services/proxy.ts) it is node-fetch with a tunnelling agent, which is the SDK's own default fetch
 * in Node; Node's built-in fetch takes no agent.
 */
export function fetchFor(service: Service, env: Env): typeof fetch {
  const base = env[SERVICE_ENV[service]];
  return async (input, init) => {
    requestCounter.count++;
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const u = new URL(url);
    const target = base ? base.replace(/\/+$/, '') + u.pathname + u.search : url;
    const agent = proxyAgentFor(target);
    if (!agent) return fetch(target, init);
    const { default: nodeFetch } = await import('node-fetch');
    return (await nodeFetch(target, { ...(init as object), agent } as Parameters<typeof nodeFetch>[1])) as unknown as Response;
  };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/\\r\\n.*$/, '').trim();
}

/** Reads an error body and maps it: ConsentRequired, auth failures, everything else a GlobusApiError. */
export async function errorFrom(res: Response, what: string): Promise<GlobusApiError | ConsentRequiredError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  const code = String(body.code ?? body.error ?? res.status);
  const message = String(body.message ?? body.error_description ?? body.error ?? res.statusText ?? 'error');
  const scopes = Array.isArray(body.required_scopes)
    ? (body.required_scopes as string[])
    : Array.isArray((body.authorization_parameters as Record<string, unknown> | undefined)?.required_scopes)
      ? ((body.authorization_parameters as Record<string, unknown>).required_scopes as string[])
      : undefined;
  if (code === 'ConsentRequired' && scopes) {
    return new ConsentRequiredError(`${what}: Globus needs your consent to access this collection (${firstLine(message)}); grant it by logging in again: sreg login globus`, scopes);
  }
  return new GlobusApiError(res.status, code, `${what}: ${firstLine(message)} (${code})`, body);
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Whether repeating the request after a lost response is harmless (GETs, mkdir, submit with a submission id). */
  idempotent?: boolean;
  /** Longest total wait for 429/503 before giving up. */
  maxWaitMs?: number;
}

export class GlobusClient {
  constructor(
    private readonly env: Env,
    private readonly tokens: TokenSource,
  ) {}

  /** Options for an unauthenticated call (Auth's token endpoints). */
  sdkOptions(service: Service, signal?: AbortSignal, token?: string): SdkOptions {
    const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
    return { fetch: { options: { headers, signal, __callable: fetchFor(service, this.env) } } };
  }

  /** A Transfer call: `call` receives the SDK options carrying the token; returns the parsed JSON body. */
  async transfer<T>(what: string, call: (sdk: SdkOptions) => Promise<Response>, options: CallOptions = {}): Promise<T> {
    return this.request<T>('transfer', 'transfer.api.globus.org', what, call, options);
  }

  async request<T>(service: Service, rs: string, what: string, call: (sdk: SdkOptions) => Promise<Response>, options: CallOptions = {}): Promise<T> {
    let token = await this.tokens.accessToken(rs, options.signal);
    let refreshed = false;
    let networkFailures = 0;
    let waited = 0;
    for (;;) {
      let res: Response;
      const started = Date.now();
      try {
        res = await call(this.sdkOptions(service, options.signal, token));
      } catch (e) {
        if (options.signal?.aborted) throw options.signal.reason ?? e;
        log('globus', `${what} -> ${(e as Error).name}: ${(e as Error).message}`);
        if (!options.idempotent || ++networkFailures >= DEFAULT_RETRY.attempts) {
          throw new RemoteError(`${what}: cannot reach Globus (${(e as Error).message})`, undefined, e);
        }
        await sleep(backoffMs(networkFailures, DEFAULT_RETRY), options.signal);
        continue;
      }
      log('globus', `${what} -> ${res.status} (${Date.now() - started} ms)`);
      if (res.ok) return (await res.json()) as T;
      if (res.status === 401 && !refreshed) {
        await res.body?.cancel().catch(() => {});
        token = await this.tokens.refreshAfter401(rs, token, options.signal);
        refreshed = true;
        continue;
      }
      if (res.status === 429 || res.status === 503) {
        const wait = retryAfterMs(res.headers.get('retry-after')) ?? backoffMs(Math.min(networkFailures++, 6), { ...DEFAULT_RETRY, maxDelayMs: 30_000 });
        if (waited + wait <= (options.maxWaitMs ?? 120_000)) {
          await res.body?.cancel().catch(() => {});
          waited += wait;
          await sleep(wait, options.signal);
          continue;
        }
      }
      const err = await errorFrom(res, what);
      if (err instanceof ConsentRequiredError) this.tokens.consentRequired?.(err.requiredScopes);
      if (res.status === 401) throw new AuthRequiredError(`${what}: Globus no longer accepts the saved login; run: sreg login globus`);
      throw err;
    }
  }
}

/** True for errors worth waiting out (network, 5xx, rate limits), as opposed to a definite "no". */
export function isTransient(e: unknown): boolean {
  if (e instanceof GlobusApiError) {
    if (/GCDisconnected|OperationPaused|ServiceUnavailable/.test(e.code)) return true;
    if (e.code.startsWith('ExternalError.') || e.code === 'ClientError.Conflict' || e.code === 'Conflict') return false;
    return e.status === undefined || e.status === 429 || e.status >= 500;
  }
  return e instanceof RemoteError && e.status === undefined;
}
