// files/upload and the upload session routes (§4): offsets, closed state, the concurrent 4 MiB
// rules, per-request content_hash checks, and commits under CommitInfo's conflict rules.
import { rm, writeFile } from 'node:fs/promises';
import { DropboxContentHasher, DROPBOX_BLOCK } from '../../core/hash.js';
import { ArgReader, COMMIT_FIELDS, readCommit, readContentHash, type CommitArgs } from './args.js';
import type { Call, SandboxCore } from './context.js';
import { fileMetadata } from './metadata.js';
import { openAt, type UploadSession } from './sessions.js';
import { WriteFailure } from './store.js';
import { nested, RouteError, tag } from './wire.js';

/** A session failure: a LookupError value, or a top-level error of the route. */
class SessionFailure extends Error {
  constructor(
    readonly error: Record<string, unknown>,
    readonly lookup: boolean,
  ) {
    super(String(error['.tag']));
  }
}

const lookupFail = (name: string, extra: Record<string, unknown> = {}) => new SessionFailure(tag(name, extra), true);
const topFail = (name: string) => new SessionFailure(tag(name), false);

function readCursor(r: ArgReader): { id: string; offset: number } {
  const c = r.reqStruct('cursor', ['session_id', 'offset']);
  return { id: c.reqStr('session_id'), offset: c.reqUint('offset') };
}

export async function upload(core: SandboxCore, call: Call): Promise<void> {
  const r = new ArgReader(call.arg, call.where, [...COMMIT_FIELDS, 'content_hash']);
  const commit = readCommit(r);
  const expected = readContentHash(r);
  const tmp = core.tmpFile();
  await writeFile(tmp, '');
  let kept = false;
  try {
    const hasher = new DropboxContentHasher();
    const out = await openAt(tmp, 0);
    let result;
    try {
      result = await call.body(async (c) => {
        hasher.update(c);
        await out.write(c);
      });
    } finally {
      await out.close();
    }
    if (result.tooLarge) throw new RouteError(tag('payload_too_large'));
    const contentHash = hasher.digest();
    if (expected !== undefined && expected !== contentHash) throw new RouteError(tag('content_hash_mismatch'));
    const blob = { tmpPath: tmp, size: result.bytes, contentHash };
    try {
      const entry = core.store.commitFile(commit.path, blob, commit);
      kept = true;
      await call.reply.json(200, fileMetadata(entry, false));
    } catch (e) {
      if (!(e instanceof WriteFailure)) throw e;
      // Dropbox keeps the bytes in a closed session so the client can finish elsewhere.
      const s = core.sessions.adopt(tmp, blob.size, contentHash);
      kept = true;
      throw new RouteError({ '.tag': 'path', reason: e.error, upload_session_id: s.id });
    }
  } finally {
    if (!kept) await rm(tmp, { force: true });
  }
}

/** Write one request's body into a session at `offset`; returns the bytes taken. */
async function appendBody(
  call: Call,
  s: UploadSession,
  offset: number,
  close: boolean,
  expected: string | undefined,
): Promise<number> {
  if (s.type === 'sequential') {
    if (offset !== s.offset) throw lookupFail('incorrect_offset', { correct_offset: s.offset });
    if (s.closed) throw lookupFail('closed');
  } else {
    if (offset % DROPBOX_BLOCK !== 0) throw lookupFail('concurrent_session_invalid_offset');
    if (s.end !== undefined && (close || offset >= s.end)) throw lookupFail('closed');
    // Refuse a wrongly sized piece before it overwrites a good one at the same offset.
    const declared = Number(call.req.headers['content-length'] ?? NaN);
    if (!close && Number.isFinite(declared) && declared % DROPBOX_BLOCK !== 0) {
      throw lookupFail('concurrent_session_invalid_data_size');
    }
  }
  const fork = s.type === 'sequential' ? s.hasher.fork() : undefined;
  // The per-request hash covers only this body, and is computed only when the client sent one.
  const check = expected !== undefined ? new DropboxContentHasher() : undefined;
  const out = await openAt(s.file, offset);
  let result;
  try {
    result = await call.body(async (c) => {
      fork?.update(c);
      check?.update(c);
      await out.write(c);
    });
  } finally {
    await out.close();
  }
  if (result.tooLarge) throw lookupFail('payload_too_large');
  if (check && expected !== check.digest()) throw topFail('content_hash_mismatch');
  if (s.type === 'concurrent') {
    if (!close && result.bytes % DROPBOX_BLOCK !== 0) throw lookupFail('concurrent_session_invalid_data_size');
    s.pieces.set(offset, result.bytes);
    if (close) {
      s.end = offset + result.bytes;
      s.closed = true;
    }
  } else {
    s.offset += result.bytes;
    s.hasher = fork!;
    if (close) s.closed = true;
  }
  return result.bytes;
}

/** Sequential sessions take requests one at a time; concurrent ones in parallel. */
function inTurn<T>(core: SandboxCore, s: UploadSession, fn: () => Promise<T>): Promise<T> {
  return s.type === 'sequential' ? core.sessions.exclusive(s, fn) : fn();
}

