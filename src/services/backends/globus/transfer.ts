// Transfer API v0.10 calls sreg makes, over GlobusClient: endpoint search and lookup, ls (paged),
// mkdir (Exists is fine), stat, submission ids, transfer and delete submission, task status and cancel.
import { transfer } from '@globus/sdk';
import { NotFoundError, UsageError } from '../../../core/errors.js';
import { looksLikeImage, type RemoteEntry, type SearchHit } from '../backend.js';
import { GlobusApiError, type GlobusClient } from './client.js';
import { connectionOf } from './local.js';
import { asFolder, baseName, formatGlobusUri, joinPath, parentPath } from './uri.js';

export interface EndpointDoc {
  id: string;
  display_name: string | null;
  owner_string?: string | null;
  owner_id?: string;
  entity_type?: string | null;
  gcs_version?: string | null;
  gcp_connected?: boolean | null;
  gcp_paused?: boolean | null;
  non_functional?: boolean | null;
  activated?: boolean;
  high_assurance?: boolean;
  description?: string | null;
  organization?: string | null;
  default_directory?: string | null;
  is_globus_connect?: boolean;
}

export interface FileDoc {
  name: string;
  type: 'dir' | 'file' | 'invalid_symlink' | 'chr' | 'blk' | 'pipe' | 'other';
  size?: number;
  last_modified?: string;
  permissions?: string;
  link_target?: string | null;
}

export interface FileList {
  path: string;
  absolute_path: string | null;
  total: number;
  DATA: FileDoc[];
}

export interface TaskDoc {
  task_id: string;
  status: 'ACTIVE' | 'INACTIVE' | 'SUCCEEDED' | 'FAILED';
  label?: string | null;
  nice_status?: string | null;
  nice_status_short_description?: string | null;
  is_ok?: boolean | null;
  fatal_error?: { code: string; description?: string } | null;
  bytes_transferred?: number;
  effective_bytes_per_second?: number;
  faults?: number;
  files?: number;
  files_transferred?: number;
  destination_endpoint_id?: string;
  source_endpoint_id?: string;
}

export const SEARCH_SCOPES = ['my-endpoints', 'shared-with-me', 'recently-used'] as const;
const SEARCH_PAGE = 100;
const SEARCH_MAX = 300;
const ENDPOINT_TTL_MS = 30_000;

/** Entity type to the short label rows show. */
export function gcsLabel(doc: EndpointDoc): string {
  const t = doc.entity_type ?? '';
  if (t.startsWith('GCSv5')) return `GCS ${doc.gcs_version ?? 'v5'}${t.includes('guest') ? ' guest' : t.includes('mapped') ? ' mapped' : ''}`;
  if (t.startsWith('GCP')) return 'Globus Connect Personal';
  if (t.startsWith('GCSv4')) return 'GCS v4';
  return t || 'endpoint';
}

export function endpointHit(doc: EndpointDoc, scope: string): SearchHit {
  const conn = connectionOf(doc);
  const name = doc.display_name || doc.id;
  return {
    kind: 'endpoint',
    title: name,
    location: formatGlobusUri(doc.id, doc.default_directory === null ? '/' : '/~/'),
    detail: [doc.id, doc.owner_string, gcsLabel(doc), conn.label].filter(Boolean).join(' · '),
    fields: {
      id: doc.id, displayName: name, owner: doc.owner_string ?? null, entityType: doc.entity_type ?? null,
      gcsVersion: doc.gcs_version ?? null, gcs: gcsLabel(doc), connected: conn.online, status: conn.label,
      activated: doc.activated ?? null, scope, description: doc.description ?? null, organization: doc.organization ?? null,
    },
  };
}

export class TransferApi {
  private readonly endpoints = new Map<string, { at: number; doc: EndpointDoc }>();
  /** Folders known to exist, per endpoint (mkdir only when not known). */
  private readonly folders = new Set<string>();

  constructor(readonly client: GlobusClient) {}

  /** One scope, paged with limit/offset while has_next_page (up to SEARCH_MAX rows). */
  async searchScope(scope: string, query: string | undefined, signal?: AbortSignal): Promise<EndpointDoc[]> {
    const out: EndpointDoc[] = [];
    for (let offset = 0; offset < SEARCH_MAX; offset += SEARCH_PAGE) {
      const page = await this.client.transfer<{ DATA: EndpointDoc[]; has_next_page?: boolean }>(
        `endpoint search (${scope})`,
        (sdk) => transfer.endpointSearch({ query: { filter_scope: scope as never, filter_fulltext: query || undefined, limit: SEARCH_PAGE, offset } }, sdk),
        { signal, idempotent: true },
      );
      for (const d of page.DATA) this.remember(d);
      out.push(...page.DATA);
      if (!page.has_next_page) break;
    }
    return out;
  }

