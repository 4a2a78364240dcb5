// The transfer queue on a real library database: concurrency bound, progress throttling, cancel,
// retry, persistence, and adoption of jobs whose process is gone. The runner here is a test double
// that moves bytes between two local files in chunks, so every state change is real.
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sleep } from '../../src/services/http.js';
import { openDatabase, type Db } from '../../src/services/library/db.js';
import { TransferQueue } from '../../src/services/transfers/queue.js';
import type { RunContext, TransferJob, TransferRunner } from '../../src/services/transfers/types.js';
import { tempEnv, type TempEnv } from '../helpers/env.js';

let t: TempEnv;
let db: Db;
beforeEach(() => {
  t = tempEnv();
  db = openDatabase(join(t.env.SREGISTRY_DATABASE, 'sregistry.db'));
});
afterEach(() => {
  db.close();
  t.cleanup();
});

/** Copies source to destination 64 KiB at a time, pausing between chunks. */
class SlowCopy implements TransferRunner {
  running = 0;
  maxRunning = 0;
  constructor(private delayMs = 5, private failFirst = 0) {}
  async run(ctx: RunContext) {
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      if (this.failFirst > 0) {
        this.failFirst--;
        throw new Error('remote said no');
      }
      const data = readFileSync(ctx.job.source);
      const out = createWriteStream(ctx.job.destination);
      for (let off = 0; off < data.length; off += 65536) {
        ctx.signal.throwIfAborted();
        out.write(data.subarray(off, off + 65536));
        ctx.progress(Math.min(off + 65536, data.length), data.length);
        await sleep(this.delayMs);
      }
      await new Promise((r) => out.end(r));
      return { note: 'copied' };
    } finally {
      this.running--;
    }
  }
}

function file(name: string, size: number): string {
  const p = join(t.dir, name);
  writeFileSync(p, Buffer.alloc(size, 1));
  return p;
}

describe('TransferQueue', () => {
  it('runs jobs to done with at most `concurrency` at once', async () => {
    const runner = new SlowCopy(1);
    const q = new TransferQueue(db, async () => runner, { concurrency: 2 });
    const jobs = [0, 1, 2, 3, 4].map((i) => q.enqueue({ kind: 'pull', backend: 'dropbox', source: file(`s${i}`, 1 << 20), destination: join(t.dir, `d${i}`) }));
    const done = await Promise.all(jobs.map((j) => q.wait(j.id)));
    expect(done.map((j) => j.state)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(done.every((j) => j.bytesDone === 1 << 20 && j.finishedAt)).toBe(true);
    expect(runner.maxRunning).toBe(2);
    expect(readFileSync(join(t.dir, 'd3')).length).toBe(1 << 20);
  });

  it('throttles progress events to about 4 a second', async () => {
    const q = new TransferQueue(db, async () => new SlowCopy(10), { concurrency: 1 });
    const events: TransferJob[] = [];
    q.on('progress', (j) => events.push(j));
    const job = q.enqueue({ kind: 'pull', backend: 'dropbox', source: file('s', 8 << 20), destination: join(t.dir, 'd') });
    const started = Date.now();
    await q.wait(job.id);
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeGreaterThan(1); // 128 chunks x 10 ms
    expect(events.length).toBeLessThanOrEqual(Math.ceil(seconds * 4) + 1);
    expect(events.length).toBeGreaterThan(1);
    expect(events.at(-1)!.rate).toBeGreaterThan(0);
  });

  it('cancels a running job and a queued one; retry runs it again', async () => {
    const q = new TransferQueue(db, async () => new SlowCopy(20), { concurrency: 1 });
    const a = q.enqueue({ kind: 'pull', backend: 'dropbox', source: file('a', 4 << 20), destination: join(t.dir, 'da') });
    const b = q.enqueue({ kind: 'pull', backend: 'dropbox', source: file('b', 1 << 20), destination: join(t.dir, 'db') });
    await sleep(100);
    expect(q.get(a.id).state).toBe('running');
    expect(q.get(b.id).state).toBe('queued');
    q.cancel(b.id);
    q.cancel(a.id);
    expect((await q.wait(a.id)).state).toBe('cancelled');
    expect((await q.wait(b.id)).reason).toBe('cancelled by user');
    q.retry(a.id);
    const again = await q.wait(a.id);
    expect(again.state).toBe('done');
    expect(again.attempts).toBe(2);
    expect(() => q.retry(a.id)).toThrow(/only failed or cancelled/);
  });

  it('a failing runner gives a failed job with its reason', async () => {
    const q = new TransferQueue(db, async () => new SlowCopy(1, 1), { concurrency: 1 });
    const j = q.enqueue({ kind: 'push', backend: 'dropbox', source: file('x', 1000), destination: join(t.dir, 'y') });
    const failed = await q.wait(j.id);
    expect(failed).toMatchObject({ state: 'failed', reason: 'remote said no' });
  });

  it('jobs survive the process: another queue adopts a job whose owner is gone', async () => {
    const src = file('orphan', 1 << 20);
    // A job left `running` by a process that no longer exists (pid far above pid_max).
    db.prepare(`INSERT INTO sreg_transfer (kind, backend, state, source, destination, owner_pid) VALUES ('pull','dropbox','running',?,?,?)`).run(src, join(t.dir, 'o'), 2 ** 30);
    const mineOnly = new TransferQueue(db, async () => new SlowCopy(1), { concurrency: 1 });
    mineOnly.schedule();
    await sleep(50);
    expect(mineOnly.list()[0]!.state).toBe('running'); // a one-shot command leaves other jobs alone
    expect(mineOnly.list()[0]!.ownerPid).toBe(2 ** 30);
    const tui = new TransferQueue(db, async () => new SlowCopy(1), { concurrency: 1, adoptAll: true });
    tui.schedule();
    const id = tui.list()[0]!.id;
    const done = await tui.wait(id);
    expect(done.state).toBe('done');
    expect(done.ownerPid).toBe(process.pid);
  });

  it('a cancel written by another process stops the runner', async () => {
    const q = new TransferQueue(db, async () => new SlowCopy(20), { concurrency: 1 });
    const j = q.enqueue({ kind: 'pull', backend: 'dropbox', source: file('c', 8 << 20), destination: join(t.dir, 'dc') });
    await sleep(200);
    const other = openDatabase(join(t.env.SREGISTRY_DATABASE, 'sregistry.db'));
    other.prepare(`UPDATE sreg_transfer SET state = 'cancelled' WHERE id = ?`).run(j.id);
    other.close();
    const end = await q.wait(j.id);
    expect(end.state).toBe('cancelled');
    expect(end.bytesDone).toBeLessThan(8 << 20);
  });
});
