// The sandbox's Dropbox: a case-insensitive tree keyed on path_lower, file bytes as blobs on disk,
// a change log for list_folder cursors, and shared links. Mutations are synchronous so that each
// check-then-write is atomic with respect to other requests.
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  dropboxTime,
  NAMESPACE_ID,
  type DeletedEntry,
  type Entry,
  type FileEntry,
  type FolderEntry,
  type LinkRecord,
} from './metadata.js';
import { nested, tag } from './wire.js';

/** A WriteError union value, thrown by mutations (routes wrap it in their own error). */
export class WriteFailure extends Error {
  constructor(readonly error: Record<string, unknown>) {
    super(String(error['.tag']));
  }
}

export const ROOT = Symbol('root');
export type Found = Entry | typeof ROOT;

/** The result of a lookup: the entry, or a LookupError union value. */
export type LookupResult = { entry: Found } | { error: Record<string, unknown> };

interface WriteTarget {
  lower: string;
  display: string;
  name: string;
  parentLower: string;
}

/** Names Dropbox refuses to store (they are OS litter). */
const DISALLOWED_NAMES = new Set(['desktop.ini', 'thumbs.db', '.ds_store', 'icon\r', '.dropbox', '.dropbox.attr']);

export interface StoredState {
  entries: Entry[];
  deleted: DeletedEntry[];
  links: LinkRecord[];
}

export interface NewBlob {
  tmpPath: string;
  size: number;
  contentHash: string;
}

export interface CommitOptions {
  mode: 'add' | 'overwrite' | 'update';
  updateRev?: string;
  autorename: boolean;
  strictConflict: boolean;
  clientModified?: string;
}

function parentOf(lower: string): string {
  return lower.slice(0, lower.lastIndexOf('/'));
}

function conflict(kind: 'file' | 'folder' | 'file_ancestor'): WriteFailure {
  return new WriteFailure(nested('conflict', tag(kind)));
}

export class FileStore {
  private entries = new Map<string, Entry>();
  private deleted = new Map<string, DeletedEntry>();
  private links = new Map<string, LinkRecord>();
  private changes: Array<{ seq: number; lower: string }> = [];
  private usedRevs = new Set<string>();
  seq = 0;
  /** Cursors from another epoch (an earlier run) get `reset`. */
  readonly epoch = randomBytes(4).toString('hex');

  constructor(
    readonly blobDir: string,
    private readonly onChange: () => void,
  ) {}

  restore(state: StoredState): void {
    for (const e of state.entries) {
      this.entries.set(e.pathLower, e);
      if (e.tag === 'file') this.usedRevs.add(e.rev);
    }
    for (const d of state.deleted) this.deleted.set(d.pathLower, d);
    for (const l of state.links) this.links.set(l.entryId, l);
  }

  snapshot(): StoredState {
    return { entries: [...this.entries.values()], deleted: [...this.deleted.values()], links: [...this.links.values()] };
  }

  blobPath(e: FileEntry): string {
    return join(this.blobDir, e.blob);
  }