  /**
   * Endpoints as rows. No scope: with a query, the full-text search over all endpoints; without one, my
   * endpoints, shared with me and recently used, as sregistry-cli and Tunel list them.
   */
  async search(query: string | undefined, scope: string | undefined, signal?: AbortSignal): Promise<SearchHit[]> {
    const q = query?.trim() || undefined;
    if (scope === 'all' && !q) throw new UsageError('searching all endpoints needs words to look for, e.g. sreg search globus://stanford');
    const scopes = scope ? [scope] : q ? ['all'] : [...SEARCH_SCOPES];
    const results = await Promise.all(scopes.map((s) => this.searchScope(s, q, signal).then((docs) => ({ s, docs }))));
    const seen = new Set<string>();
    const hits: SearchHit[] = [];
    for (const { s, docs } of results) {
      for (const d of docs) {
        if (seen.has(d.id)) continue;
        seen.add(d.id);
        hits.push(endpointHit(d, s));
      }
    }
    return hits;
  }

  private remember(doc: EndpointDoc): void {
    this.endpoints.set(doc.id, { at: Date.now(), doc });
  }

  /** The endpoint document, from a short-lived cache (search rows and earlier lookups fill it). */
  async endpoint(id: string, options: { signal?: AbortSignal; maxAgeMs?: number } = {}): Promise<EndpointDoc> {
    const cached = this.endpoints.get(id);
    if (cached && Date.now() - cached.at <= (options.maxAgeMs ?? ENDPOINT_TTL_MS)) return cached.doc;
    try {
      const doc = await this.client.transfer<EndpointDoc>(`endpoint ${id}`, (sdk) => transfer.endpoint.get(id, {}, sdk), { signal: options.signal, idempotent: true });
      this.remember(doc);
      return doc;
    } catch (e) {
      if (e instanceof GlobusApiError && e.status === 404) throw new NotFoundError(`no Globus endpoint ${id} (find one with: sreg search globus://QUERY)`);
      throw e;
    }
  }

  cachedEndpoint(id: string): EndpointDoc | undefined {
    return this.endpoints.get(id)?.doc;
  }

  /** Lists a folder, page after page (limit/offset until total), so very large folders arrive whole. */
  async ls(endpoint: string, path: string, options: { showHidden?: boolean; pageSize?: number; signal?: AbortSignal } = {}): Promise<FileList> {
    const limit = options.pageSize ?? 100_000;
    let first: FileList | undefined;
    const rows: FileDoc[] = [];
    for (let offset = 0; ; ) {
      let page: FileList;
      try {
        page = await this.client.transfer<FileList>(
          `ls ${endpoint}:${path}`,
          (sdk) => transfer.fileOperations.ls(endpoint, { query: { path, show_hidden: options.showHidden === false ? 'false' : 'true', limit, offset } } as never, sdk),
          { signal: options.signal, idempotent: true },
        );
      } catch (e) {
        throw this.mapPathError(e, endpoint, path);
      }
      first ??= page;
      rows.push(...page.DATA);
      offset += page.DATA.length;
      if (page.DATA.length === 0 || offset >= (page.total ?? offset)) break;
    }
    this.folders.add(`${endpoint}:${asFolder(path)}`);
    if (first.absolute_path) this.folders.add(`${endpoint}:${asFolder(first.absolute_path)}`);
    return { ...first, DATA: rows, total: rows.length };
  }

  private mapPathError(e: unknown, endpoint: string, path: string): unknown {
    if (e instanceof GlobusApiError) {
      if (e.code === 'EndpointNotFound') return new NotFoundError(`no Globus endpoint ${endpoint} (find one with: sreg search globus://QUERY)`);
      if (e.status === 404 || e.code.includes('NotFound')) return new NotFoundError(`no such folder on ${endpoint}: ${path}`);
      if (e.code.includes('NotDirectory')) return new UsageError(`${path} on ${endpoint} is a file, not a folder`);
    }
    return e;
  }

  /** Entries as the Browser shows them; dirs get a trailing slash in their location. */
  toEntries(endpoint: string, folder: string, docs: FileDoc[]): RemoteEntry[] {
    return docs.map((d) => {
      const kind: RemoteEntry['kind'] = d.type === 'dir' ? 'dir' : d.type === 'file' ? 'file' : 'other';
      const p = joinPath(folder, d.name) + (kind === 'dir' ? '/' : '');
      if (kind === 'dir') this.folders.add(`${endpoint}:${p}`);
      return {
        name: d.name,
        location: formatGlobusUri(endpoint, p),
        kind,
        size: d.size,
        modified: d.last_modified ? isoTime(d.last_modified) : undefined,
        isImage: kind === 'file' && looksLikeImage(d.name),
        linkTarget: d.link_target ?? undefined,
        permissions: d.permissions,
      };
    });
  }

