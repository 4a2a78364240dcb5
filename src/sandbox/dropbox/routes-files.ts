// files/list_folder (+continue), get_metadata, delete_v2 and create_folder_v2 (§4).
import { ArgReader, PATTERN } from './args.js';
import type { Call, SandboxCore } from './context.js';
import { folderMetadata, metadata, type DeletedEntry, type Entry } from './metadata.js';
import { ROOT, WriteFailure, type Found } from './store.js';
import { BadRequest, nested, RouteError, tag } from './wire.js';

const ROOT_UNSUPPORTED = 'path: The root folder is unsupported.';

/** A list_folder cursor: a page position (`a`) or, once a listing is done, a change-log position. */
interface Cursor {
  /** Store epoch: a cursor from an earlier run gets `reset`. */
  e: string;
  /** Folder path_lower ("" for the root). */
  p: string;
  r: boolean;
  d: boolean;
  l: number;
  /** Change-log sequence the listing started at (or the changes were read up to). */
  s: number;
  /** Last path_lower returned, while paging the first listing. */
  a?: string;
}

function encodeCursor(c: Cursor): string {
  return `AA${Buffer.from(JSON.stringify(c)).toString('base64url')}`;
}

function decodeCursor(raw: string, where: string): Cursor {
  try {
    if (!raw.startsWith('AA')) throw new Error('prefix');
    const c = JSON.parse(Buffer.from(raw.slice(2), 'base64url').toString('utf8')) as Cursor;
    if (typeof c.e !== 'string' || typeof c.p !== 'string' || typeof c.s !== 'number' || typeof c.l !== 'number') {
      throw new Error('shape');
    }
    return c;
  } catch {
    throw new BadRequest(`${where}: cursor: Invalid cursor`);
  }
}

/** Look a path up for a route whose error nests the LookupError under `errTag`. */
export function find(core: SandboxCore, path: string, errTag = 'path'): Found {
  const r = core.store.lookup(path);
  if ('error' in r) throw new RouteError(nested(errTag, r.error));
  return r.entry;
}

function page(c: Cursor, items: Array<Entry | DeletedEntry>) {
  const entries = items.slice(0, c.l);
  const hasMore = items.length > c.l;
  const next: Cursor = hasMore ? { ...c, a: entries[entries.length - 1].pathLower } : { ...c, a: undefined };
  return { entries: entries.map(metadata), cursor: encodeCursor(next), has_more: hasMore };
}

export async function listFolder(core: SandboxCore, call: Call): Promise<void> {
  const r = new ArgReader(call.arg, call.where, [
    'path',
    'recursive',
    'include_media_info',
    'include_deleted',
    'include_has_explicit_shared_members',
    'include_mounted_folders',
    'limit',
    'shared_link',
    'include_property_groups',
    'include_non_downloadable_files',
  ]);
  const path = r.reqStr('path', { pattern: PATTERN.pathROrId });
  if (path === '/') {
    throw new BadRequest(`${call.where}: path: Specify the root folder as an empty string rather than as "/".`);
  }
  for (const f of ['include_media_info', 'include_has_explicit_shared_members', 'include_mounted_folders', 'include_non_downloadable_files']) {
    r.bool(f, false);
  }
  r.struct('shared_link', ['url', 'password']);
  const recursive = r.bool('recursive', false);
  const includeDeleted = r.bool('include_deleted', false);
  const limit = r.uint('limit', { min: 1, max: 2000 }) ?? core.pageSize;
  const found = find(core, path);
  if (found !== ROOT && found.tag === 'file') throw new RouteError(nested('path', tag('not_folder')));
  const folder = found === ROOT ? '' : found.pathLower;
  const c: Cursor = { e: core.store.epoch, p: folder, r: recursive, d: includeDeleted, l: limit, s: core.store.seq };
  await call.reply.json(200, page(c, core.store.list(folder, recursive, includeDeleted)));
}

export async function listFolderContinue(core: SandboxCore, call: Call): Promise<void> {
  const r = new ArgReader(call.arg, call.where, ['cursor']);
  const c = decodeCursor(r.reqStr('cursor', { min: 1 }), call.where);
  if (c.e !== core.store.epoch) throw new RouteError(tag('reset'));
  if (c.a !== undefined) {
    // Still paging the first listing.
    if (c.p !== '' && 'error' in core.store.lookup(c.p)) {
      throw new RouteError(nested('path', tag('not_found')));
    }
    const rest = core.store.list(c.p, c.r, c.d).filter((e) => e.pathLower > c.a!);
    await call.reply.json(200, page(c, rest));
    return;
  }
  // Changes since the listing (or the last continue) ended; deletions always show.
  const changes = core.store.changedSince(c.s, c.p, c.r);
  const taken = changes.slice(0, c.l);
  const hasMore = changes.length > c.l;
  const next: Cursor = { ...c, s: hasMore ? taken[taken.length - 1].seq : core.store.seq };
  await call.reply.json(200, {
    entries: taken.map((x) => metadata(x.item)),
    cursor: encodeCursor(next),
    has_more: hasMore,
  });
}

export async function getMetadata(core: SandboxCore, call: Call): Promise<void> {
  const r = new ArgReader(call.arg, call.where, [
    'path',
    'include_media_info',
    'include_deleted',
    'include_has_explicit_shared_members',
    'include_property_groups',
  ]);
  const path = r.reqStr('path', { pattern: PATTERN.readPath });
  r.bool('include_media_info', false);
  r.bool('include_has_explicit_shared_members', false);
  const includeDeleted = r.bool('include_deleted', false);
  const looked = core.store.lookup(path);
  if ('error' in looked) {
    const gone = includeDeleted ? core.store.deletedAt(path) : undefined;
    if (gone && looked.error['.tag'] === 'not_found') return call.reply.json(200, metadata(gone));
    throw new RouteError(nested('path', looked.error));
  }
  if (looked.entry === ROOT) throw new BadRequest(`${call.where}: ${ROOT_UNSUPPORTED}`);
  await call.reply.json(200, metadata(looked.entry));
}

export async function deleteV2(core: SandboxCore, call: Call): Promise<void> {
  const r = new ArgReader(call.arg, call.where, ['path', 'parent_rev']);
  const path = r.reqStr('path', { pattern: PATTERN.writePathOrId });
  const parentRev = r.str('parent_rev', { min: 9, pattern: PATTERN.rev });
  const found = find(core, path, 'path_lookup');
  if (found === ROOT) throw new BadRequest(`${call.where}: ${ROOT_UNSUPPORTED}`);
  if (parentRev !== undefined) {
    if (found.tag === 'folder') throw new RouteError(nested('path_lookup', tag('not_file')));
    if (found.rev !== parentRev) throw new RouteError(nested('path_write', nested('conflict', tag('file'))));
  }
  core.store.remove(found);
  await call.reply.json(200, { metadata: metadata(found) });
}

export async function createFolderV2(core: SandboxCore, call: Call): Promise<void> {
  const r = new ArgReader(call.arg, call.where, ['path', 'autorename']);
  const path = r.reqStr('path', { pattern: PATTERN.writePath });
  const autorename = r.bool('autorename', false);
  try {
    const entry = core.store.createFolder(path, autorename);
    await call.reply.json(200, { metadata: folderMetadata(entry, false) });
  } catch (e) {
    if (e instanceof WriteFailure) throw new RouteError(nested('path', e.error));
    throw e;
  }
}
