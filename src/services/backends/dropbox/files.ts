// Uploads: files/upload up to 150 MiB, upload sessions above it in 4 MiB-multiple chunks, streamed from
// disk (never buffered whole), resumed at `correct_offset` after `incorrect_offset`, and checked against
// the content_hash Dropbox returns. Each attempt builds fresh arguments (the SDK deletes `contents`).
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { CancelledError, IntegrityError, RemoteError } from '../../../core/errors.js';
import { DROPBOX_BLOCK } from '../../../core/hash.js';
import { log } from '../../log.js';
import type { DropboxApi } from './api.js';
import { dropboxTimestamp } from './client.js';
import { DropboxApiError } from './errors.js';

export const SINGLE_UPLOAD_LIMIT = 150 * 1024 * 1024;
export const DEFAULT_CHUNK = 64 * 1024 * 1024;
const MAX_CHUNK = 37 * DROPBOX_BLOCK; // 148 MiB: the largest 4 MiB multiple under the 150 MiB request limit
const MAX_OFFSET_RESUMES = 50;

export interface FileMetadata {
  name: string;
  path_display?: string;
  path_lower?: string;
  id?: string;
  size: number;
  rev?: string;
  content_hash?: string;
  server_modified?: string;
  client_modified?: string;
}

export interface UploadOptions {
  file: string;
  path: string;
  /** Bytes per session request: a multiple of 4 MiB, at most 148 MiB. */
  chunkSize?: number;
  /** Files larger than this use a session (tests lower it). */
  singleLimit?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Per-block sha256 digests of the local file, filled while chunks stream past; gaps are read at the end. */
export class BlockDigests {
  readonly digests = new Map<number, Buffer>();
  constructor(readonly size: number) {}

  /** A pass-through that hashes the 4 MiB blocks it fully sees, starting at `offset` of the file. */
  tap(offset: number, onBytes: (n: number) => void): Transform {
    let pos = offset;
    let block = Math.ceil(offset / DROPBOX_BLOCK);
    let skip = block * DROPBOX_BLOCK - offset; // bytes before the first block boundary we can hash whole
    let h = createHash('sha256');
    let inBlock = 0;
    const close = () => {
      this.digests.set(block++, h.digest());
      h = createHash('sha256');
      inBlock = 0;
    };
    return new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        let off = Math.min(skip, chunk.length);
        skip -= off;
        while (off < chunk.length) {
          const take = Math.min(DROPBOX_BLOCK - inBlock, chunk.length - off);
          h.update(chunk.subarray(off, off + take));
          inBlock += take;
          off += take;
          if (inBlock === DROPBOX_BLOCK || block * DROPBOX_BLOCK + inBlock === this.size) close();
        }
        pos += chunk.length;
        onBytes(pos);
        cb(null, chunk);
      },
    });
  }

  async contentHash(file: string): Promise<string> {
    const blocks = Math.ceil(this.size / DROPBOX_BLOCK);
    const all = createHash('sha256');
    for (let i = 0; i < blocks; i++) {
      let d = this.digests.get(i);
      if (!d) {
        const h = createHash('sha256');
        for await (const c of createReadStream(file, { start: i * DROPBOX_BLOCK, end: Math.min(this.size, (i + 1) * DROPBOX_BLOCK) - 1 })) h.update(c as Buffer);
        d = h.digest();
      }
      all.update(d);
    }
    return all.digest('hex');
  }
}

