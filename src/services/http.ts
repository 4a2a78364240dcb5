// One fetch wrapper for every backend: per-attempt timeout, bounded retries with exponential backoff,
// Retry-After honoured on 429/503, every request logged with secrets redacted.
import { RemoteError } from '../core/errors.js';
import { log } from './log.js';

export interface RetryPolicy {
  /** Total attempts including the first. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After we are willing to sleep (longer ones fail with a clear message). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 8_000, maxRetryAfterMs: 120_000 };

export interface HttpOptions {
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Whether a non-idempotent request may be retried (e.g. the server told us it did nothing). */
  retryUnsafe?: boolean;
  label?: string;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Seconds or an HTTP date, to milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export function backoffMs(attempt: number, policy: RetryPolicy): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return exp / 2 + Math.random() * (exp / 2);
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return url;
  }
}

/**
 * fetch with retries. Retries network errors and 429/5xx; returns the last response otherwise
 * (callers read the body and map errors). Bodies must be re-creatable: pass `init` as a function.
 */
export async function fetchWithRetry(
  url: string,
  init: RequestInit | (() => RequestInit),
  options: HttpOptions = {},
): Promise<Response> {
  const policy = { ...DEFAULT_RETRY, ...options.retry };
  const method = (typeof init === 'function' ? init() : init).method ?? 'GET';
  const idempotent = options.retryUnsafe || ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'].includes(method.toUpperCase());
  let lastError: unknown;
  for (let attempt = 0; attempt < policy.attempts; attempt++) {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 60_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const started = Date.now();
    try {
      const res = await fetch(url, { ...(typeof init === 'function' ? init() : init), signal });
      log('http', `${method} ${describeUrl(url)} -> ${res.status} (${Date.now() - started} ms)${options.label ? ' ' + options.label : ''}`);
      if (isRetryableStatus(res.status) && attempt + 1 < policy.attempts && (idempotent || res.status === 429 || res.status === 503)) {
        const wait = retryAfterMs(res.headers.get('retry-after')) ?? backoffMs(attempt, policy);
        if (wait > policy.maxRetryAfterMs) return res;
        await res.body?.cancel().catch(() => {});
        await sleep(wait, options.signal);
        continue;
      }
      return res;
    } catch (e) {
      if (options.signal?.aborted) throw e;
      lastError = e;
      log('http', `${method} ${describeUrl(url)} -> ${(e as Error).name}: ${(e as Error).message}`);
      if (!idempotent || attempt + 1 >= policy.attempts) break;
      await sleep(backoffMs(attempt, policy), options.signal);
    }
  }
  throw new RemoteError(`cannot reach ${describeUrl(url)}: ${(lastError as Error)?.message ?? 'no response'}`, undefined, lastError);
}
