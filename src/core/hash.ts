// Hashes computed while bytes stream past: sha256 (library versions) and Dropbox's content_hash
// (sha256 over the concatenated sha256 of each 4 MiB block; see contracts/dropbox.md §5).
import { createHash, type Hash } from 'node:crypto';

export const DROPBOX_BLOCK = 4 * 1024 * 1024;

export class DropboxContentHasher {
  constructor(
    private overall: Hash = createHash('sha256'),
    private block: Hash = createHash('sha256'),
    private inBlock = 0,
  ) {}

  /** An independent copy: work on a fork and keep it only if the bytes arrived whole. */
  fork(): DropboxContentHasher {
    return new DropboxContentHasher(this.overall.copy(), this.block.copy(), this.inBlock);
  }

  update(chunk: Uint8Array): this {
    let off = 0;
    while (off < chunk.length) {
      const take = Math.min(DROPBOX_BLOCK - this.inBlock, chunk.length - off);
      this.block.update(chunk.subarray(off, off + take));
      this.inBlock += take;
      off += take;
      if (this.inBlock === DROPBOX_BLOCK) this.closeBlock();
    }
    return this;
  }

  private closeBlock(): void {
    this.overall.update(this.block.digest());
    this.block = createHash('sha256');
    this.inBlock = 0;
  }

  digest(): string {
    if (this.inBlock > 0) this.closeBlock();
    return this.overall.digest('hex');
  }
}

export function dropboxContentHash(data: Uint8Array): string {
  return new DropboxContentHasher().update(data).digest();
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
