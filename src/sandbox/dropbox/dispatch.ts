// One request, start to finish: route on the path alone, apply faults, check the bearer token and
// the endpoint style's headers, decode the argument, run the route, and turn failures into the
// bodies Dropbox sends for each status (§1, §3).
import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgJson } from './args.js';
import { MAX_UPLOAD_BYTES, type Call, type Handler, type SandboxCore } from './context.js';
import type { ActiveFaults, FaultRegistry } from './faults.js';
import { NAMESPACE_ID } from './metadata.js';
import { authorize } from './oauth.js';
import { getCurrentAccount, getSpaceUsage, listSharedLinks, revokeToken, createSharedLink } from './routes-account.js';
import { download, getTemporaryLink, serveTemporaryLink } from './routes-content.js';
import { createFolderV2, deleteV2, getMetadata, listFolder, listFolderContinue } from './routes-files.js';
import { sessionAppend, sessionFinish, sessionFinishBatch, sessionStart, upload } from './routes-upload.js';
import type { RequestLogEntry } from './types.js';
import {
  BadRequest,
  ConnectionCut,
  cutSocket,
  drain,
  JsonFailure,
  readBody,
  readSmallBody,
  Reply,
  RouteError,
  summaryOf,
} from './wire.js';

type Style = 'rpc' | 'upload' | 'download';

interface RouteDef {
  style: Style;
  /** The OAuth scope a token needs for this route. */
  scope?: string;
  /** The argument is Void: no body, or `null`. */
  isVoid?: boolean;
  run: Handler;
}

const READ = 'files.content.read';
const WRITE = 'files.content.write';
const META = 'files.metadata.read';

const ROUTES: Record<string, RouteDef> = {
  'users/get_current_account': { style: 'rpc', scope: 'account_info.read', isVoid: true, run: getCurrentAccount },
  'users/get_space_usage': { style: 'rpc', scope: 'account_info.read', isVoid: true, run: getSpaceUsage },
  'auth/token/revoke': { style: 'rpc', isVoid: true, run: revokeToken },
  'files/upload': { style: 'upload', scope: WRITE, run: upload },
  'files/upload_session/start': { style: 'upload', scope: WRITE, run: sessionStart },
  'files/upload_session/append_v2': { style: 'upload', scope: WRITE, run: sessionAppend },
  'files/upload_session/finish': { style: 'upload', scope: WRITE, run: sessionFinish },
  'files/upload_session/finish_batch_v2': { style: 'rpc', scope: WRITE, run: sessionFinishBatch },
  'files/download': { style: 'download', scope: READ, run: download },
  'files/get_temporary_link': { style: 'rpc', scope: READ, run: getTemporaryLink },
  'files/list_folder': { style: 'rpc', scope: META, run: listFolder },
  'files/list_folder/continue': { style: 'rpc', scope: META, run: listFolderContinue },
  'files/get_metadata': { style: 'rpc', scope: META, run: getMetadata },
  'files/delete_v2': { style: 'rpc', scope: WRITE, run: deleteV2 },
  'files/create_folder_v2': { style: 'rpc', scope: WRITE, run: createFolderV2 },
  'sharing/create_shared_link_with_settings': { style: 'rpc', scope: 'sharing.write', run: createSharedLink },
  'sharing/list_shared_links': { style: 'rpc', scope: 'sharing.read', run: listSharedLinks },
};

const RPC_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain; charset=dropbox-cors-hack'];
const UPLOAD_TYPES = ['application/octet-stream', 'text/plain; charset=dropbox-cors-hack'];
const DOWNLOAD_TYPES = [
  '',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/octet-stream',
  'application/octet-stream; charset=utf-8',
  'text/plain; charset=dropbox-cors-hack',
];
const RPC_BODY_LIMIT = 8 * 1024 * 1024;

/** '/2/files/upload' -> 'files/upload'; '/oauth2/token' -> 'oauth2/token'; temp links -> 'temporary_link'. */
export function routeName(path: string): string {
  if (path.startsWith('/2/')) return path.slice(3);
  if (path.startsWith('/cd/0/get/')) return 'temporary_link';
  return path.replace(/^\/+/, '');
}

function contentType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').toLowerCase().replace(/\s*;\s*/g, '; ').trim();
}

function badType(ct: string, allowed: string[]): BadRequest {
  const list = allowed.filter(Boolean).map((t) => `"${t}"`).join(', ');
  return new BadRequest(`Bad HTTP "Content-Type" header: "${ct}".  Expecting one of ${list}.`);
}

export class Dispatcher {
  private counter = 0;

