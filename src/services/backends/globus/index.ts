// The Globus backend: RemoteBackend (login, endpoint search, browsing, mkdir, transfer planning) and the
// queue runner, over one GlobusAuth (tokens in the secret store) and one TransferApi (caches of
// endpoint documents and known folders shared by browsing and transfers).
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join, resolve } from 'node:path';
import { SregError, UsageError } from '../../../core/errors.js';
import type { BackendContext } from '../../index.js';
import type { TransferRunner } from '../../transfers/types.js';
import type { BackendStatus, Listing, LoginFlow, PullPlan, PushPlan, RemoteBackend, SearchHit } from '../backend.js';
import { DEFAULT_CLIENT_ID, GlobusAuth } from './auth.js';
import { checkReachable, connectionOf, findLocalEndpoint, NO_LOCAL_ENDPOINT, type LocalEndpoint } from './local.js';
import { planPull, planPush, type PlanDeps } from './plan.js';
import { GlobusRunner } from './runner.js';
import { TransferApi } from './transfer.js';
import { displayPath, formatGlobusUri, HOME, parentPath, parseGlobusUri } from './uri.js';

export { parseGlobusUri, formatGlobusUri } from './uri.js';
export { DEFAULT_CLIENT_ID } from './auth.js';

/** What the TUI and `sreg login globus` can show about "this machine". */
export interface LocalStatus {
  endpoint?: LocalEndpoint;
  displayName?: string;
  online?: boolean;
  connection?: string;
  /** Storage folder reachable with write access (pulls) through it. */
  storageReachable?: boolean;
  /** One line: what to change, when something is missing. */
  problem?: string;
}

const ROOT = 'globus://';

export class GlobusBackend implements RemoteBackend {
  readonly kind = 'globus' as const;
  readonly title = 'Globus';
  readonly auth: GlobusAuth;
  readonly api: TransferApi;
  private readonly deps: PlanDeps;

  constructor(private readonly ctx: BackendContext) {
    this.auth = new GlobusAuth(ctx.env, ctx.secrets, ctx.settings);
    this.api = new TransferApi(this.auth.client);
    this.deps = { env: ctx.env, settings: ctx.settings, library: ctx.library, api: this.api };
  }

  async status(): Promise<BackendStatus> {
    const account = this.auth.account();
    const token = this.auth.token('transfer.api.globus.org');
    const usable = !!token && (!!token.refresh_token || token.expires_at > Date.now());
    if (!account || !usable) return { loggedIn: false, detail: 'not logged in: sreg login globus' };
    const parts = [token.refresh_token ? 'stays logged in (refresh token)' : `expires ${new Date(token.expires_at).toISOString()}`];
    if (account.client_id !== DEFAULT_CLIENT_ID) parts.push(`client ${account.client_id}`);
    const local = findLocalEndpoint(this.ctx.env, { globusLocal: this.ctx.settings.get('globusLocal') });
    parts.push(local ? `this machine: ${local.endpointId} (${local.source === 'gcp' ? 'Globus Connect Personal' : 'chosen collection'})` : 'no endpoint for this machine');
    return { loggedIn: true, who: account.who, detail: parts.join(' · ') };
  }

  login(options: { token?: boolean; scopes?: string[] } = {}): LoginFlow {
    if (options.token) throw new UsageError('Globus has no paste-a-token login; use the browser login (sreg login globus)');
    return this.auth.login({ scopes: options.scopes });
  }

  async logout(): Promise<void> {
    await this.auth.logout();
  }

  /** "This machine"'s home when there is one, else the endpoint list. */
  async home(): Promise<string> {
    const local = findLocalEndpoint(this.ctx.env, { globusLocal: this.ctx.settings.get('globusLocal') });
    return local ? formatGlobusUri(local.endpointId, HOME) : ROOT;
  }

