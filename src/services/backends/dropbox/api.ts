// Every Dropbox call goes through `call`: a fresh token, one refresh and retry on expired_access_token,
// Retry-After on 429, bounded backoff on 5xx and dropped connections, one clear error otherwise.
import type { Dropbox } from 'dropbox';
import { CancelledError } from '../../../core/errors.js';
import { backoffMs, DEFAULT_RETRY, sleep } from '../../http.js';
import { log } from '../../log.js';
import type { DropboxAuth } from './auth.js';
import { createSdk, type DropboxHosts } from './client.js';
import { classify, isRetryable, toUserError, type Classified } from './errors.js';

export interface CallOptions {
  signal?: AbortSignal;
  /** Path or name for error messages. */
  target?: string;
  /** Attempts for 5xx and network failures (429 waits are counted separately). */
  attempts?: number;
}

/** Retry budget; tests shrink the delays with SREG_RETRY_BASE_MS. */
export interface RetryBudget {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  max429: number;
}

export function retryBudget(env: Record<string, string | undefined>): RetryBudget {
  const base = Number(env.SREG_RETRY_BASE_MS);
  return {
    attempts: 5,
    baseDelayMs: Number.isFinite(base) && base >= 0 && env.SREG_RETRY_BASE_MS ? base : DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: DEFAULT_RETRY.maxDelayMs,
    maxRetryAfterMs: DEFAULT_RETRY.maxRetryAfterMs,
    max429: 20,
  };
}

export class DropboxApi {
  readonly sdk: Dropbox;

  constructor(
    readonly auth: DropboxAuth,
    readonly hosts: DropboxHosts,
    readonly budget: RetryBudget,
  ) {
    this.sdk = createSdk(hosts);
  }

  /**
   * Runs `fn` (which must build fresh arguments each time: the SDK deletes `contents` from them) until
   * it succeeds or fails for good. `onError` may turn an expected error into a result.
   */
  async call<T>(what: string, fn: (dbx: Dropbox) => Promise<{ result: T }>, options: CallOptions = {}): Promise<T> {
    let refreshed = false;
    let failures = 0;
    let throttles = 0;
    const attempts = options.attempts ?? this.budget.attempts;
    for (;;) {
      if (options.signal?.aborted) throw options.signal.reason ?? new CancelledError();
      const token = await this.auth.token();
      (this.sdk as unknown as { auth: { setAccessToken(t: string): void } }).auth.setAccessToken(token);
      try {
        return (await fn(this.sdk)).result;
      } catch (e) {
        if (options.signal?.aborted) throw options.signal.reason ?? new CancelledError();
        const c = classify(e);
        const wait = await this.afterFailure(c, what, { refreshed, failures, throttles, attempts, token });
        if (wait === 'refreshed') {
          refreshed = true;
          continue;
        }
        if (wait === undefined) throw toUserError(e, c, what, options.target);
        if (c.status === 429) throttles++;
        else failures++;
        await sleep(wait, options.signal);
      }
    }
  }

  /**
   * Decides what happens after a failed request: 'refreshed' (retry now with a new token), a delay in
   * ms before retrying, or undefined (give up). Shared with the raw download.
   */
  async afterFailure(
    c: Classified,
    what: string,
    s: { refreshed: boolean; failures: number; throttles: number; attempts: number; token: string },
  ): Promise<'refreshed' | number | undefined> {
    if (c.status === 401 && c.tags[0] === 'expired_access_token' && !s.refreshed) {
      log('auth', `dropbox ${what}: access token expired; refreshing once`);
      await this.auth.expired(s.token);
      return 'refreshed';
    }
    if (!isRetryable(c)) return undefined;
    if (c.status === 429 || (c.status === 503 && c.retryAfterMs !== undefined)) {
      const wait = c.retryAfterMs ?? backoffMs(s.throttles, { ...DEFAULT_RETRY, baseDelayMs: 1000 });
      if (s.throttles >= this.budget.max429 || wait > this.budget.maxRetryAfterMs) return undefined;
      log('http', `dropbox ${what}: HTTP ${c.status}, waiting ${Math.round(wait)} ms (Retry-After)`);
      return wait;
    }
    if (s.failures + 1 >= s.attempts) return undefined;
    const wait = backoffMs(s.failures, { ...DEFAULT_RETRY, baseDelayMs: this.budget.baseDelayMs, maxDelayMs: this.budget.maxDelayMs });
    log('http', `dropbox ${what}: ${c.status ? 'HTTP ' + c.status : 'connection failed'}; retry ${s.failures + 1}/${s.attempts - 1} in ${Math.round(wait)} ms`);
    return wait;
  }
}
