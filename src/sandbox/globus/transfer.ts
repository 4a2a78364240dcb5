// Transfer API v0.10 routes: the bearer check, then one small handler per route.
import { TRANSFER_RS, type AccessToken, type AuthService } from './auth.js';
import { dataAccessScope, type EndpointRegistry } from './endpoints.js';
import { badRequest, endpointNotFound, transferError, type ApiError } from './errors.js';
import { listDirectory, makeDirectory, statPath } from './files.js';
import { consentRequired, type TaskEngine } from './tasks.js';
import type { SandboxEndpoint } from './types.js';

export interface TransferContext {
  reg: EndpointRegistry;
  auth: AuthService;
  tasks: TaskEngine;
}

export interface Reply {
  status: number;
  body: unknown;
}

export interface TransferRequest {
  method: string;
  /** The path after "/v0.10", e.g. "/task_list". */
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  rawBody: string;
}

function bearer(ctx: TransferContext, header: string | undefined, resource: string): AccessToken {
  if (!header || !/^Bearer\s+\S+/i.test(header)) {
    throw transferError(400, 'ClientError.AuthenticationFailed', 'No credentials supplied', resource);
  }
  const token = ctx.auth.lookup(header);
  // Only a transfer.api.globus.org token works here; an auth.globus.org one is refused like a dead one.
  if (!token || token.resource_server !== TRANSFER_RS) {
    throw transferError(401, 'AuthenticationFailed', 'Token is not active', resource);
  }
  return token;
}

function jsonBody(raw: string, resource: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = raw ? JSON.parse(raw) : {};
  } catch {
    throw badRequest('Request body is not valid JSON', resource);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badRequest('Request body must be a JSON object', resource);
  return v as Record<string, unknown>;
}

const hasDataAccess = (token: AccessToken, endpointId: string) => token.scope.includes(dataAccessScope(endpointId));

/** The checks every file operation passes: endpoint exists, consent given, GCP online. */
function usableEndpoint(ctx: TransferContext, token: AccessToken, id: string, op: 'DirListing' | 'Mkdir', resource: string): SandboxEndpoint {
  const ep = ctx.reg.get(id);
  if (!ep) throw endpointNotFound(id, resource);
  if (ep.requiresConsent && !hasDataAccess(token, ep.id)) throw consentRequired([ep.id], resource);
  if (ep.gcp_connected === false) {
    throw transferError(502, `ExternalError.${op}Failed.GCDisconnected`,
      `The Globus Connect Personal endpoint '${ep.display_name}' (${ep.id}) is not currently connected to Globus`, resource);
  }
  if (ep.gcp_paused) {
    throw transferError(502, `ExternalError.${op}Failed.GCPaused`,
      `The Globus Connect Personal endpoint '${ep.display_name}' (${ep.id}) is currently paused`, resource);
  }
  ctx.reg.recentlyUsed.add(ep.id);
  return ep;
}

export function handleTransfer(ctx: TransferContext, r: TransferRequest): Reply {
  const resource = r.path;
  const token = bearer(ctx, r.authorization, resource);
  const seg = r.path.split('/').filter(Boolean).map(decodeURIComponent);
  const route = `${r.method} ${seg.map((s, i) => (isParam(seg, i) ? '{}' : s)).join('/')}`;
  const ok = (body: unknown, status = 200): Reply => ({ status, body });
  switch (route) {
    case 'GET endpoint_search':
      return ok(ctx.reg.search(r.query, ctx.tasks.inUse(), resource));
    case 'GET endpoint/{}': {
      const ep = ctx.reg.get(seg[1]);
      if (!ep) throw endpointNotFound(seg[1], resource);
      return ok(ctx.reg.doc(ep, ctx.tasks.inUse().has(ep.id)));
    }
    case 'GET operation/endpoint/{}/ls': {
      const ep = usableEndpoint(ctx, token, seg[2], 'DirListing', resource);
      return ok(listDirectory(ctx.reg, ep, r.query, resource));
    }
    case 'GET operation/endpoint/{}/stat': {
      const ep = usableEndpoint(ctx, token, seg[2], 'DirListing', resource);
      return ok(statPath(ctx.reg, ep, r.query, resource));
    }
    case 'POST operation/endpoint/{}/mkdir': {
      const ep = usableEndpoint(ctx, token, seg[2], 'Mkdir', resource);
      return ok(makeDirectory(ctx.reg, ep, jsonBody(r.rawBody, resource), resource), 202);
    }
    case 'GET submission_id':
      return ok(ctx.tasks.submissionId());
    case 'POST transfer': {
      const res = ctx.tasks.submit(jsonBody(r.rawBody, resource), (id) => hasDataAccess(token, id), resource);
      return ok(res.body, res.status);
    }
    case 'POST delete': {
      const res = ctx.tasks.submitDelete(jsonBody(r.rawBody, resource), (id) => hasDataAccess(token, id), resource);
      return ok(res.body, res.status);
    }
    case 'GET task_list':
      return ok(ctx.tasks.list(r.query, resource));
    case 'GET task/{}':
      return ok(ctx.tasks.doc(ctx.tasks.find(seg[1], resource)));
    case 'GET task/{}/successful_transfers':
      return ok(ctx.tasks.successfulTransfers(ctx.tasks.find(seg[1], resource), r.query, resource));
    case 'GET task/{}/event_list':
      return ok(ctx.tasks.events(ctx.tasks.find(seg[1], resource), r.query, resource));
    case 'POST task/{}/cancel':
      return ok(ctx.tasks.cancel(ctx.tasks.find(seg[1], resource), resource));
    default:
      throw notFound(resource);
  }
}

/** Which path segments are ids: endpoint/{id}, operation/endpoint/{id}/…, task/{id}/…. */
function isParam(seg: string[], i: number): boolean {
  if (i === 1 && (seg[0] === 'endpoint' || seg[0] === 'task')) return true;
  return i === 2 && seg[0] === 'operation' && seg[1] === 'endpoint';
}

function notFound(resource: string): ApiError {
  return transferError(404, 'ClientError.NotFound', `No such resource '${resource}'`, resource);
}
