// Where Dropbox lives and how we talk to it. The SDK (RPC and uploads) gets our own small fetch over
// node:http(s): it sends every host to SREG_DROPBOX_URL when set (the SDK's domain options cannot reach
// http://127.0.0.1, contracts/dropbox.md §6), reuses connections, logs each request (secrets redacted
// by log()), streams upload bodies, and notices a response cut short, which node-fetch 2 does not
// (its body then never ends) — a hang we saw with a truncated upload response.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Dropbox } from 'dropbox';
import type { Env } from '../../config.js';
import { log } from '../../log.js';
import { proxyAgentFor } from '../../proxy.js';

export interface DropboxHosts {
  api: string;
  content: string;
  /** Token endpoint host. */
  oauth: string;
  /** Where the user's browser goes to authorize. */
  web: string;
  /** True when SREG_DROPBOX_URL points us at a sandbox or another fake. */
  overridden: boolean;
}

export function dropboxHosts(env: Env): DropboxHosts {
  const base = env.SREG_DROPBOX_URL?.replace(/\/+$/, '');
  if (base) return { api: base, content: base, oauth: base, web: base, overridden: true };
  return {
    api: 'https://api.dropboxapi.com',
    content: 'https://content.dropboxapi.com',
    oauth: 'https://api.dropboxapi.com',
    web: 'https://www.dropbox.com',
    overridden: false,
  };
}

const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 16 });

/** The agent for a request: through the site's proxy when one applies (services/proxy.ts), else direct. */
export function agentFor(url: string | URL): HttpAgent {
  return proxyAgentFor(url) ?? (String(url).startsWith('https:') ? httpsAgent : httpAgent);
}

/** `/2/files/upload` from a full URL, for log lines. */
export function routeOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

export interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer | Readable | null;
  signal?: AbortSignal;
}

/** The part of a fetch Response the SDK reads (parseResponse: ok, status, headers.get, text). */
export interface SmallResponse {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

const IDLE_MS = 120_000;

function cutShort(): Error {
  return Object.assign(new Error('connection closed before the response was complete'), { code: 'ECONNRESET' });
}

/** Reads a (small, JSON or text) response body; a body cut short is an ECONNRESET, not a short string. */
function readText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    res.on('data', (c: Buffer) => parts.push(c));
    res.on('end', () => (res.complete ? resolve(Buffer.concat(parts).toString('utf8')) : reject(cutShort())));
    res.on('aborted', () => reject(cutShort()));
    res.on('error', reject);
  });
}

/** POSTs over node:http(s); resolves once the whole response body is in. */
export function httpFetch(url: string, init: FetchInit = {}): Promise<SmallResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const headers: Record<string, string> = { ...init.headers };
    const body = init.body;
    if (typeof body === 'string' || Buffer.isBuffer(body)) headers['Content-Length'] = String(Buffer.byteLength(body));
    else if (!body) headers['Content-Length'] = '0';
    const req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, { method: init.method ?? 'GET', headers, agent: agentFor(url), signal: init.signal });
    req.setTimeout(IDLE_MS, () => req.destroy(Object.assign(new Error('no answer from Dropbox (timeout)'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.on('response', (res) => {
      readText(res).then((text) => {
        const h = res.headers;
        resolve({
          ok: (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300,
          status: res.statusCode ?? 0,
          headers: { get: (n) => { const v = h[n.toLowerCase()]; return v === undefined ? null : Array.isArray(v) ? v.join(', ') : String(v); } },
          text: async () => text,
        });
      }, reject);
    });
    if (body instanceof Readable) {
      // The server may answer (an error) before reading everything; the request error settles the promise.
      pipeline(body, req).catch((e: Error) => {
        req.destroy(e);
        reject(e);
      });
    } else {
      req.end(body ?? undefined);
    }
  });
}

export type FetchLike = (url: string, init?: FetchInit) => Promise<SmallResponse>;

/** A fetch for the SDK and our own calls: host rewrite and one log line per request. */
export function makeFetch(hosts: DropboxHosts): FetchLike {
  return async (url, init = {}) => {
    let target = url;
    if (hosts.overridden) {
      const u = new URL(url);
      target = hosts.api + u.pathname + u.search;
    }
    const started = Date.now();
    try {
      const res = await httpFetch(target, init);
      log('http', `${init.method ?? 'GET'} ${routeOf(target)} -> ${res.status} (${Date.now() - started} ms)`);
      return res;
    } catch (e) {
      log('http', `${init.method ?? 'GET'} ${routeOf(target)} -> ${(e as Error).name}: ${(e as Error).message}`);
      throw e;
    }
  };
}

/** One SDK instance per backend; the access token is set before each call (auth.ts owns refresh). */
export function createSdk(hosts: DropboxHosts): Dropbox {
  return new Dropbox({ fetch: makeFetch(hosts) as unknown as typeof fetch });
}

/** Dropbox wants `YYYY-MM-DDTHH:MM:SSZ`, without milliseconds (contracts/dropbox.md §1). */
export function dropboxTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Header JSON must be ASCII: escape everything above 0x7e as \uXXXX. */
export function headerJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}