  /** Creates one folder; an existing one is fine. Returns what happened. */
  async mkdir(endpoint: string, path: string, signal?: AbortSignal): Promise<'created' | 'exists'> {
    const folder = asFolder(path);
    try {
      await this.client.transfer(`mkdir ${endpoint}:${folder}`, (sdk) => transfer.fileOperations.mkdir(endpoint, { payload: { path: folder } }, sdk), { signal, idempotent: true });
      this.folders.add(`${endpoint}:${folder}`);
      return 'created';
    } catch (e) {
      if (e instanceof GlobusApiError && e.code.startsWith('ExternalError.MkdirFailed.Exists')) {
        this.folders.add(`${endpoint}:${folder}`);
        return 'exists';
      }
      throw this.mapPathError(e, endpoint, folder);
    }
  }

  /** Makes sure a folder exists: nothing when known, one mkdir usually, parents first when missing. */
  async ensureFolder(endpoint: string, path: string, signal?: AbortSignal): Promise<number> {
    const folder = asFolder(path);
    if (this.folders.has(`${endpoint}:${folder}`) || folder === '/' || folder === '/~/') return 0;
    try {
      await this.mkdir(endpoint, folder, signal);
      return 1;
    } catch (e) {
      const parent = parentPath(folder);
      const missingParent = e instanceof GlobusApiError && /No such file|PATH_NOT_FOUND/i.test(e.message + JSON.stringify(e.body));
      if (!missingParent || !parent) throw e;
      const n = await this.ensureFolder(endpoint, parent, signal);
      await this.mkdir(endpoint, folder, signal);
      return n + 2;
    }
  }

  knowsFolder(endpoint: string, path: string): boolean {
    return this.folders.has(`${endpoint}:${asFolder(path)}`);
  }

  /** After a folder is deleted: the same folder may be known under another spelling (/~/x, /home/u/x), so forget the endpoint's. */
  forgetFolders(endpoint: string): void {
    for (const key of this.folders) if (key.startsWith(`${endpoint}:`)) this.folders.delete(key);
  }

  /** One file's details, or NotFoundError. */
  async stat(endpoint: string, path: string, signal?: AbortSignal): Promise<FileDoc> {
    try {
      return await this.client.transfer<FileDoc>(`stat ${endpoint}:${path}`, (sdk) => transfer.fileOperations.stat(endpoint, { query: { path } } as never, sdk), { signal, idempotent: true });
    } catch (e) {
      if (e instanceof GlobusApiError && (e.status === 404 || e.code.includes('NotFound'))) {
        throw new NotFoundError(`no file ${path} on Globus endpoint ${endpoint}`);
      }
      throw e;
    }
  }

  async submissionId(signal?: AbortSignal): Promise<string> {
    const doc = await this.client.transfer<{ value: string }>('submission id', (sdk) => transfer.taskSubmission.submissionId({}, sdk), { signal, idempotent: true });
    return doc.value;
  }

  /** Submits a transfer or a delete (or re-submits: the same submission id answers Duplicate with the first task's id). */
  async submit(kind: 'transfer' | 'delete', payload: Record<string, unknown>, signal?: AbortSignal): Promise<{ taskId: string; duplicate: boolean }> {
    const send = kind === 'delete' ? transfer.taskSubmission.submitDelete : transfer.taskSubmission.submitTransfer;
    const doc = await this.client.transfer<{ code: string; task_id: string }>(
      `submit ${kind}`,
      (sdk) => send({ payload } as never, sdk),
      { signal, idempotent: typeof payload.submission_id === 'string' },
    );
    return { taskId: doc.task_id, duplicate: doc.code === 'Duplicate' };
  }

  task(taskId: string, signal?: AbortSignal): Promise<TaskDoc> {
    return this.client.transfer<TaskDoc>(`task ${taskId}`, (sdk) => transfer.task.get(taskId, {}, sdk), { signal, idempotent: true, maxWaitMs: 600_000 });
  }

  /** Cancels a task; one that already finished answers TaskComplete, which is fine. */
  async cancel(taskId: string): Promise<string> {
    try {
      const doc = await this.client.transfer<{ code: string }>(`cancel task ${taskId}`, (sdk) => transfer.task.cancel(taskId, {}, sdk), { idempotent: true });
      return doc.code;
    } catch (e) {
      if (e instanceof GlobusApiError && /TaskComplete/.test(e.code)) return e.code;
      throw e;
    }
  }
}

/** "2020-09-23 18:53:12+00:00" to ISO. */
export function isoTime(t: string): string {
  const d = new Date(t.replace(' ', 'T'));
  return Number.isNaN(d.getTime()) ? t : d.toISOString();
}

export { baseName };
