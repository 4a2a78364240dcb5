// A test double for RemoteBackend over a folder tree on disk: enough behaviour for the screens
// (login states, listing with hidden files, ConsentRequired on one folder, share, delete, endpoint
// search, pull/push plans) without any network. It is a stand-in, not a model of Dropbox or Globus;
// the sandbox-backed tests use the real backends.
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AuthRequiredError, ConsentRequiredError } from '../../src/core/errors.js';
import { looksLikeImage, type BackendKind, type Listing, type LoginFlow, type RemoteBackend, type SearchHit } from '../../src/services/backends/backend.js';
import type { Library } from '../../src/services/library/images.js';
import { parseImageName } from '../../src/core/uri.js';
import type { TransferRunner } from '../../src/services/transfers/types.js';

export const GOOD_CODE = 'good-code';
export const CONSENT_SCOPE = 'urn:test:data_access';

export interface FolderBackend extends RemoteBackend {
  loggedIn: boolean;
  consented: boolean;
  removed: string[];
  lastLoginScopes?: string[];
}

export function folderBackend(kind: BackendKind, title: string, root: string, options: { loggedIn?: boolean; endpoints?: SearchHit[] } = {}): FolderBackend {
  const pathOf = (location: string) => location.replace(new RegExp(`^${kind}://`), '').replace(/^\/+/, '').replace(/\/+$/, '');
  const loc = (path: string) => `${kind}://${path}`;
  const b: FolderBackend = {
    kind,
    title,
    loggedIn: options.loggedIn ?? false,
    consented: false,
    removed: [],
    async status() {
      return b.loggedIn ? { loggedIn: true, who: 'tester@example.org', detail: 'test double' } : { loggedIn: false, detail: `not logged in: sreg login ${kind}` };
    },
    login(opts = {}): LoginFlow {
      b.lastLoginScopes = opts.scopes;
      return {
        start: async () => ({
          url: opts.token ? 'https://example.org/apps' : `https://example.org/authorize?client_id=sreg&state=${kind}`,
          expects: opts.token ? 'token' : 'code',
          instructions: opts.token ? ['Make a token in the app console.', 'Paste it here.'] : ['Open the URL below and sign in.', 'Copy the code you are shown.', 'Paste the code here.'],
        }),
        finish: async (pasted) => {
          if (pasted.trim() !== GOOD_CODE) throw new AuthRequiredError('that code was not accepted; start the login again');
          b.loggedIn = true;
          if (opts.scopes?.includes(CONSENT_SCOPE)) b.consented = true;
          return { who: 'tester@example.org' };
        },
      };
    },
    async logout() {
      b.loggedIn = false;
    },
    async home() {
      return loc('');
    },
    async list(location, opts = {}): Promise<Listing> {
      const path = pathOf(location);
      if (path.split('/').includes('locked') && !b.consented) {
        throw new ConsentRequiredError(`ls ${path}: this collection needs your consent (data_access)`, [CONSENT_SCOPE]);
      }
      const dir = join(root, path);
      const entries = readdirSync(dir)
        .filter((n) => opts.showHidden || !n.startsWith('.'))
        .map((name) => {
          const st = statSync(join(dir, name));
          const kindOf = st.isDirectory() ? ('dir' as const) : ('file' as const);
          return { name, location: loc(path ? `${path}/${name}` : name), kind: kindOf, size: st.isFile() ? st.size : undefined, modified: st.mtime.toISOString(), isImage: kindOf === 'file' && looksLikeImage(name) };
        })
        .sort((a, c) => (a.kind === c.kind ? a.name.localeCompare(c.name) : a.kind === 'dir' ? -1 : 1));
      const parent = path ? path.split('/').slice(0, -1).join('/') : undefined;
      return { location: loc(path), parent: parent === undefined ? undefined : loc(parent), breadcrumb: `${title}:/${path}`, entries };
    },
    async search(query, opts = {}) {
      const q = query.toLowerCase();
      return (options.endpoints ?? []).filter((h) => (!q || h.title.toLowerCase().includes(q)) && (!opts.scope || h.fields?.scope === opts.scope));
    },
    async share(location) {
      return `https://share.example.org/s/${encodeURIComponent(basename(pathOf(location)))}?dl=0&long=${'x'.repeat(60)}`;
    },
    async mkdir(location) {
      mkdirSync(join(root, pathOf(location)));
    },
    async remove(location) {
      rmSync(join(root, pathOf(location)), { recursive: true, force: true });
      b.removed.push(location);
    },
    async planPull(remote) {
      const path = pathOf(remote);
      const stem = basename(path).replace(/\.(sif|simg|img)$/i, '').toLowerCase().replace(/[^a-z0-9._+-]/g, '-');
      return { source: remote, imageName: `remote/${stem}:latest`, bytesTotal: statSync(join(root, path)).size };
    },
    async planPush(local, remote) {
      const n = parseImageName(local.imageName);
      const folder = pathOf(remote);
      return { destination: loc(`${folder ? folder + '/' : ''}${n.name}_${n.tag}.sif`), bytesTotal: statSync(local.path).size };
    },
  };
  return b;
}

/** Copies files between the folder tree and the library, reporting progress. */
export function folderRunner(kind: BackendKind, root: string, library: Library): TransferRunner {
  return {
    async run(ctx) {
      const { job } = ctx;
      const rel = (l: string) => l.replace(new RegExp(`^${kind}://`), '');
      if (job.kind === 'pull') {
        const src = join(root, rel(job.source));
        ctx.progress(0, statSync(src).size);
        await library.addFile(src, parseImageName(job.destination), { copy: true, force: Boolean(job.options.force) });
        ctx.progress(statSync(src).size, statSync(src).size);
      } else {
        const img = library.get(job.source);
        const dest = join(root, rel(job.destination));
        mkdirSync(join(dest, '..'), { recursive: true });
        copyFileSync(img.image!, dest);
        ctx.progress(statSync(dest).size, statSync(dest).size);
      }
    },
  };
}

/** A folder tree with images, a plain file, a hidden file and a folder that needs consent. */
export function makeTree(root: string, samples: string): void {
  mkdirSync(join(root, 'lab', 'old'), { recursive: true });
  mkdirSync(join(root, 'locked'), { recursive: true });
  mkdirSync(join(root, 'zoo'), { recursive: true });
  copyFileSync(join(samples, 'busybox_amd64.sif'), join(root, 'lab', 'busybox_latest.sif'));
  copyFileSync(join(samples, 'one-group.sif'), join(root, 'lab', 'groups_v1.sif'));
  copyFileSync(join(samples, 'empty.sif'), join(root, 'locked', 'secret.sif'));
  copyFileSync(join(samples, 'README.md'), join(root, 'lab', 'notes.txt'));
  copyFileSync(join(samples, 'README.md'), join(root, 'lab', '.hidden'));
}