  /** Lists a folder; `globus://` lists endpoints (mine, shared with me, recently used) as folders. */
  async list(location: string, options: { showHidden?: boolean; signal?: AbortSignal } = {}): Promise<Listing> {
    if (location === ROOT || location === 'globus:' || location === '') {
      const hits = await this.api.search(undefined, undefined, options.signal);
      return {
        location: ROOT,
        breadcrumb: 'Globus endpoints',
        entries: hits.map((h) => ({ name: h.title, location: h.location, kind: 'dir' as const, isImage: false, permissions: h.detail })),
      };
    }
    const loc = parseGlobusUri(location);
    const path = loc.path ?? HOME;
    const pageSize = Number(this.ctx.env.SREG_GLOBUS_LS_PAGE_SIZE) || undefined;
    const [list, doc] = await Promise.all([
      this.api.ls(loc.endpoint, path, { showHidden: options.showHidden, pageSize, signal: options.signal }),
      this.api.endpoint(loc.endpoint, { signal: options.signal, maxAgeMs: 600_000 }).catch(() => undefined),
    ]);
    const shown = list.absolute_path ?? path;
    const parent = parentPath(shown);
    return {
      location: formatGlobusUri(loc.endpoint, path),
      parent: parent ? formatGlobusUri(loc.endpoint, parent) : ROOT,
      breadcrumb: `${doc?.display_name ?? loc.endpoint}:${displayPath(shown)}`,
      entries: this.api.toEntries(loc.endpoint, path, list.DATA),
    };
  }

  search(query: string, options: { scope?: string; signal?: AbortSignal } = {}): Promise<SearchHit[]> {
    return this.api.search(query, options.scope, options.signal);
  }

  async mkdir(location: string): Promise<void> {
    const loc = parseGlobusUri(location);
    if (!loc.path) throw new UsageError('give the folder to create: globus://ENDPOINT/PATH');
    await this.api.mkdir(loc.endpoint, loc.path);
  }

  planPull(remote: string, options: { name?: string; force?: boolean }): Promise<PullPlan> {
    return planPull(this.deps, remote, options);
  }

  planPush(local: { path: string; imageName: string }, remote: string): Promise<PushPlan> {
    return planPush(this.deps, local, remote);
  }

  /** "This machine": which endpoint, whether it is online, whether the library folder is shared through it. */
  async localStatus(signal?: AbortSignal): Promise<LocalStatus> {
    const endpoint = findLocalEndpoint(this.ctx.env, { globusLocal: this.ctx.settings.get('globusLocal') });
    if (!endpoint) return { problem: NO_LOCAL_ENDPOINT };
    const reach = checkReachable(endpoint, this.ctx.library.storageDir, true);
    const out: LocalStatus = { endpoint, storageReachable: reach.ok, problem: reach.fix };
    try {
      const doc = await this.api.endpoint(endpoint.endpointId, { signal });
      const c = connectionOf(doc);
      Object.assign(out, { displayName: doc.display_name ?? undefined, online: c.online, connection: c.label });
    } catch (e) {
      out.problem ??= (e as Error).message;
    }
    return out;
  }
}

/**
 * Makes a collection "this machine" after proving its path mapping: a probe file written into the
 * library folder here must show up when Globus lists the mapped path there. Saves the choice.
 */
export async function chooseLocalEndpoint(
  backend: GlobusBackend,
  ctx: Pick<BackendContext, 'settings' | 'library'>,
  choice: { endpointId: string; localPrefix: string; remotePrefix: string },
  signal?: AbortSignal,
): Promise<LocalStatus> {
  const endpointId = parseGlobusUri(choice.endpointId).endpoint;
  const local: LocalEndpoint = { endpointId, source: 'settings', localPrefix: resolve(choice.localPrefix), remotePrefix: choice.remotePrefix || '/' };
  const storage = ctx.library.storageDir;
  const reach = checkReachable(local, storage, true);
  if (!reach.ok) throw new SregError(reach.fix!, { kind: 'globus-local-unreachable' });
  await fsp.mkdir(storage, { recursive: true });
  const probe = `.sreg-probe-${randomBytes(6).toString('hex')}`;
  await fsp.writeFile(join(storage, probe), '');
  try {
    const names = await backend.api
      .ls(endpointId, reach.endpointPath!, { signal })
      .then((l) => l.DATA.map((d) => d.name))
      .catch((e: Error) => {
        throw new SregError(`Globus cannot list ${reach.endpointPath} on ${endpointId} (${e.message}); check the collection path that matches ${local.localPrefix}`);
      });
    if (!names.includes(probe)) {
      throw new SregError(`${endpointId}:${reach.endpointPath} is not the library folder ${storage} (a file written there did not show up); check the path mapping`);
    }
  } finally {
    await fsp.rm(join(storage, probe), { force: true });
  }
  ctx.settings.set('globusLocal', { endpointId, localPrefix: local.localPrefix, remotePrefix: local.remotePrefix });
  return backend.localStatus(signal);
}

export function createBackend(ctx: BackendContext): { backend: GlobusBackend; runner: TransferRunner } {
  const backend = new GlobusBackend(ctx);
  const runner = new GlobusRunner({ env: ctx.env, settings: ctx.settings, library: ctx.library, api: backend.api });
  return { backend, runner };
}
