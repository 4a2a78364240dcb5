// Image files on disk: where an image lives, and how bytes get there atomically (temporary file in the
// storage folder, hashed while written, fsync, rename). Nothing here touches the database.
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants, createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ImageName } from '../../core/uri.js';

export const TEMP_PREFIX = '.sreg-tmp-';

/** `<storage>/<collection>/<name>/<tag>@<sha256>.sif` */
export function imagePath(storageDir: string, n: Pick<ImageName, 'collection' | 'name' | 'tag'>, sha256: string): string {
  return join(storageDir, ...n.collection.split('/'), n.name, `${n.tag}@${sha256}.sif`);
}

/** A fresh temporary path inside the storage folder (same filesystem as the final place). */
export async function tempPath(storageDir: string): Promise<string> {
  await fsp.mkdir(storageDir, { recursive: true });
  return join(storageDir, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}.part`);
}

/** Passes bytes through while hashing them and counting. */
export class HashingStream extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  constructor(private onProgress?: (bytes: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onProgress?.(this.bytes);
    cb(null, chunk);
  }
  hex(): string {
    return this.hash.digest('hex');
  }
}


/** Writes a stream to `dest` (a temp path), returning its sha256 and size. Removes `dest` on failure. */
export async function writeHashed(
  source: Readable,
  dest: string,
  options: { onProgress?: (bytes: number) => void; flags?: string; signal?: AbortSignal } = {},
): Promise<{ sha256: string; size: number }> {
  const hasher = new HashingStream(options.onProgress);
  const out = createWriteStream(dest, { flags: options.flags ?? 'wx', mode: 0o644, highWaterMark: 1 << 20 });
  try {
    await pipeline(source, hasher, out, { signal: options.signal });
  } catch (e) {
    await fsp.rm(dest, { force: true });
    throw e;
  }
  return { sha256: hasher.hex(), size: hasher.bytes };
}

/**
 * Copies a file to a temp path and hashes the copy. The kernel copies (copy_file_range, or a reflink
 * where the file system has them) and the hash then reads the fresh copy from the page cache: about
 * twice as fast here as one pass through a Node stream, whose reads and writes hardly overlapped.
 * Hashing the copy, not the source, means the stored hash is that of the stored bytes.
 */
export async function copyHashed(src: string, dest: string): Promise<{ sha256: string; size: number }> {
  try {
    await fsp.copyFile(src, dest, fsConstants.COPYFILE_EXCL);
    return await hashFile(dest);
  } catch (e) {
    await fsp.rm(dest, { force: true });
    throw e;
  }
}

export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: h.digest('hex'), size };
}

/** fsync a file by path (so a rename after it cannot expose a short file after a crash). */
export async function fsyncFile(path: string): Promise<void> {
  const fh = await fsp.open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Moves a finished temp file to its real name, creating folders. */
export async function placeFile(tmp: string, finalPath: string): Promise<void> {
  await fsp.mkdir(dirname(finalPath), { recursive: true });
  await fsp.rename(tmp, finalPath);
}

/** Removes temp files left by processes that died (older than an hour, or whose pid is gone). */
export async function sweepTemps(storageDir: string): Promise<number> {
  let removed = 0;
  let names: string[];
  try {
    names = await fsp.readdir(storageDir);
  } catch {
    return 0;
  }
  for (const n of names) {
    if (!n.startsWith(TEMP_PREFIX)) continue;
    const pid = Number(n.slice(TEMP_PREFIX.length).split('-')[0]);
    let alive = false;
    if (pid > 0) {
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {
        alive = false;
      }
    }
    const full = join(storageDir, n);
    const st = await fsp.stat(full).catch(() => null);
    if (!st) continue;
    if (!alive || Date.now() - st.mtimeMs > 3600_000 * 24) {
      await fsp.rm(full, { force: true });
      removed++;
    }
  }
  return removed;
}

/** Removes empty folders between `path`'s folder and the storage root. */
export async function pruneEmptyDirs(storageDir: string, path: string): Promise<void> {
  let dir = dirname(path);
  while (dir.startsWith(storageDir) && dir !== storageDir) {
    try {
      await fsp.rmdir(dir);
    } catch {
      return;
    }
    dir = dirname(dir);
  }
}
