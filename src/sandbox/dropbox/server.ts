// Starting and stopping the sandbox: folders under dataDir, state.json (files, links, tokens) so a
// `sreg --sandbox` session survives a restart, the listening socket, and the test helpers.
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DropboxContentHasher } from '../../core/hash.js';
import { SandboxCore } from './context.js';
import { Dispatcher } from './dispatch.js';
import { FaultRegistry } from './faults.js';
import { TokenStore, type TokenState } from './oauth.js';
import { SessionStore, openAt } from './sessions.js';
import { FileStore, WriteFailure, type StoredState } from './store.js';
import type { DropboxSandbox, DropboxSandboxOptions, RequestLogEntry, SeededFile } from './types.js';

const STATE_VERSION = 1;

interface StateFile {
  version: number;
  files: StoredState;
  tokens: TokenState;
}

function assertLoopback(host: string): void {
  const ok = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  if (!ok) throw new Error(`the Dropbox sandbox listens on loopback only, not ${host}`);
}

function freshDir(path: string): string {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  return path;
}

export async function startDropboxSandbox(opts: DropboxSandboxOptions = {}): Promise<DropboxSandbox> {
  const host = opts.host ?? '127.0.0.1';
  assertLoopback(host);
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'sreg-dropbox-')));
  const blobDir = join(dataDir, 'blobs');
  mkdirSync(blobDir, { recursive: true });
  const statePath = join(dataDir, 'state.json');

  // state.json lets a sandbox on a kept dataDir survive restarts; a throwaway dir needs none.
  let pending: NodeJS.Immediate | undefined;
  let closed = false;
  const saveNow = () => {
    if (pending) clearImmediate(pending);
    pending = undefined;
    const state: StateFile = { version: STATE_VERSION, files: store.snapshot(), tokens: tokens.snapshot() };
    const tmp = `${statePath}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(state));
      renameSync(tmp, statePath);
    } catch {
      // A sandbox that cannot save still serves; the next mutation tries again.
    }
  };
  // Many mutations in one tick are saved once.
  const scheduleSave = () => {
    if (pending || closed || ownDir) return;
    pending = setImmediate(saveNow);
  };

  const store = new FileStore(blobDir, scheduleSave);
  const tokens = new TokenStore(opts.tokenTtlSeconds ?? 14400, opts.appKey, scheduleSave);
  if (existsSync(statePath)) {
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as StateFile;
    if (state.version === STATE_VERSION) {
      store.restore(state.files);
      tokens.restore(state.tokens);
    }
  }
  const sessions = new SessionStore(freshDir(join(dataDir, 'sessions')));
  const core = new SandboxCore(store, sessions, tokens, freshDir(join(dataDir, 'tmp')), opts.pageSize ?? 2000);
  const faults = new FaultRegistry();
  const requests: RequestLogEntry[] = [];
  const dispatcher = new Dispatcher(core, faults, requests);

  const onRequest: Parameters<typeof createHttpServer>[1] = (req, res) => {
    dispatcher.handle(req, res).catch(() => res.destroy());
  };
  const server: Server = opts.tls ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, onRequest) : createHttpServer(onRequest);
  // Large, throttled uploads may take long; the client decides when to give up.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `${opts.tls ? 'https' : 'http'}://${urlHost}:${port}`;
  core.baseUrl = url;

  async function seed(path: string, content: Uint8Array | string): Promise<SeededFile> {
    const tmp = core.tmpFile();
    await writeFile(tmp, '');
    const hasher = new DropboxContentHasher();
    const out = await openAt(tmp, 0);
    let size = 0;
    try {
      const chunks: AsyncIterable<Buffer> | Buffer[] =
        typeof content === 'string' ? createReadStream(content) : [Buffer.from(content.buffer, content.byteOffset, content.byteLength)];
      for await (const chunk of chunks) {
        hasher.update(chunk);
        await out.write(chunk);
        size += chunk.length;
      }
    } finally {
      await out.close();
    }
    try {
      const e = store.commitFile(path, { tmpPath: tmp, size, contentHash: hasher.digest() }, {
        mode: 'overwrite',
        autorename: false,
        strictConflict: false,
      });
      return { path_display: e.pathDisplay, path_lower: e.pathLower, id: e.id, rev: e.rev, size: e.size, content_hash: e.contentHash };
    } catch (e) {
      await rm(tmp, { force: true });
      if (e instanceof WriteFailure) throw new Error(`cannot seed ${path}: ${JSON.stringify(e.error)}`);
      throw e;
    }
  }

  return {
    url,
    port,
    dataDir,
    requests,
    faults,
    issueToken: (o) => tokens.issue(o),
    approveAuthorization: (challenge, o) => tokens.approve(challenge, o),
    expireAllTokens: () => tokens.expireAll(),
    seed,
    async close() {
      if (closed) return;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      closed = true;
      if (pending) saveNow();
      await sessions.closeAll();
      await rm(core.tmpDir, { recursive: true, force: true });
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
