// sha256 (the library version) and Dropbox's content_hash of a download, computed as bytes arrive.
// Large downloads hash on a worker thread so the main thread only moves bytes: two hashes in line
// cost about as much CPU as the transfer itself. The worker's source is inline (CommonJS) so it runs
// the same from dist/ and under the test runner; it repeats the block rule of core/hash.ts.
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { DropboxContentHasher } from '../../../core/hash.js';

export interface Digests {
  sha256: string;
  contentHash: string;
}

export interface StreamHasher {
  update(chunk: Buffer): void;
  /** True when the caller should wait for 'drain' before feeding more. */
  readonly busy: boolean;
  once(event: 'drain', listener: () => void): unknown;
  digest(): Promise<Digests>;
  dispose(): void;
}

class InlineHasher extends EventEmitter implements StreamHasher {
  private sha = createHash('sha256');
  private content = new DropboxContentHasher();
  readonly busy = false;
  update(chunk: Buffer): void {
    this.sha.update(chunk);
    this.content.update(chunk);
  }
  async digest(): Promise<Digests> {
    return { sha256: this.sha.digest('hex'), contentHash: this.content.digest() };
  }
  dispose(): void {}
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const BLOCK = 4 * 1024 * 1024;
const sha = createHash('sha256');
const overall = createHash('sha256');
let block = createHash('sha256');
let inBlock = 0;
parentPort.on('message', (m) => {
  if (m === 'end') {
    if (inBlock > 0) overall.update(block.digest());
    parentPort.postMessage({ sha256: sha.digest('hex'), contentHash: overall.digest('hex') });
    return;
  }
  const buf = Buffer.from(m);
  sha.update(buf);
  let off = 0;
  while (off < buf.length) {
    const take = Math.min(BLOCK - inBlock, buf.length - off);
    block.update(buf.subarray(off, off + take));
    inBlock += take;
    off += take;
    if (inBlock === BLOCK) { overall.update(block.digest()); block = createHash('sha256'); inBlock = 0; }
  }
  parentPort.postMessage(buf.length);
});
`;

const BATCH = 1 << 20;
const MAX_IN_FLIGHT = 32 << 20;

class WorkerHasher extends EventEmitter implements StreamHasher {
  private worker = new Worker(WORKER_SOURCE, { eval: true });
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private inFlight = 0;
  private result?: Promise<Digests>;
  private failure?: Error;

  constructor() {
    super();
    this.worker.on('message', (m: number | Digests) => {
      if (typeof m !== 'number') return;
      this.inFlight -= m;
      if (this.inFlight <= MAX_IN_FLIGHT / 2) this.emit('drain');
    });
    this.worker.on('error', (e) => {
      this.failure = e;
      this.emit('drain');
    });
  }

  get busy(): boolean {
    return this.inFlight > MAX_IN_FLIGHT;
  }

  update(chunk: Buffer): void {
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    if (this.batchBytes >= BATCH) this.flush();
  }

  private flush(): void {
    if (this.batchBytes === 0) return;
    const data = Buffer.concat(this.batch, this.batchBytes); // a copy we own, so its memory can move to the worker
    this.batch = [];
    this.inFlight += this.batchBytes;
    this.batchBytes = 0;
    const own = data.byteOffset === 0 && data.buffer.byteLength === data.length;
    const ab = own ? data.buffer : data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
    this.worker.postMessage(ab, [ab as ArrayBuffer]);
  }

  digest(): Promise<Digests> {
    this.result ??= new Promise<Digests>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.flush();
      this.worker.on('message', (m: number | Digests) => {
        if (typeof m === 'number') return;
        resolve(m);
        void this.worker.terminate();
      });
      this.worker.once('error', reject);
      this.worker.postMessage('end');
    });
    return this.result;
  }

  dispose(): void {
    void this.worker.terminate();
  }
}

/** A worker for large downloads (or unknown sizes), hashing in line for small ones. */
export function streamHasher(expectedSize?: number): StreamHasher {
  return expectedSize !== undefined && expectedSize < 16 << 20 ? new InlineHasher() : new WorkerHasher();
}
