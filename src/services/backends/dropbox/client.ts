// Where Dropbox lives and how we talk to it: the SDK (RPC and uploads) gets a custom fetch that sends
// every host to SREG_DROPBOX_URL when it is set (the SDK's domain options cannot reach http://127.0.0.1,
// contracts/dropbox.md §6), reuses connections, and logs each request, secrets redacted by log().
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Dropbox } from 'dropbox';
import nodeFetch, { type RequestInit as NodeFetchInit, type Response as NodeFetchResponse } from 'node-fetch';
import type { Env } from '../../config.js';
import { log } from '../../log.js';

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

export function agentFor(url: string | URL): HttpAgent {
  return String(url).startsWith('https:') ? httpsAgent : httpAgent;
}

/** `/2/files/upload` from a full URL, for log lines. */
export function routeOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

export type FetchLike = (url: string, init?: NodeFetchInit) => Promise<NodeFetchResponse>;

/** A fetch for the SDK: host rewrite, keep-alive, one log line per request. */
export function makeFetch(hosts: DropboxHosts): FetchLike {
  return async (url, init = {}) => {
    let target = url;
    if (hosts.overridden) {
      const u = new URL(url);
      target = hosts.api + u.pathname + u.search;
    }
    const started = Date.now();
    try {
      const res = await nodeFetch(target, { ...init, agent: agentFor(target) });
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
