// Downloads bypass the SDK (it buffers whole files, contracts/dropbox.md §6): a raw POST to
// /2/files/download streamed into a temp file in the storage folder, sha256 computed as bytes arrive,
// resumed with `Range: bytes=<have>-` after a dropped or short response. One whole response is as
// sound as its transport (TLS, and the size checked); a download stitched from several responses is
// checked against Dropbox's content_hash by reading the file back, so a resume mistake can never
// reach the library. Hashing content_hash in line as well would double the CPU of every download.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, fdatasync, promises as fsp, type WriteStream } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CancelledError, IntegrityError, RemoteError } from '../../../core/errors.js';
import { DropboxContentHasher } from '../../../core/hash.js';
import { sleep } from '../../http.js';
import { log } from '../../log.js';
import type { DropboxApi } from './api.js';
import { agentFor, headerJson } from './client.js';
import { classify, toUserError } from './errors.js';
import type { FileMetadata } from './files.js';

const SYNC_EVERY = 64 << 20;

export interface DownloadOptions {
  path: string;
  /** Temp file to create (inside the storage folder, so the final rename is atomic). */
  tmp: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total?: number) => void;
  /** Idle socket timeout. */
  idleMs?: number;
}

export interface Downloaded {
  sha256: string;
  size: number;
  metadata: FileMetadata;
  /** Responses it took (more than one: resumed, and checked against content_hash). */
  responses: number;
}

