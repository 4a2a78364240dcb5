// HTTPS through a site proxy, as login nodes often need: HTTPS_PROXY sends Dropbox (RPC, upload and
// streamed download) and Globus requests through a CONNECT tunnel, NO_PROXY goes direct, and plain
// http (the sandboxes) never uses the proxy. The proxy here is a real CONNECT proxy on loopback that
// records each tunnel; the services are the TLS Dropbox sandbox and a small TLS server.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDropboxSandbox, type DropboxSandbox } from '../../src/sandbox/dropbox.js';
import { proxyFor } from '../../src/services/proxy.js';
import { makeCerts } from '../helpers/certs.js';
import { REPO, runCli, sample, tempEnv, type TempEnv } from '../helpers/env.js';

/** A CONNECT-only HTTP proxy; `tunnels` lists each host:port asked for. */
function startConnectProxy(): Promise<{ url: string; tunnels: string[]; server: Server }> {
  const tunnels: string[] = [];
  const server = createNetServer((client: Socket) => {
    let head = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      client.off('data', onData);
      const m = /^CONNECT ([^\s:]+):(\d+) HTTP\/1\.[01]\r\n/.exec(head.subarray(0, end).toString('latin1'));
      if (!m) return void client.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n');
      tunnels.push(`${m[1]}:${m[2]}`);
      const upstream = connect(Number(m[2]), m[1], () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        const rest = head.subarray(end + 4);
        if (rest.length) upstream.write(rest);
        client.pipe(upstream).pipe(client);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    };
    client.on('data', onData);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const port = (server.address() as { port: number }).port;
    resolve({ url: `http://127.0.0.1:${port}`, tunnels, server });
  }));
}

let t: TempEnv;
let sb: DropboxSandbox;
let proxy: Awaited<ReturnType<typeof startConnectProxy>>;
let tls: { key: string; cert: string; ca: string };
let caFile: string;
let env: Record<string, string>;

beforeAll(async () => {
  t = tempEnv('sreg-proxy-');
  tls = makeCerts(t.dir);
  caFile = join(t.dir, 'ca.pem');
  sb = await startDropboxSandbox({ tls: { key: tls.key, cert: tls.cert } });
  proxy = await startConnectProxy();
  env = {
    ...t.env,
    SREG_DROPBOX_URL: sb.url,
    SREGISTRY_DROPBOX_TOKEN: sb.issueToken({ refresh: false }).accessToken,
    NODE_EXTRA_CA_CERTS: caFile,
    HTTPS_PROXY: proxy.url,
  };
});
afterAll(async () => {
  await sb?.close();
  proxy?.server.close();
  t?.cleanup();
});

describe('HTTPS_PROXY', () => {
  it('carries Dropbox push, search and a streamed pull through the tunnel; NO_PROXY goes direct', async () => {
    expect(sb.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const target = new URL(sb.url).host;
    const push = await runCli(['push', '--name', 'dropbox://lab/bb:1', sample('busybox_amd64.sif', t.dir)], env);
    expect(push.code).toBe(0);
    const search = await runCli(['search', 'dropbox://'], env);
    expect(search.code).toBe(0);
    expect(search.stdout).toContain('lab/bb:1');
    const pull = await runCli(['pull', '--force', 'dropbox://lab/bb:1'], env);
    expect(pull.code).toBe(0);
    expect((await runCli(['get', 'lab/bb:1'], env)).code).toBe(0);
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(3); // one per process at least
    expect(new Set(proxy.tunnels)).toEqual(new Set([target]));

    const before = proxy.tunnels.length;
    const direct = await runCli(['search', 'dropbox://'], { ...env, NO_PROXY: '127.0.0.1' });
    expect(direct.code).toBe(0);
    expect(direct.stdout).toContain('lab/bb:1');
    expect(proxy.tunnels.length).toBe(before);
  });

  it('a proxy that refuses says so in one line (not as a Dropbox error), without the proxy password', async () => {
    const refusing = createNetServer((s) => s.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n'));
    await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', () => r()));
    const port = (refusing.address() as { port: number }).port;
    try {
      const r = await runCli(['search', 'dropbox://'], { ...env, HTTPS_PROXY: `http://bob:s3cret@127.0.0.1:${port}`, SREG_RETRY_BASE_MS: '10' });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^sreg: the proxy 127\\.0\\.0\\.1:${port} refused a connection to 127\\.0\\.0\\.1 \\(HTTP 407 .*USER:PASSWORD@HOST:PORT`));
      expect(r.stderr + r.stdout).not.toContain('s3cret');
    } finally {
      refusing.close();
    }
  });

  it('carries the Globus SDK fetch through the tunnel, onto the overridden base URL', async () => {
    const server: HttpsServer = createHttpsServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ DATA_TYPE: 'endpoint_list', path: req.url }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    // By name, as real services are: https-proxy-agent sends no TLS server name for an IP address.
    const base = `https://localhost:${(server.address() as { port: number }).port}`;
    const script = join(t.dir, 'globus-fetch.mjs');
    writeFileSync(
      script,
      `const { fetchFor } = await import(${JSON.stringify(join(REPO, 'dist/services/backends/globus/client.js'))});
       const res = await fetchFor('transfer', { GLOBUS_SDK_SERVICE_URL_TRANSFER: process.argv[2] })('https://transfer.api.globusonline.org/v0.10/endpoint_search?filter_fulltext=lab');
       console.log(JSON.stringify({ status: res.status, body: await res.json() }));`,
    );
    try {
      const before = proxy.tunnels.length;
      const out = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [script, base], { env: { PATH: process.env.PATH, HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: caFile } });
        let s = '';
        child.stdout.on('data', (d) => (s += d));
        child.stderr.on('data', (d) => (s += d));
        child.on('close', (code) => (code === 0 ? resolve(s) : reject(new Error(s))));
      });
      expect(JSON.parse(out)).toEqual({ status: 200, body: { DATA_TYPE: 'endpoint_list', path: '/v0.10/endpoint_search?filter_fulltext=lab' } });
      expect(proxy.tunnels.slice(before)).toEqual([new URL(base).host]);
    } finally {
      server.close();
    }
  });

  it('never proxies plain http (the loopback sandboxes), and honours NO_PROXY for https', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { HTTPS_PROXY: 'http://proxy.example:3128', HTTP_PROXY: 'http://proxy.example:3128', ALL_PROXY: 'http://proxy.example:3128' });
      delete process.env.NO_PROXY;
      delete process.env.no_proxy;
      expect(proxyFor('http://127.0.0.1:4000/2/files/list_folder')).toBeUndefined();
      expect(proxyFor('https://api.dropboxapi.com/2/files/list_folder')).toBe('http://proxy.example:3128');
      process.env.NO_PROXY = '.dropboxapi.com,localhost';
      expect(proxyFor('https://content.dropboxapi.com/2/files/download')).toBeUndefined();
      expect(proxyFor('https://transfer.api.globusonline.org/v0.10/task_list')).toBe('http://proxy.example:3128');
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});
