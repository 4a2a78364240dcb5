// The Dropbox backend: browsing, search, share, delete and transfer planning over the app folder, laid
// out as sregistry-cli does (`/<collection>/<name>:<tag>.sif`). Transfers run in runner.ts.
import { promises as fsp } from 'node:fs';
import { UsageError } from '../../../core/errors.js';
import { formatImageName, parseImageName } from '../../../core/uri.js';
import type { BackendContext } from '../../index.js';
import type { TransferRunner } from '../../transfers/types.js';
import { looksLikeImage, type BackendStatus, type Listing, type LoginFlow, type PullPlan, type PushPlan, type RemoteBackend, type RemoteEntry, type SearchHit } from '../backend.js';
import { DropboxApi, retryBudget } from './api.js';
import { DropboxAuth } from './auth.js';
import { dropboxHosts } from './client.js';
import { DropboxApiError } from './errors.js';
import type { FileMetadata } from './files.js';
import { loginFlow, whoAmI } from './login.js';
import { fileFor, hasImageExtension, imagePath, nameForPath, parentOf, toLocation, toPath } from './paths.js';
import { DropboxRunner } from './runner.js';

interface Entry {
  '.tag': string;
  name: string;
  path_display?: string;
  path_lower?: string;
  size?: number;
  server_modified?: string;
}

export class DropboxBackend implements RemoteBackend {
  readonly kind = 'dropbox' as const;
  readonly title = 'Dropbox';

  /** Who an environment token belongs to, asked once per process (status() is polled by the TUI). */
  private envWho?: { token: string; who: string };

  constructor(readonly api: DropboxApi) {}

  async status(): Promise<BackendStatus> {
    const auth = this.api.auth;
    const where = this.api.hosts.overridden ? ` (at ${this.api.hosts.api})` : '';
    const envToken = auth.envToken();
    if (envToken) {
      try {
        if (this.envWho?.token !== envToken) this.envWho = { token: envToken, who: await whoAmI(this.api, undefined, 1) };
        return { loggedIn: true, who: this.envWho.who, detail: `token from SREGISTRY_DROPBOX_TOKEN${where}` };
      } catch (e) {
        return { loggedIn: false, detail: `SREGISTRY_DROPBOX_TOKEN is set but refused: ${(e as Error).message}` };
      }
    }
    const s = auth.stored();
    if (!s?.accessToken && !s?.refreshToken) return { loggedIn: false, detail: `not logged in: sreg login dropbox${where}` };
    if (!s.refreshToken && s.expiresAt && s.expiresAt < Date.now()) return { loggedIn: false, who: s.who, detail: 'login expired: sreg login dropbox' };
    const how = s.refreshToken ? 'refreshes automatically' : s.expiresAt ? `expires ${new Date(s.expiresAt).toISOString().slice(0, 16)}Z` : 'pasted token';
    return { loggedIn: true, who: s.who, detail: `${how}${where}` };
  }

  login(options: { token?: boolean; scopes?: string[] } = {}): LoginFlow {
    return loginFlow(this.api, options);
  }

  /** Revokes the saved login (which also disables its refresh token) and forgets it. */
  async logout(): Promise<void> {
    const auth = this.api.auth;
    if (!auth.stored()) return;
    try {
      const token = await auth.storedToken();
      const sdk = this.api.sdk as unknown as { auth: { setAccessToken(t: string): void }; authTokenRevoke(): Promise<unknown> };
      sdk.auth.setAccessToken(token);
      await sdk.authTokenRevoke();
    } catch {
      // Already expired or revoked: forgetting it is all that is left to do.
    }
    auth.forget();
  }

  async home(): Promise<string> {
    return toLocation('');
  }

  private async *folder(path: string, recursive: boolean, signal?: AbortSignal): AsyncGenerator<Entry> {
    const target = path || '/';
    let page = await this.api.call('list_folder', (dbx) => dbx.filesListFolder({ path, recursive, include_deleted: false }), { signal, target });
    for (;;) {
      for (const e of page.entries as Entry[]) yield e;
      if (!page.has_more) return;
      const cursor = page.cursor;
      page = await this.api.call('list_folder/continue', (dbx) => dbx.filesListFolderContinue({ cursor }), { signal, target });
    }
  }

  async list(location: string, options: { signal?: AbortSignal } = {}): Promise<Listing> {
    const path = toPath(location);
    const entries: RemoteEntry[] = [];
    for await (const e of this.folder(path, false, options.signal)) {
      if (e['.tag'] === 'deleted') continue;
      const p = e.path_display ?? `${path}/${e.name}`;
      const kind = e['.tag'] === 'folder' ? 'dir' : e['.tag'] === 'file' ? 'file' : 'other';
      entries.push({ name: e.name, location: toLocation(p), kind, size: e.size, modified: e.server_modified, isImage: kind === 'file' && looksLikeImage(e.name) });
    }
    entries.sort((a, b) => (a.kind === 'dir' ? 0 : 1) - (b.kind === 'dir' ? 0 : 1) || a.name.localeCompare(b.name));
    const parent = parentOf(path);
    return { location: toLocation(path), parent: parent === undefined ? undefined : toLocation(parent), breadcrumb: `Dropbox${path || '/'}`, entries };
  }

