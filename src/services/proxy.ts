// Outgoing HTTPS through the site's proxy, as login nodes often require: HTTPS_PROXY / https_proxy
// (or ALL_PROXY), with NO_PROXY honoured (proxy-from-env reads them the way curl does). Only https URLs
// are proxied: every real service is https, and the loopback sandboxes are plain http, so a proxy set
// for the real world never swallows `sreg --sandbox`.
import type { Agent, ClientRequest } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { RemoteError } from '../core/errors.js';

const agents = new Map<string, Agent>();

/** The proxy URL an https request to `url` goes through, or undefined. */
export function proxyFor(url: string | URL): string | undefined {
  const target = String(url);
  if (!target.startsWith('https:')) return undefined;
  return getProxyForUrl(target) || undefined;
}

/** One keep-alive tunnelling agent per proxy, or undefined when `url` goes direct. */
export function proxyAgentFor(url: string | URL): Agent | undefined {
  const proxy = proxyFor(url);
  if (!proxy) return undefined;
  let agent = agents.get(proxy);
  if (!agent) {
    const made = new HttpsProxyAgent(proxy, { keepAlive: true, maxSockets: 16 });
    // A proxy that refuses the tunnel answers for the service (https-proxy-agent replays its reply as
    // the response): say it was the proxy, or its 403 would read as the service's own.
    made.on('proxyConnect', (reply: { statusCode: number; statusText: string }, req: ClientRequest) => {
      if (reply.statusCode === 200) return;
      const login = reply.statusCode === 407 ? '; give its login in the variable as http://USER:PASSWORD@HOST:PORT' : '';
      req.destroy(new RemoteError(`the proxy ${where(proxy)} refused a connection to ${req.host} (HTTP ${reply.statusCode} ${reply.statusText})${login}`));
    });
    agents.set(proxy, made);
    agent = made;
  }
  return agent;
}

/** host:port of a proxy URL, without any user or password in it. */
function where(proxy: string): string {
  try {
    return new URL(proxy).host;
  } catch {
    return 'in HTTPS_PROXY';
  }
}
