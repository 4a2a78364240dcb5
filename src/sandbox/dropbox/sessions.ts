// Upload sessions (§4): each one is a sparse file under dataDir/sessions written at the offsets
// the client names. Sequential sessions hash as they go, with a hasher that can be rolled back
// when a request dies half-way; concurrent sessions are hashed once at finish.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DropboxContentHasher } from '../../core/hash.js';

/** Sessions last 7 days on Dropbox. */
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;


export interface UploadSession {
  id: string;
  type: 'sequential' | 'concurrent';
  file: string;
  createdAt: number;
  closed: boolean;
  /** Sequential: bytes accepted so far. */
  offset: number;
  hasher: DropboxContentHasher;
  /** Known up front for sessions made from a failed files/upload. */
  contentHash?: string;
  /** Concurrent: piece offset -> length. */
  pieces: Map<number, number>;
  /** Concurrent: where the closing piece ends. */
  end?: number;
  /** Requests on one session take turns. */
  queue: Promise<void>;
}

export class SessionStore {
  private sessions = new Map<string, UploadSession>();

  constructor(private readonly dir: string) {}

  async create(type: 'sequential' | 'concurrent'): Promise<UploadSession> {
    const id = `pid_upload_session:${randomBytes(24).toString('base64url')}`;
    const file = join(this.dir, randomBytes(12).toString('hex'));
    await writeFile(file, '');
    const s: UploadSession = {
      id,
      type,
      file,
      createdAt: Date.now(),
      closed: false,
      offset: 0,
      hasher: new DropboxContentHasher(),
      pieces: new Map(),
      queue: Promise.resolve(),
    };
    this.sessions.set(id, s);
    return s;
  }

  /** A closed session holding bytes that already sit in `file` (a files/upload that hit a conflict). */
  adopt(file: string, size: number, contentHash: string): UploadSession {
    const id = `pid_upload_session:${randomBytes(24).toString('base64url')}`;
    const s: UploadSession = {
      id,
      type: 'sequential',
      file,
      createdAt: Date.now(),
      closed: true,
      offset: size,
      hasher: new DropboxContentHasher(),
      contentHash,
      pieces: new Map(),
      queue: Promise.resolve(),
    };
    this.sessions.set(id, s);
    return s;
  }

  get(id: string): UploadSession | undefined {
    const s = this.sessions.get(id);
    if (s && Date.now() - s.createdAt > SESSION_TTL_MS) {
      void this.discard(s);
      return undefined;
    }
    return s;
  }

  async discard(s: UploadSession): Promise<void> {
    this.sessions.delete(s.id);
    await rm(s.file, { force: true });
  }

  /** The session's file is now a committed blob (renamed away); forget the session. */
  consumed(s: UploadSession): void {
    this.sessions.delete(s.id);
  }

  /** Run `fn` when the session's earlier requests are done. */
  async exclusive<T>(s: UploadSession, fn: () => Promise<T>): Promise<T> {
    const prev = s.queue;
    let release!: () => void;
    s.queue = new Promise<void>((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** A concurrent session's pieces cover [0, end) without gaps. */
  complete(s: UploadSession): boolean {
    if (s.end === undefined) return false;
    let at = 0;
    const sorted = [...s.pieces.entries()].sort((a, b) => a[0] - b[0]);
    for (const [off, len] of sorted) {
      if (off > at) return false;
      at = Math.max(at, off + len);
    }
    return at >= s.end;
  }

  /** Cut the file to its final size and hash it (concurrent sessions hash here, once). */
  async seal(s: UploadSession): Promise<{ size: number; contentHash: string }> {
    const size = s.type === 'sequential' ? s.offset : (s.end ?? 0);
    await truncate(s.file, size);
    if (s.type === 'sequential') return { size, contentHash: s.contentHash ?? s.hasher.fork().digest() };
    const hasher = new DropboxContentHasher();
    if (size > 0) for await (const chunk of createReadStream(s.file)) hasher.update(chunk as Buffer);
    return { size, contentHash: hasher.digest() };
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => this.discard(s)));
  }
}

/** Writes request chunks into a file from a position on, in order, about 1 MiB per write call. */
export async function openAt(file: string, position: number) {
  const fh = await open(file, 'r+');
  let pos = position;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    let buffers = pending;
    let left = pendingBytes;
    pending = [];
    pendingBytes = 0;
    while (left > 0) {
      const { bytesWritten } = await fh.writev(buffers, pos);
      pos += bytesWritten;
      left -= bytesWritten;
      if (left > 0) buffers = [Buffer.concat(buffers).subarray(bytesWritten)];
    }
  };
  return {
    async write(chunk: Buffer): Promise<void> {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= 1024 * 1024) await flush();
    },
    async close(): Promise<void> {
      try {
        await flush();
      } finally {
        await fh.close();
      }
    },
  };
}
