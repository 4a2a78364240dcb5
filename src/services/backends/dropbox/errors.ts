// Dropbox failures, classified once: what to retry (429 after Retry-After, 5xx and dropped connections
// with bounded backoff), what needs a new login (401), and one clear line for route errors (409).
// We read the `error` union, never `error_summary` (contracts/dropbox.md §3).
import { AuthRequiredError, RemoteError } from '../../../core/errors.js';
import { retryAfterMs } from '../../http.js';

export const LOGIN_AGAIN = 'log in again: sreg login dropbox';

export interface Classified {
  status?: number;
  /** The route error union (409) or auth error (401), when the body was JSON. */
  error?: Record<string, unknown>;
  /** Tags from the outside in, e.g. ['path', 'not_found']. */
  tags: string[];
  text?: string;
  retryAfterMs?: number;
  /** The connection failed or dropped (no complete HTTP response). */
  network: boolean;
}

/** A 409 route error; callers that expect one (incorrect_offset, shared_link_already_exists) inspect `error`. */
export class DropboxApiError extends RemoteError {
  readonly error: Record<string, unknown>;
  readonly tags: string[];
  constructor(message: string, status: number, error: Record<string, unknown>, tags: string[]) {
    super(message, status);
    this.name = 'DropboxApiError';
    this.error = error;
    this.tags = tags;
  }
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE']);

function headerOf(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined;
  const h = headers as { get?: (n: string) => string | null } & Record<string, unknown>;
  if (typeof h.get === 'function') return h.get(name) ?? undefined;
  const v = h[name] ?? h[name.toLowerCase()];
  return Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
}

/** Tag chain of a Stone union: nested members (`{".tag":"path","path":{…}}`) and inlined structs (`reason`, `lookup_failed`). */
export function tagChain(u: unknown): string[] {
  const out: string[] = [];
  let cur = u as Record<string, unknown> | undefined;
  for (let depth = 0; cur && typeof cur === 'object' && depth < 6; depth++) {
    const tag = cur['.tag'];
    if (typeof tag !== 'string') break;
    out.push(tag);
    const next = cur[tag] ?? cur.reason;
    cur = next && typeof next === 'object' ? (next as Record<string, unknown>) : undefined;
  }
  return out;
}

/** Turns anything the SDK or our requests threw into facts. */
export function classify(e: unknown): Classified {
  const err = e as { status?: number; headers?: unknown; error?: unknown; code?: string; type?: string; errno?: string; cause?: { code?: string } };
  if (typeof err?.status === 'number' && err.status >= 400) {
    const body = err.error;
    let error: Record<string, unknown> | undefined;
    let text: string | undefined;
    if (body && typeof body === 'object') {
      const b = body as Record<string, unknown>;
      error = (b.error && typeof b.error === 'object' ? b.error : b) as Record<string, unknown>;
    } else if (typeof body === 'string') {
      text = body;
    }
    const fromBody = typeof error?.retry_after === 'number' ? (error.retry_after as number) * 1000 : undefined;
    return {
      status: err.status,
      error,
      tags: error ? tagChain(error.reason && !error['.tag'] ? error.reason : error) : [],
      text,
      retryAfterMs: retryAfterMs(headerOf(err.headers, 'retry-after')) ?? fromBody,
      network: false,
    };
  }
  const code = err?.code ?? err?.errno ?? err?.cause?.code;
  const network = (code !== undefined && NETWORK_CODES.has(code)) || err?.type === 'system' || err?.type === 'request-timeout' || err?.type === 'body-timeout' || (e as Error)?.message === 'aborted';
  return { tags: [], network };
}

export function isRetryable(c: Classified): boolean {
  return c.network || c.status === 429 || (c.status !== undefined && c.status >= 500);
}

/** Words for the commonest route errors; anything else shows its tag chain. */
function describe(tags: string[], target: string): string {
  const t = new Set(tags);
  const where = target ? ` ${target}` : '';
  if (t.has('not_found')) return `not found on Dropbox:${where}`;
  if (t.has('conflict')) return `already exists on Dropbox:${where}`;
  if (t.has('not_file')) return `not a file on Dropbox:${where}`;
  if (t.has('not_folder')) return `not a folder on Dropbox:${where}`;
  if (t.has('malformed_path')) return `not a valid Dropbox path:${where}`;
  if (t.has('insufficient_space')) return 'your Dropbox is full';
  if (t.has('no_write_permission')) return `no permission to write on Dropbox:${where}`;
  if (t.has('disallowed_name')) return `Dropbox does not allow this name:${where}`;
  if (t.has('restricted_content')) return `Dropbox restricts this file:${where}`;
  if (t.has('too_many_write_operations')) return 'Dropbox is busy with other writes to this folder; try again shortly';
  return `Dropbox refused ${target || 'the request'}: ${tags.join('/') || 'unknown error'}`;
}

/** The error a user sees for a failure we will not retry (any more). */
export function toUserError(e: unknown, c: Classified, what: string, target = ''): Error {
  if (c.status === 401) {
    const tag = c.tags[0];
    if (tag === 'missing_scope') {
      const scope = (c.error?.missing_scope as Record<string, unknown> | undefined)?.required_scope ?? c.error?.required_scope;
      return new AuthRequiredError(`Dropbox app lacks the permission ${scope ?? '(unknown scope)'}; ${LOGIN_AGAIN}`);
    }
    const why = tag === 'expired_access_token' ? 'your Dropbox login has expired' : tag === 'invalid_access_token' ? 'your Dropbox token is not valid (revoked?)' : 'Dropbox refused the token';
    return new AuthRequiredError(`${why}; ${LOGIN_AGAIN}`);
  }
  if (c.status === 409 && c.error) return new DropboxApiError(describe(c.tags, target), 409, c.error, c.tags);
  if (c.status === 400) return new RemoteError(`Dropbox rejected ${what}: ${(c.text ?? '').split('\n')[0]!.slice(0, 200)}`, 400);
  if (c.status === 403) return new RemoteError(`Dropbox denied access to ${target || what}: ${c.tags.join('/') || 'no permission'}`, 403);
  if (c.status === 429) return new RemoteError(`Dropbox is rate-limiting ${what}; try again later`, 429);
  if (c.status !== undefined) return new RemoteError(`Dropbox ${what} failed with HTTP ${c.status} after retries`, c.status);
  if (c.network) return new RemoteError(`connection to Dropbox lost during ${what} (after retries): ${(e as Error)?.message ?? e}`, undefined, e);
  return e instanceof Error ? e : new RemoteError(String(e));
}