export async function sessionStart(core: SandboxCore, call: Call): Promise<void> {
  const r = new ArgReader(call.arg, call.where, ['close', 'session_type', 'content_hash']);
  const close = r.bool('close', false);
  const type = (r.union('session_type', ['sequential', 'concurrent'])?.tag ?? 'sequential') as UploadSession['type'];
  const expected = readContentHash(r);
  if (type === 'concurrent') {
    if (close) throw new RouteError(tag('concurrent_session_close_not_allowed'));
    const { bytes } = await call.body(() => undefined);
    if (bytes > 0) throw new RouteError(tag('concurrent_session_data_not_allowed'));
    const s = await core.sessions.create(type);
    await call.reply.json(200, { session_id: s.id });
    return;
  }
  const s = await core.sessions.create(type);
  try {
    await appendBody(call, s, 0, close, expected);
  } catch (e) {
    await core.sessions.discard(s);
    if (e instanceof SessionFailure) throw new RouteError(e.error);
    throw e;
  }
  await call.reply.json(200, { session_id: s.id });
}

export async function sessionAppend(core: SandboxCore, call: Call): Promise<void> {
  const r = new ArgReader(call.arg, call.where, ['cursor', 'close', 'content_hash']);
  const cursor = readCursor(r);
  const close = r.bool('close', false);
  const expected = readContentHash(r);
  const s = core.sessions.get(cursor.id);
  if (!s) throw new RouteError(tag('not_found'));
  try {
    await inTurn(core, s, () => appendBody(call, s, cursor.offset, close, expected));
  } catch (e) {
    // UploadSessionAppendError extends the lookup error, so both kinds sit at the top.
    if (e instanceof SessionFailure) throw new RouteError(e.error);
    throw e;
  }
  await call.reply.json(200, null);
}

/** Commit a closed session's bytes; a path error leaves the session for another try. */
async function commitSession(core: SandboxCore, s: UploadSession, commit: CommitArgs) {
  const { size, contentHash } = await core.sessions.seal(s);
  const entry = core.store.commitFile(commit.path, { tmpPath: s.file, size, contentHash }, commit);
  core.sessions.consumed(s);
  return entry;
}

/** The finish checks that need no body: offsets and, for concurrent sessions, completeness. */
function readyToCommit(core: SandboxCore, s: UploadSession, offset: number): void {
  if (s.type === 'concurrent') {
    if (!s.closed) throw topFail('concurrent_session_not_closed');
    if (!core.sessions.complete(s)) throw topFail('concurrent_session_missing_data');
    if (offset !== s.end) throw lookupFail('incorrect_offset', { correct_offset: s.end });
  } else if (offset !== s.offset) {
    throw lookupFail('incorrect_offset', { correct_offset: s.offset });
  }
}

function finishError(e: SessionFailure): RouteError {
  return new RouteError(e.lookup ? nested('lookup_failed', e.error) : e.error);
}

export async function sessionFinish(core: SandboxCore, call: Call): Promise<void> {
  const r = new ArgReader(call.arg, call.where, ['cursor', 'commit', 'content_hash']);
  const cursor = readCursor(r);
  const commit = readCommit(r.reqStruct('commit', COMMIT_FIELDS));
  const expected = readContentHash(r);
  const s = core.sessions.get(cursor.id);
  if (!s) throw new RouteError(nested('lookup_failed', tag('not_found')));
  await inTurn(core, s, async () => {
    try {
      if (s.type === 'concurrent') {
        const { bytes } = await call.body(() => undefined);
        if (bytes > 0) throw topFail('concurrent_session_data_not_allowed');
        readyToCommit(core, s, cursor.offset);
      } else if (s.closed) {
        readyToCommit(core, s, cursor.offset);
        const { bytes } = await call.body(() => undefined);
        if (bytes > 0) throw lookupFail('closed');
      } else {
        // The final bytes ride along; appendBody checks the offset and closes the session.
        await appendBody(call, s, cursor.offset, true, expected);
      }
    } catch (e) {
      if (e instanceof SessionFailure) throw finishError(e);
      throw e;
    }
    try {
      const entry = await commitSession(core, s, commit);
      await call.reply.json(200, fileMetadata(entry, false));
    } catch (e) {
      if (e instanceof WriteFailure) throw new RouteError(nested('path', e.error));
      throw e;
    }
  });
}

export async function sessionFinishBatch(core: SandboxCore, call: Call): Promise<void> {
  const r = new ArgReader(call.arg, call.where, ['entries']);
  const raw = r.list('entries', { max: 1000 });
  if (!raw) throw new RouteError(tag('other'));
  const items = raw.map((e, i) => {
    const er = new ArgReader(e, `${call.where}: entries: [${i}]`, ['cursor', 'commit']);
    return { cursor: readCursor(er), commit: readCommit(er.reqStruct('commit', COMMIT_FIELDS)) };
  });
  const out: Record<string, unknown>[] = [];
  for (const item of items) {
    const s = core.sessions.get(item.cursor.id);
    try {
      if (!s) throw lookupFail('not_found');
      if (!s.closed) throw lookupFail('not_closed');
      readyToCommit(core, s, item.cursor.offset);
      const entry = await inTurn(core, s, () => commitSession(core, s, item.commit));
      out.push({ '.tag': 'success', ...fileMetadata(entry, false) });
    } catch (e) {
      if (e instanceof SessionFailure) out.push(nested('failure', finishError(e).error));
      else if (e instanceof WriteFailure) out.push(nested('failure', nested('path', e.error)));
      else throw e;
    }
  }
  await call.reply.json(200, { entries: out });
}