/** A fresh body for one attempt: bytes [start, end) of the file, hashed and counted on the way. */
function body(file: string, start: number, end: number, digests: BlockDigests, onBytes: (n: number) => void, signal?: AbortSignal): Readable {
  if (end <= start) {
    const t = digests.tap(start, onBytes);
    t.end();
    return t;
  }
  const src = createReadStream(file, { start, end: end - 1, highWaterMark: 4 << 20 });
  const out = src.pipe(digests.tap(start, onBytes));
  src.on('error', (e) => out.destroy(e));
  if (signal) {
    const onAbort = () => out.destroy(new CancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    out.once('close', () => signal.removeEventListener('abort', onAbort));
  }
  return out;
}

function correctOffset(e: DropboxApiError): number | undefined {
  const v = (e.error.correct_offset ?? (e.error.lookup_failed as Record<string, unknown> | undefined)?.correct_offset) as unknown;
  return typeof v === 'number' ? v : undefined;
}

/** Uploads `file` to `path` (overwriting), returns Dropbox's metadata after checking content_hash. */
export async function uploadFile(api: DropboxApi, o: UploadOptions): Promise<FileMetadata> {
  const st = await fsp.stat(o.file);
  const size = st.size;
  const clientModified = dropboxTimestamp(new Date(Math.floor(st.mtimeMs / 1000) * 1000));
  const digests = new BlockDigests(size);
  const progress = (n: number) => o.onProgress?.(n, size);
  const commit = () => ({ path: o.path, mode: { '.tag': 'overwrite' as const }, autorename: false, mute: true, client_modified: clientModified, strict_conflict: false });
  const calls = { signal: o.signal, target: o.path };
  let meta: FileMetadata;

  if (size <= Math.min(o.singleLimit ?? SINGLE_UPLOAD_LIMIT, SINGLE_UPLOAD_LIMIT)) {
    meta = (await api.call('upload', (dbx) => dbx.filesUpload({ ...commit(), contents: body(o.file, 0, size, digests, progress, o.signal) }), calls)) as unknown as FileMetadata;
  } else {
    const chunk = Math.min(MAX_CHUNK, Math.max(DROPBOX_BLOCK, Math.floor((o.chunkSize ?? DEFAULT_CHUNK) / DROPBOX_BLOCK) * DROPBOX_BLOCK));
    let end = Math.min(chunk, size);
    const started = await api.call('upload_session/start', (dbx) => dbx.filesUploadSessionStart({ close: false, contents: body(o.file, 0, end, digests, progress, o.signal) }), calls);
    const session = started.session_id;
    log('transfer', `dropbox upload session for ${o.path}: ${size} bytes in ${Math.ceil(size / chunk)} requests`);
    let offset = end;
    let resumes = 0;
    for (;;) {
      end = Math.min(offset + chunk, size);
      const last = end === size;
      const at = offset;
      try {
        if (last) {
          meta = (await api.call(
            'upload_session/finish',
            (dbx) => dbx.filesUploadSessionFinish({ cursor: { session_id: session, offset: at }, commit: commit(), contents: body(o.file, at, end, digests, progress, o.signal) }),
            calls,
          )) as unknown as FileMetadata;
          break;
        }
        await api.call('upload_session/append', (dbx) => dbx.filesUploadSessionAppendV2({ cursor: { session_id: session, offset: at }, close: false, contents: body(o.file, at, end, digests, progress, o.signal) }), calls);
        offset = end;
      } catch (e) {
        const fix = e instanceof DropboxApiError && e.tags.includes('incorrect_offset') ? correctOffset(e) : undefined;
        if (fix === undefined || fix > size || ++resumes > MAX_OFFSET_RESUMES) {
          if (e instanceof DropboxApiError && e.tags.includes('not_found')) throw new RemoteError(`Dropbox upload session for ${o.path} expired; push again`, 409);
          throw e;
        }
        log('transfer', `dropbox upload ${o.path}: server has ${fix} bytes, we sent from ${at}; resuming at ${fix}`);
        offset = fix;
      }
    }
  }
  const local = await digests.contentHash(o.file);
  if (meta.size !== size) throw new IntegrityError(`Dropbox stored ${meta.size} bytes of ${o.path}, expected ${size}; push again`);
  if (meta.content_hash && meta.content_hash !== local) {
    throw new IntegrityError(`Dropbox content_hash of ${o.path} does not match the local file (${meta.content_hash.slice(0, 12)}… vs ${local.slice(0, 12)}…); push again`);
  }
  o.onProgress?.(size, size);
  return meta;
}
