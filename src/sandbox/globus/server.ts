// The Globus sandbox: one loopback HTTP server answering both Auth (/v2/…) and Transfer (/v0.10/…)
// at its root, since the SDK drops any path prefix of a service URL override.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { handleAuth } from './auth-routes.js';
import { AuthService } from './auth.js';
import { EndpointRegistry } from './endpoints.js';
import { ApiError } from './errors.js';
import { defaultSandboxEndpoints } from './seed.js';
import { loadState, saveState } from './state.js';
import { TaskEngine } from './tasks.js';
import { handleTransfer } from './transfer.js';
import type {
  AuthorizationParams, SandboxEndpoint, SandboxEndpointSpec, SandboxIdentity, SandboxRequestLogEntry, TaskFailure,
} from './types.js';

export interface GlobusSandboxOptions {
  /** Endpoint folders (and, when given, the saved state) live here; default a fresh temp folder removed on close. */
  dataDir?: string;
  port?: number;
  /** When set, only this native-app client id may log in. */
  clientId?: string;
  /** Default 172800 (48 h), as Globus issues them. */
  accessTokenTtlSeconds?: number;
  /** Virtual task milliseconds per real millisecond; 0 moves tasks only on advance(). Default 1. */
  timeScale?: number;
  /** Default: the sandbox's standard endpoints (see seed.ts). */
  endpoints?: SandboxEndpointSpec[];
  /** Transfer speed in virtual time. Default 50 MB/s. */
  bytesPerSecond?: number;
  /** How long a new task stays "Queued", in virtual ms. Default 1000. */
  queueDelayMs?: number;
  successfulTransfersPageSize?: number;
  /** Issue a new refresh token on each refresh (Globus does not by default). */
  rotateRefreshTokens?: boolean;
  /** Delay every response by this many real ms (for slow-link tests). */
  latencyMs?: number;
  /** Keep tokens, consents and tasks in <dataDir>/globus-state.json. Default: true when dataDir is given. */
  persist?: boolean;
  user?: Partial<SandboxIdentity>;
}

export interface GlobusSandbox {
  /** http://127.0.0.1:PORT; use it for both GLOBUS_SDK_SERVICE_URL_AUTH and GLOBUS_SDK_SERVICE_URL_TRANSFER. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** The two SDK variables, ready to merge into process.env. */
  readonly env: { GLOBUS_SDK_SERVICE_URL_AUTH: string; GLOBUS_SDK_SERVICE_URL_TRANSFER: string };
  readonly user: SandboxIdentity;
  readonly endpoints: readonly SandboxEndpoint[];
  /** Every request answered, in order. Tests may clear it with `requests.length = 0`. */
  readonly requests: SandboxRequestLogEntry[];
  addEndpoint(spec: SandboxEndpointSpec): SandboxEndpoint;
  /** The disk path behind an endpoint path ("/~/x.sif" included). */
  endpointPath(endpointId: string, path: string): string;
  setEndpointConnected(endpointId: string, connected: boolean): void;
  /** The user logs in and consents; returns the code the auth-code page would show. */
  approveAuthorization(params: AuthorizationParams): string;
  expireTokens(): void;
  revokeAll(): void;
  forgetConsents(): void;
  /** The next submitted task fails when it leaves the queue, with this fatal_error code. */
  failNextTask(reason: string | TaskFailure): void;
  /** A task (or the next one) goes INACTIVE with this nice_status until resumeTask(). */
  makeInactive(taskIdOrNext: string, niceStatus?: string): void;
  resumeTask(taskId: string): void;
  /** A task (or the next one) stays ACTIVE without moving a byte. */
  stallTask(taskIdOrNext: string, stalled?: boolean): void;
  setBytesPerSecond(n: number): void;
  /** Moves the clock (tokens, timestamps) and the tasks forward by ms. */
  advance(ms: number): void;
  /** Lets tasks catch up with (scaled) real time now. */
  tick(): void;
  /** The task document GET /task/{id} would return, or undefined. */
  task(taskId: string): Record<string, unknown> | undefined;
  /** Resolves once no task can move any more (all done, stalled, inactive or stuck). */
  settle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_USER: SandboxIdentity = {
  id: 'b0a81f5e-7d2c-4e19-9a63-1f4c8d2e6b70',
  username: 'sandbox-user@globusid.org',
  name: 'Sandbox User',
  email: 'sandbox-user@example.org',
  organization: 'Sandbox University',
};

function readBody(req: IncomingMessage, limit = 16 * 1024 * 1024): Promise<string> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) fail(new ApiError(413, { code: 'ClientError.RequestEntityTooLarge', message: 'Request body too large' }));
      else chunks.push(c);
    });
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