  usedBytes(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.tag === 'file') n += e.size;
    return n;
  }

  private touch(lower: string): void {
    this.changes.push({ seq: ++this.seq, lower });
    this.onChange();
  }

  private newId(): string {
    return `id:${randomBytes(16).toString('base64url')}`;
  }

  private newRev(): string {
    let rev: string;
    do rev = randomBytes(6).toString('hex');
    while (this.usedRevs.has(rev));
    this.usedRevs.add(rev);
    return rev;
  }

  /**
   * Resolve "", "/a/b", "id:…", "rev:…" or "ns:<id>/a". Malformed paths and missing entries
   * come back as LookupError values.
   */
  lookup(raw: string): LookupResult {
    if (raw === '' || raw === '/') return { entry: ROOT };
    if (raw.startsWith('id:')) {
      for (const e of this.entries.values()) if (e.id === raw) return { entry: e };
      return { error: tag('not_found') };
    }
    if (raw.startsWith('rev:')) {
      const rev = raw.slice(4);
      for (const e of this.entries.values()) if (e.tag === 'file' && e.rev === rev) return { entry: e };
      return { error: tag('not_found') };
    }
    if (raw.startsWith('ns:')) {
      const m = /^ns:([0-9]+)(\/.*)?$/.exec(raw);
      if (!m || m[1] !== NAMESPACE_ID) return { error: tag('not_found') };
      return this.lookup(m[2] ?? '');
    }
    if (!wellFormed(raw)) return { error: tag('malformed_path') };
    const e = this.entries.get(raw.toLowerCase());
    return e ? { entry: e } : { error: tag('not_found') };
  }

  deletedAt(raw: string): DeletedEntry | undefined {
    return raw.startsWith('/') ? this.deleted.get(raw.toLowerCase()) : undefined;
  }

  findById(id: string): Entry | undefined {
    for (const e of this.entries.values()) if (e.id === id) return e;
    return undefined;
  }

  /** Where a write lands; ancestors that exist lend their display casing. */
  private writeTarget(raw: string): WriteTarget {
    let path = raw;
    if (raw.startsWith('id:')) {
      const e = this.findById(raw);
      if (!e) throw new WriteFailure(tag('malformed_path'));
      path = e.pathDisplay;
    } else if (raw.startsWith('ns:')) {
      const m = /^ns:([0-9]+)(\/.*)?$/.exec(raw);
      if (!m || m[1] !== NAMESPACE_ID) throw new WriteFailure(tag('malformed_path'));
      path = m[2] ?? '';
    }
    if (path === '' || path === '/' || !wellFormed(path)) throw new WriteFailure(tag('malformed_path'));
    const lower = path.toLowerCase();
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (DISALLOWED_NAMES.has(name.toLowerCase())) throw new WriteFailure(tag('disallowed_name'));
    const parentLower = parentOf(lower);
    const parent = this.entries.get(parentLower);
    const parentDisplay = parent ? parent.pathDisplay : path.slice(0, path.lastIndexOf('/'));
    return { lower, display: `${parentDisplay}/${name}`, name, parentLower };
  }

  /** Throws file_ancestor when a file sits where a parent folder should be. */
  private checkAncestors(parentLower: string): void {
    for (let p = parentLower; p !== ''; p = parentOf(p)) {
      if (this.entries.get(p)?.tag === 'file') throw conflict('file_ancestor');
    }
  }

  /** Create the missing parent folders of a target, with the casing the request used. */
  private makeParents(display: string): void {
    const parts = display.split('/').slice(1, -1);
    let d = '';
    for (const part of parts) {
      d += `/${part}`;
      const lower = d.toLowerCase();
      const existing = this.entries.get(lower);
      if (existing) {
        d = existing.pathDisplay;
        continue;
      }
      this.entries.set(lower, { tag: 'folder', id: this.newId(), name: part, pathLower: lower, pathDisplay: d });
      this.deleted.delete(lower);
      this.touch(lower);
    }
  }

  private autorenamed(t: WriteTarget): WriteTarget {
    const dot = t.name.lastIndexOf('.');
    const [base, ext] = dot > 0 ? [t.name.slice(0, dot), t.name.slice(dot)] : [t.name, ''];
    for (let n = 1; ; n++) {
      const name = `${base} (${n})${ext}`;
      const lower = `${t.parentLower}/${name.toLowerCase()}`;
      if (!this.entries.has(lower)) {
        const display = `${t.display.slice(0, t.display.lastIndexOf('/'))}/${name}`;
        return { lower, display, name, parentLower: t.parentLower };
      }
    }
  }

  /** Commit uploaded bytes (a temp file) to a path under CommitInfo's rules; the temp file is consumed. */
  commitFile(raw: string, blob: NewBlob, opts: CommitOptions): FileEntry {
    let t = this.writeTarget(raw);
    this.checkAncestors(t.parentLower);
    const existing = this.entries.get(t.lower);
    let replacing: FileEntry | undefined;
    if (existing?.tag === 'folder') {
      if (!opts.autorename) throw conflict('folder');
      t = this.autorenamed(t);
    } else if (existing?.tag === 'file') {
      if (existing.contentHash === blob.contentHash && !opts.strictConflict) {
        rmSync(blob.tmpPath, { force: true });
        return existing;
      }
      const replace = opts.mode === 'overwrite' || (opts.mode === 'update' && opts.updateRev === existing.rev);
      if (replace) replacing = existing;
      else if (opts.autorename) t = this.autorenamed(t);
      else throw conflict('file');
    }
    this.makeParents(t.display);
    const now = dropboxTime();
    const name = `${randomBytes(12).toString('hex')}`;
    renameSync(blob.tmpPath, join(this.blobDir, name));
    if (replacing) rmSync(this.blobPath(replacing), { force: true });
    const entry: FileEntry = {
      tag: 'file',
      id: replacing?.id ?? this.newId(),
      name: replacing?.name ?? t.name,
      pathLower: t.lower,
      pathDisplay: replacing?.pathDisplay ?? t.display,
      rev: this.newRev(),
      size: blob.size,
      clientModified: opts.clientModified ?? now,
      serverModified: now,
      contentHash: blob.contentHash,
      blob: name,
    };
    this.entries.set(t.lower, entry);
    this.deleted.delete(t.lower);
    this.touch(t.lower);
    return entry;
  }

  createFolder(raw: string, autorename: boolean): FolderEntry {
    let t = this.writeTarget(raw);
    this.checkAncestors(t.parentLower);
    const existing = this.entries.get(t.lower);
    if (existing) {
      if (!autorename) throw conflict(existing.tag);
      t = this.autorenamed(t);
    }
    this.makeParents(t.display);
    const entry: FolderEntry = { tag: 'folder', id: this.newId(), name: t.name, pathLower: t.lower, pathDisplay: t.display };
    this.entries.set(t.lower, entry);
    this.deleted.delete(t.lower);
    this.touch(t.lower);
    return entry;
  }

  /** Delete an entry and everything under it; returns what it was. */
  remove(e: Entry): Entry {
    const doomed = [...this.entries.values()].filter(
      (x) => x.pathLower === e.pathLower || x.pathLower.startsWith(`${e.pathLower}/`),
    );
    for (const x of doomed) {
      this.entries.delete(x.pathLower);
      this.links.delete(x.id);
      if (x.tag === 'file') rmSync(this.blobPath(x), { force: true });
      this.deleted.set(x.pathLower, { tag: 'deleted', name: x.name, pathLower: x.pathLower, pathDisplay: x.pathDisplay });
      this.touch(x.pathLower);
    }
    return e;
  }

  private inScope(lower: string, folder: string, recursive: boolean): boolean {
    if (!lower.startsWith(`${folder}/`)) return false;
    return recursive || !lower.slice(folder.length + 1).includes('/');
  }

  /** A folder's listing in path order (parents before children). */
  list(folder: string, recursive: boolean, includeDeleted: boolean): Array<Entry | DeletedEntry> {
    const out: Array<Entry | DeletedEntry> = [];
    for (const e of this.entries.values()) if (this.inScope(e.pathLower, folder, recursive)) out.push(e);
    if (includeDeleted) {
      for (const d of this.deleted.values()) if (this.inScope(d.pathLower, folder, recursive)) out.push(d);
    }
    out.sort((a, b) => (a.pathLower < b.pathLower ? -1 : a.pathLower > b.pathLower ? 1 : 0));
    const self = this.entries.get(folder);
    if (recursive && self) out.unshift(self);
    return out;
  }

  /** What changed in a folder after `seq`, oldest change first: current entries, or deleted ones. */
  changedSince(seq: number, folder: string, recursive: boolean): Array<{ seq: number; item: Entry | DeletedEntry }> {
    const latest = new Map<string, number>();
    for (const c of this.changes) {
      if (c.seq <= seq) continue;
      if (c.lower !== folder && !this.inScope(c.lower, folder, recursive)) continue;
      latest.set(c.lower, c.seq);
    }
    const out: Array<{ seq: number; item: Entry | DeletedEntry }> = [];
    for (const [lower, at] of latest) {
      const item = this.entries.get(lower) ?? this.deleted.get(lower);
      if (item) out.push({ seq: at, item });
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  link(entryId: string): LinkRecord | undefined {
    return this.links.get(entryId);
  }

  addLink(link: LinkRecord): void {
    this.links.set(link.entryId, link);
    this.onChange();
  }

  allLinks(): Array<{ link: LinkRecord; entry: Entry }> {
    const out: Array<{ link: LinkRecord; entry: Entry }> = [];
    for (const link of this.links.values()) {
      const entry = this.findById(link.entryId);
      if (entry) out.push({ link, entry });
    }
    return out.sort((a, b) => (a.entry.pathLower < b.entry.pathLower ? -1 : 1));
  }
}

/** Absolute, no empty, "." or ".." components, no trailing slash. */
function wellFormed(path: string): boolean {
  if (!path.startsWith('/')) return false;
  return path
    .slice(1)
    .split('/')
    .every((c) => c !== '' && c !== '.' && c !== '..');
}