  /** Everything in the app folder (recursive listing), filtered by QUERY: images as c/n:t, and collections. */
  async search(query: string, options: { signal?: AbortSignal } = {}): Promise<SearchHit[]> {
    const q = query.trim().toLowerCase();
    const images: SearchHit[] = [];
    const collections: SearchHit[] = [];
    for await (const e of this.folder('', true, options.signal)) {
      const p = e.path_display ?? e.path_lower ?? '';
      if (e['.tag'] === 'folder') {
        const title = p.replace(/^\//, '');
        if (!q || title.toLowerCase().includes(q)) collections.push({ kind: 'collection', title, location: toLocation(p) });
      } else if (e['.tag'] === 'file' && looksLikeImage(e.name)) {
        let title = p.replace(/^\//, '');
        try {
          title = formatImageName(nameForPath(p), false);
        } catch {
          /* keep the path */
        }
        if (q && !title.toLowerCase().includes(q) && !p.toLowerCase().includes(q)) continue;
        images.push({ kind: 'image', title, location: toLocation(p), detail: p, fields: { size: e.size, modified: e.server_modified, path: p } });
      }
    }
    const byTitle = (a: SearchHit, b: SearchHit) => a.title.localeCompare(b.title);
    return [...collections.sort(byTitle), ...images.sort(byTitle)];
  }

  /** A shared link for an image or file: created, or the existing one on shared_link_already_exists. */
  async share(location: string): Promise<string> {
    const path = fileFor(location);
    try {
      const link = await this.api.call('create_shared_link', (dbx) => dbx.sharingCreateSharedLinkWithSettings({ path }), { target: path });
      return link.url;
    } catch (e) {
      if (!(e instanceof DropboxApiError) || e.tags[0] !== 'shared_link_already_exists') throw e;
      const existing = e.error.shared_link_already_exists as { metadata?: { url?: string } } | undefined;
      if (existing?.metadata?.url) return existing.metadata.url;
      const listed = await this.api.call('list_shared_links', (dbx) => dbx.sharingListSharedLinks({ path, direct_only: true }), { target: path });
      const url = listed.links[0]?.url;
      if (!url) throw new UsageError(`Dropbox says ${path} is shared but lists no link`);
      return url;
    }
  }

  async remove(location: string): Promise<void> {
    const path = fileFor(location);
    await this.api.call('delete', (dbx) => dbx.filesDeleteV2({ path }), { target: path });
  }

  async mkdir(location: string): Promise<void> {
    const path = toPath(location);
    try {
      await this.api.call('create_folder', (dbx) => dbx.filesCreateFolderV2({ path, autorename: false }), { target: path });
    } catch (e) {
      if (!(e instanceof DropboxApiError && e.tags.includes('conflict') && e.tags.includes('folder'))) throw e;
    }
  }

  /** Finds the file (`.sif`, else sregistry-cli's older `.simg` or bare name) and the library name it gets. */
  async planPull(remote: string, options: { name?: string } = {}): Promise<PullPlan> {
    const first = fileFor(remote);
    const candidates = hasImageExtension(remote) ? [first] : [first, first.replace(/\.sif$/, '.simg'), first.replace(/\.sif$/, '')];
    let meta: (FileMetadata & { '.tag'?: string }) | undefined;
    let lastError: unknown;
    for (const path of candidates) {
      try {
        meta = (await this.api.call('get_metadata', (dbx) => dbx.filesGetMetadata({ path }), { target: first })) as unknown as FileMetadata & { '.tag'?: string };
        break;
      } catch (e) {
        lastError = e;
        if (!(e instanceof DropboxApiError && e.tags.includes('not_found'))) throw e;
      }
    }
    if (!meta) throw lastError;
    if (meta['.tag'] && meta['.tag'] !== 'file') throw new UsageError(`${remote} is a folder on Dropbox, not an image`);
    const path = meta.path_display ?? meta.path_lower ?? first;
    const name = options.name ? libraryName(options.name) : nameForPath(path);
    return { source: toLocation(path), imageName: formatImageName(name, false), bytesTotal: meta.size, options: { rev: meta.rev, contentHash: meta.content_hash } };
  }

  async planPush(local: { path: string; imageName: string }, remote: string): Promise<PushPlan> {
    const named = toPath(remote) === '' ? imagePath(parseImageName(local.imageName)) : fileFor(remote);
    const size = (await fsp.stat(local.path).catch(() => undefined))?.size;
    return { destination: toLocation(named), bytesTotal: size, imageName: formatImageName(nameForPath(named), false) };
  }
}

function libraryName(input: string) {
  const n = parseImageName(input);
  if (n.scheme) throw new UsageError(`--name is a library name; drop "${n.scheme}://"`);
  if (n.version) throw new UsageError('--name must not carry @version: the version is the sha256 of the file');
  return n;
}

export function createBackend(ctx: BackendContext): { backend: RemoteBackend; runner: TransferRunner } {
  const hosts = dropboxHosts(ctx.env);
  const auth = new DropboxAuth(ctx.env, ctx.secrets, hosts, () => ctx.settings.get('dropboxAppKey'));
  const api = new DropboxApi(auth, hosts, retryBudget(ctx.env));
  return { backend: new DropboxBackend(api), runner: new DropboxRunner(api, ctx.library, ctx.env) };
}