function post(url: string, headers: Record<string, string>, signal: AbortSignal | undefined, idleMs: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith('https:') ? httpsRequest : httpRequest)(url, { method: 'POST', headers, agent: agentFor(url), signal }, resolve);
    req.setTimeout(idleMs, () => req.destroy(Object.assign(new Error('socket idle timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}

async function readError(res: IncomingMessage): Promise<{ status: number; headers: IncomingMessage['headers']; error: unknown }> {
  let text = '';
  for await (const c of res) if (text.length < 65536) text += (c as Buffer).toString('utf8');
  let error: unknown = text;
  try {
    error = JSON.parse(text);
  } catch {
    /* a text error (400) */
  }
  return { status: res.statusCode ?? 0, headers: res.headers, error };
}

/** Writes to the temp file in order; `idle()` resolves when every accepted chunk is on disk. */
/**
 * Writes to the temp file in order; `idle()` resolves when every accepted chunk is on disk. Data is
 * flushed (fdatasync) every SYNC_EVERY bytes while the download runs, so the import's final fsync,
 * which the atomic commit needs, has little left to write.
 */
class Sink {
  private pending = 0;
  private waiters: Array<() => void> = [];
  private unsynced = 0;
  private syncing = false;
  failure?: Error;
  constructor(readonly ws: WriteStream) {}
  write(chunk: Buffer): boolean {
    this.pending++;
    return this.ws.write(chunk, (err) => {
      if (err) this.failure ??= err;
      this.unsynced += chunk.length;
      const fd = (this.ws as unknown as { fd?: number | null }).fd;
      if (this.unsynced >= SYNC_EVERY && !this.syncing && typeof fd === 'number') {
        this.syncing = true;
        this.unsynced = 0;
        fdatasync(fd, () => (this.syncing = false)); // best effort: the commit fsyncs anyway
      }
      if (--this.pending === 0) for (const w of this.waiters.splice(0)) w();
    });
  }
  idle(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }
}

/** Streams one response body into the sink, skipping `skip` bytes, pausing while the file catches up. */
function drain(res: IncomingMessage, sink: Sink, skip: number, take: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let toSkip = skip;
    res.on('data', (c: Buffer) => {
      let chunk = c;
      if (toSkip > 0) {
        const n = Math.min(toSkip, chunk.length);
        toSkip -= n;
        chunk = chunk.subarray(n);
        if (chunk.length === 0) return;
      }
      take(chunk);
      if (!sink.write(chunk)) {
        res.pause();
        sink.ws.once('drain', () => res.resume());
      }
    });
    res.on('end', () => (res.complete ? resolve() : reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))));
    res.on('error', reject);
    res.on('aborted', () => reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
  });
}

export async function downloadFile(api: DropboxApi, o: DownloadOptions): Promise<Downloaded> {
  const url = `${api.hosts.content}/2/files/download`;
  const sha = createHash('sha256');
  let responses = 0;
  const ws = createWriteStream(o.tmp, { flags: 'wx', mode: 0o644, highWaterMark: 4 << 20 });
  ws.on('error', (e) => (sink.failure ??= e)); // reported by the loop; after destroy() (cancel) it is moot
  const sink = new Sink(ws);
  let have = 0;
  let metadata: FileMetadata | undefined;
  let refreshed = false;
  let failures = 0;
  let throttles = 0;
  try {
    for (;;) {
      if (o.signal?.aborted) throw o.signal.reason ?? new CancelledError();
      const token = await api.auth.token();
      const headers: Record<string, string> = { Authorization: `Bearer ${token}`, 'Dropbox-API-Arg': headerJson({ path: o.path }) };
      if (have > 0) headers.Range = `bytes=${have}-`;
      const started = Date.now();
      const before = have;
      let problem: unknown;
      let res: IncomingMessage | undefined;
      try {
        res = await post(url, headers, o.signal, o.idleMs ?? 60_000);
        log('http', `POST /2/files/download${have > 0 ? ` (from ${have})` : ''} -> ${res.statusCode} (${Date.now() - started} ms)`);
        if ((res.statusCode ?? 0) >= 400) throw await readError(res);
        const result = res.headers['dropbox-api-result'];
        const meta = JSON.parse(String(Array.isArray(result) ? result[0] : result ?? 'null')) as FileMetadata | null;
        if (!meta || typeof meta.size !== 'number') throw new RemoteError(`Dropbox sent ${o.path} without its metadata`);
        if (metadata && (meta.rev !== metadata.rev || meta.size !== metadata.size)) throw new RemoteError(`${o.path} changed on Dropbox during the download; pull again`);
        metadata = meta;
        let skip = 0;
        if (res.statusCode === 206) {
          const m = /bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''));
          if (!m || Number(m[1]) !== have) throw new RemoteError(`Dropbox resumed ${o.path} at the wrong offset (${res.headers['content-range']})`);
        } else {
          skip = have; // the server ignored Range: drop what we already have
        }
        const total = meta.size;
        responses++;
        let reported = have;
        await drain(res, sink, skip, (chunk) => {
          sha.update(chunk);
          have += chunk.length;
          if (have - reported >= 1 << 20 || have === total) {
            reported = have;
            o.onProgress?.(have, total); // per MiB, not per 64 KiB socket read
          }
        });
        await sink.idle();
        if (sink.failure) throw sink.failure;
        if (have === meta.size) break;
        if (have > meta.size) throw new IntegrityError(`Dropbox sent more bytes than ${o.path} holds; pull again`);
        problem = Object.assign(new Error(`short response (${have} of ${meta.size} bytes)`), { code: 'ECONNRESET' });
      } catch (e) {
        res?.destroy();
        if (o.signal?.aborted) throw o.signal.reason ?? new CancelledError();
        if (e instanceof IntegrityError || (e instanceof RemoteError && !(e.cause))) throw e;
        problem = e;
      }
      await sink.idle();
      if (sink.failure) throw new RemoteError(`cannot write the download to disk: ${sink.failure.message}`);
      if (have > before) {
        // The retry budget is for attempts that get nowhere; one that moved bytes starts it afresh.
        failures = 0;
        refreshed = false;
      }
      const c = classify(problem);
      const next = await api.afterFailure(c, 'download', { refreshed, failures, throttles, attempts: api.budget.attempts + 3, token });
      if (next === 'refreshed') {
        refreshed = true;
        continue;
      }
      if (next === undefined) throw toUserError(problem, c, 'download', o.path);
      if (c.status === 429) throttles++;
      else failures++;
      log('transfer', `dropbox download ${o.path}: ${c.status ? 'HTTP ' + c.status : (problem as Error)?.message}; resuming at ${have} bytes`);
      await sleep(next, o.signal);
    }
    await new Promise<void>((resolve, reject) => ws.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (responses > 1 && metadata.content_hash) {
      const local = await contentHashOf(o.tmp);
      if (local !== metadata.content_hash) {
        throw new IntegrityError(`download of ${o.path} is corrupt after resuming (content_hash ${local.slice(0, 12)}… ≠ ${metadata.content_hash.slice(0, 12)}…); pull again`);
      }
      log('transfer', `dropbox download ${o.path}: resumed ${responses - 1} time(s); content_hash verified`);
    }
    return { sha256: sha.digest('hex'), size: have, metadata, responses };
  } catch (e) {
    ws.destroy();
    await fsp.rm(o.tmp, { force: true });
    throw e;
  }
}

async function contentHashOf(file: string): Promise<string> {
  const h = new DropboxContentHasher();
  for await (const c of createReadStream(file, { highWaterMark: 4 << 20 })) h.update(c as Buffer);
  return h.digest();
}
