// The Globus backend: RemoteBackend (login, endpoint search, browsing, mkdir, delete, transfer planning)
// and the queue runner, over one GlobusAuth (tokens in the secret store) and one TransferApi (caches of
// endpoint documents and known folders shared by browsing and transfers).
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join, resolve } from 'node:path';
import { NotFoundError, RemoteError, SregError, UsageError } from '../../../core/errors.js';
import { sleep } from '../../http.js';
import { log } from '../../log.js';
import type { BackendContext } from '../../index.js';
import type { TransferRunner } from '../../transfers/types.js';
import type { BackendStatus, Listing, LoginFlow, PullPlan, PushPlan, RemoteBackend, SearchHit } from '../backend.js';
import { DEFAULT_CLIENT_ID, GlobusAuth } from './auth.js';
import { checkReachable, connectionOf, findLocalEndpoint, NO_LOCAL_ENDPOINT, type LocalEndpoint } from './local.js';
import { planPull, planPush, taskLabel, type PlanDeps } from './plan.js';
import { followTask, GlobusRunner, pollSchedule, taskReason } from './runner.js';
import { TransferApi } from './transfer.js';
import { baseName, displayPath, formatGlobusUri, HOME, parentPath, parseGlobusUri } from './uri.js';

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
/** How long remove() waits for its DELETE task before saying it goes on at Globus. */
const DELETE_WAIT_MS = 60_000;

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

  /**
   * Deletes a file, or a folder with everything in it when the location ends with "/" (as list() gives
   * folders; only then is the task recursive), as a Globus DELETE task, then waits a minute at most for it.
   */
  async remove(location: string, options: { signal?: AbortSignal; waitMs?: number } = {}): Promise<void> {
    const loc = parseGlobusUri(location);
    if (!loc.path || loc.path === '/' || loc.path === HOME) {
      throw new UsageError('give the file or folder to delete: globus://ENDPOINT/PATH (a folder ends with /); sreg does not delete an endpoint\'s top or home folder');
    }
    const folder = loc.path.endsWith('/');
    const { signal } = options;
    const submissionId = await this.api.submissionId(signal);
    const { taskId, duplicate } = await this.api.submit('delete', {
      submission_id: submissionId, endpoint: loc.endpoint, recursive: folder, ignore_missing: false, interpret_globs: false,
      label: taskLabel('delete', baseName(loc.path)), notify_on_succeeded: false, notify_on_failed: true,
      DATA: [{ DATA_TYPE: 'delete_item', path: loc.path }],
    }, signal);
    log('globus', `delete ${loc.endpoint}:${loc.path}${folder ? ' (recursive)' : ''}: task ${taskId}${duplicate ? ' (duplicate submission: same task)' : ''}`);
    if (folder) this.api.forgetFolders(loc.endpoint);
    const s = pollSchedule(this.ctx.env);
    const t = await followTask({
      poll: () => this.api.task(taskId, signal),
      schedule: { ...s, initialMs: Math.min(s.initialMs, 1000), maxMs: Math.min(s.maxMs, 2000) },
      sleep: (ms) => sleep(ms, signal),
      stopAfterMs: options.waitMs ?? DELETE_WAIT_MS,
    });
    log('globus', `delete task ${taskId}: ${t.status}`);
    if (t.status === 'SUCCEEDED') return;
    if (t.status === 'FAILED') {
      const code = t.fatal_error?.code ?? '';
      const hint = !folder && /DIRECTORY/i.test(code) ? '; to delete a folder and everything in it, end the address with /' : '';
      const message = `cannot delete ${location}: ${taskReason(t)} (Globus task ${taskId})${hint}`;
      throw /NOT_FOUND/.test(code) ? new NotFoundError(message) : new RemoteError(message);
    }
    const state = t.nice_status_short_description ?? t.nice_status ?? t.status;
    throw new RemoteError(`the delete of ${location} is still running on Globus (task ${taskId}, ${state}); sreg stopped waiting, it continues on Globus's side`);
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