export async function startGlobusSandbox(opts: GlobusSandboxOptions = {}): Promise<GlobusSandbox> {
  const ownDir = !opts.dataDir;
  const dataDir = resolve(opts.dataDir ?? mkdtempSync(join(tmpdir(), 'sreg-globus-')));
  const stateFile = (opts.persist ?? !ownDir) ? join(dataDir, 'globus-state.json') : null;
  const user: SandboxIdentity = { ...DEFAULT_USER, ...opts.user };
  const timeScale = opts.timeScale ?? 1;
  let offsetMs = 0;
  const now = () => Date.now() + offsetMs;

  const reg = new EndpointRegistry(dataDir, user);
  for (const spec of opts.endpoints ?? defaultSandboxEndpoints()) reg.add(spec);
  const auth = new AuthService(now, user, {
    clientId: opts.clientId,
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 172800,
    rotateRefreshTokens: opts.rotateRefreshTokens ?? false,
  });
  const tasks = new TaskEngine(reg, user, now, {
    bytesPerSecond: opts.bytesPerSecond ?? 50_000_000,
    queueDelayMs: opts.queueDelayMs ?? 1000,
    successfulTransfersPageSize: opts.successfulTransfersPageSize ?? 100,
  });
  const saved = stateFile ? loadState(stateFile) : null;
  if (saved) {
    auth.restore(saved.auth);
    tasks.restore(saved.tasks);
    for (const id of saved.recentlyUsed) reg.recentlyUsed.add(id);
  }

  let saveTimer: NodeJS.Timeout | undefined;
  const saveNow = () => {
    if (!stateFile) return;
    clearTimeout(saveTimer);
    saveTimer = undefined;
    saveState(stateFile, { version: 1, auth: auth.snapshot(), tasks: [...tasks.tasks.values()], recentlyUsed: [...reg.recentlyUsed] });
  };
  const scheduleSave = () => {
    if (stateFile && !saveTimer) saveTimer = setTimeout(saveNow, 100).unref();
  };

  let lastReal = performance.now();
  const run = (extraMs: number) => {
    const real = performance.now();
    const ms = (real - lastReal) * timeScale + extraMs;
    lastReal = real;
    if (tasks.run(ms)) scheduleSave();
  };
  const timer = timeScale > 0 ? setInterval(() => run(0), 20).unref() : undefined;

  const requests: SandboxRequestLogEntry[] = [];
  const send = (res: ServerResponse, status: number, body: unknown, html = false, location?: string) => {
    const text = typeof body === 'string' && html ? body : JSON.stringify(body);
    const headers: Record<string, string | number> = {
      'Content-Type': html ? 'text/html; charset=utf-8' : 'application/json',
      'Content-Length': Buffer.byteLength(text),
    };
    if (location) headers.Location = location;
    res.writeHead(status, headers);
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    const method = (req.method ?? 'GET').toUpperCase();
    let status = 500;
    try {
      const rawBody = await readBody(req);
      if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
      run(0);
      if (url.pathname.startsWith('/v0.10/')) {
        const reply = handleTransfer({ reg, auth, tasks }, {
          method, path: url.pathname.slice('/v0.10'.length), query, authorization: req.headers.authorization, rawBody,
        });
        status = reply.status;
        send(res, status, reply.body);
      } else if (url.pathname.startsWith('/v2/')) {
        const reply = handleAuth(auth, { method, path: url.pathname, query, headers: req.headers, rawBody });
        status = reply.status;
        send(res, status, reply.body, reply.html, reply.location);
      } else {
        status = 404;
        send(res, status, { code: 'ClientError.NotFound', message: `No such resource '${url.pathname}'` });
      }
      if (method !== 'GET') scheduleSave();
    } catch (e) {
      if (e instanceof ApiError) status = e.status;
      const body = e instanceof ApiError ? e.body : { code: 'ServerError.InternalError', message: (e as Error).message };
      if (!res.headersSent) send(res, status, body);
      else res.destroy();
    } finally {
      requests.push({ method, path: url.pathname, query, status, ms: Math.round((performance.now() - started) * 100) / 100 });
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const endpointOf = (id: string) => {
    const ep = reg.get(id);
    if (!ep) throw new Error(`no sandbox endpoint ${id}`);
    return ep;
  };

  return {
    url,
    port,
    dataDir,
    env: { GLOBUS_SDK_SERVICE_URL_AUTH: url, GLOBUS_SDK_SERVICE_URL_TRANSFER: url },
    user,
    get endpoints() {
      return reg.list();
    },
    requests,
    addEndpoint: (spec) => reg.add(spec),
    endpointPath: (id, path) => reg.resolvePath(endpointOf(id), path).disk,
    setEndpointConnected: (id, connected) => {
      const ep = endpointOf(id);
      if (ep.gcp_connected === null) throw new Error(`${ep.display_name} is not a Globus Connect Personal endpoint`);
      ep.gcp_connected = connected;
    },
    approveAuthorization: (params) => auth.approve(params),
    expireTokens: () => auth.expireAll(),
    revokeAll: () => {
      auth.revokeAll();
      scheduleSave();
    },
    forgetConsents: () => auth.forgetConsents(),
    failNextTask: (reason) => tasks.failNext(typeof reason === 'string' ? { code: reason } : reason),
    makeInactive: (target, niceStatus = 'PAUSED_BY_ADMIN') => tasks.setInactive(target, niceStatus),
    resumeTask: (id) => tasks.resume(id),
    stallTask: (target, stalled = true) => tasks.stall(target, stalled),
    setBytesPerSecond: (n) => {
      run(0);
      tasks.opts.bytesPerSecond = n;
    },
    advance: (ms) => {
      offsetMs += ms;
      run(ms);
    },
    tick: () => run(0),
    task: (id) => {
      run(0);
      const t = tasks.tasks.get(id);
      return t && tasks.doc(t);
    },
    settle: async (timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        run(timeScale === 0 ? 1000 : 0);
        if (!tasks.hasWork() || [...tasks.tasks.values()].every((t) => t.status !== 'ACTIVE' || t.stalled || t.trouble)) return;
        if (Date.now() > deadline) throw new Error('sandbox tasks did not settle');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: async () => {
      if (timer) clearInterval(timer);
      saveNow();
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