  constructor(
    private readonly core: SandboxCore,
    private readonly faults: FaultRegistry,
    private readonly log: RequestLogEntry[],
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const entry: RequestLogEntry = { method: req.method ?? 'GET', path: url.pathname, status: 0 };
    this.log.push(entry);
    const n = ++this.counter;
    res.setHeader('X-Dropbox-Request-Id', randomBytes(16).toString('hex'));
    const route = routeName(url.pathname);
    const faults = this.faults.match(route);
    if (faults.kinds.length) entry.faults = faults.kinds;
    const def = ROUTES[route];
    const style: Style = def?.style ?? (route === 'temporary_link' ? 'download' : 'rpc');
    const reply = new Reply(res, faults, entry, n, style === 'download');
    try {
      if (faults.reset && style === 'rpc') {
        cutSocket(req.socket, true);
        return;
      }
      if (faults.status) {
        await drain(req);
        await this.statusFault(reply, faults.status);
        return;
      }
      if (route === 'oauth2/token') await this.token(req, reply, url, faults);
      else if (route === 'oauth2/authorize') await this.authorizePage(req, reply, url, faults);
      else if (route === 'temporary_link') await serveTemporaryLink(this.core, req, reply, url.pathname);
      else if (!url.pathname.startsWith('/2/') || !def) await reply.text(404, `Unknown API function: "${route}"`);
      else if (req.method !== 'POST') await reply.text(405, 'Method Not Allowed', { Allow: 'POST' });
      else await this.api(route, def, req, reply, url, faults);
    } catch (e) {
      if (e instanceof ConnectionCut) return;
      if (reply.sent) {
        res.destroy();
        return;
      }
      await drain(req);
      if (e instanceof BadRequest) {
        const prefix = route.startsWith('oauth2/') ? '' : `Error in call to API function "${route}": `;
        await reply.text(400, prefix + e.message);
      } else if (e instanceof RouteError) await reply.routeError(e);
      else if (e instanceof JsonFailure) await reply.json(e.status, e.body, e.headers);
      else await reply.text(500, `sandbox error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async statusFault(reply: Reply, f: NonNullable<ActiveFaults['status']>): Promise<void> {
    const headers: Record<string, string> = {};
    if (f.retryAfter !== undefined || f.status === 429) headers['Retry-After'] = String(f.retryAfter ?? 1);
    if (f.status === 429 && f.body !== 'text') {
      const reason = { '.tag': f.reason ?? 'too_many_requests' };
      const error = { reason, retry_after: f.retryAfter ?? 1 };
      await reply.json(429, { error_summary: summaryOf(reason, 0), error }, headers);
      return;
    }
    await reply.text(f.status, STATUS_CODES[f.status] ?? `HTTP ${f.status}`, headers);
  }

  private async api(route: string, def: RouteDef, req: IncomingMessage, reply: Reply, url: URL, faults: ActiveFaults) {
    const tokens = this.core.tokens;
    const accessToken = tokens.bearer(req.headers.authorization);
    if (faults.expireToken) tokens.expire(accessToken);
    tokens.authenticate(accessToken, def.scope);
    this.checkPathRoot(req);
    let arg: unknown;
    let where: string;
    if (def.style === 'rpc') {
      where = 'request body';
      const ct = contentType(req);
      const body = await readSmallBody(req, faults, RPC_BODY_LIMIT);
      if (def.isVoid && body.length === 0) arg = null;
      else {
        if (!RPC_TYPES.includes(ct)) throw badType(ct, RPC_TYPES);
        arg = parseArgJson(body.toString('utf8'), where);
        if (def.isVoid && arg !== null && !(typeof arg === 'object' && Object.keys(arg as object).length === 0)) {
          throw new BadRequest(`${where}: expected null, got ${typeof arg}`);
        }
      }
    } else {
      where = 'HTTP header "Dropbox-API-Arg"';
      const header = req.headers['dropbox-api-arg'];
      const raw = typeof header === 'string' ? header : url.searchParams.get('arg');
      if (raw === null || raw === undefined) {
        throw new BadRequest('Must provide HTTP header "Dropbox-API-Arg" or URL parameter "arg".');
      }
      const ct = contentType(req);
      const allowed = def.style === 'upload' ? UPLOAD_TYPES : DOWNLOAD_TYPES;
      if (!allowed.includes(ct)) throw badType(ct, allowed);
      arg = parseArgJson(raw, where);
      if (def.style === 'download') await drain(req);
    }
    const call: Call = {
      route,
      req,
      reply,
      faults,
      arg,
      where,
      accessToken,
      body: (onChunk) =>
        readBody(req, { limit: MAX_UPLOAD_BYTES, faults, resetRequest: def.style === 'upload', onChunk }),
    };
    await def.run(this.core, call);
  }

  /** Dropbox-API-Path-Root: only this account's own root or home namespace is reachable. */
  private checkPathRoot(req: IncomingMessage): void {
    const raw = req.headers['dropbox-api-path-root'];
    if (typeof raw !== 'string') return;
    const v = parseArgJson(raw, 'HTTP header "Dropbox-API-Path-Root"') as Record<string, unknown> | null;
    const t = v && typeof v === 'object' ? v['.tag'] : undefined;
    if (t === 'home') return;
    if ((t === 'root' || t === 'namespace_id') && v?.[t] === NAMESPACE_ID) return;
    if (t !== 'root' && t !== 'namespace_id') {
      throw new BadRequest(`HTTP header "Dropbox-API-Path-Root": unknown tag '${String(t)}'`);
    }
    const error = { '.tag': 'no_permission' };
    throw new JsonFailure(422, { error_summary: summaryOf(error, 0), error });
  }

  private async formParams(req: IncomingMessage, url: URL, faults: ActiveFaults): Promise<URLSearchParams> {
    const params = new URLSearchParams(url.search);
    const body = await readSmallBody(req, faults, 64 * 1024);
    if (body.length && contentType(req).startsWith('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.set(k, v);
    }
    return params;
  }

  /** POST /oauth2/token: parameters in the query string (JS SDK) or a form body (Python SDK). */
  private async token(req: IncomingMessage, reply: Reply, url: URL, faults: ActiveFaults): Promise<void> {
    if (req.method !== 'POST') {
      await reply.text(405, 'Method Not Allowed', { Allow: 'POST' });
      return;
    }
    const params = await this.formParams(req, url, faults);
    let basicClient: string | undefined;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) basicClient = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')[0];
    await reply.json(200, this.core.tokens.exchange(params, basicClient));
  }

  private async authorizePage(req: IncomingMessage, reply: Reply, url: URL, faults: ActiveFaults): Promise<void> {
    const approved = req.method === 'POST';
    const params = approved ? await this.formParams(req, url, faults) : url.searchParams;
    const out = authorize(this.core.tokens, params, approved);
    if (out.kind === 'redirect') await reply.redirect(out.location);
    else await reply.html(out.status, out.html);
  }
}
