// One queue for all backends, persisted in `sreg_transfer` so jobs outlive the process that started
// them. Jobs are claimed with a conditional UPDATE, so a TUI and a script sharing the library never run
// the same job twice; a job whose owner process is gone is adopted by the next queue that starts.
import { EventEmitter } from 'node:events';
import { CancelledError, messageOf, NotFoundError, SregError } from '../../core/errors.js';
import type { Db } from '../library/db.js';
import { log } from '../log.js';
import { isTerminal, type JobPatch, type NewTransfer, type TransferJob, type TransferRunner, type TransferState } from './types.js';

const PROGRESS_EVENT_MS = 250; // at most 4 progress events a second per job
const PROGRESS_DB_MS = 1000; // other processes (sreg tasks) see bytes move once a second

interface Row {
  id: number; kind: string; backend: string; state: string; source: string; destination: string; image_name: string | null;
  bytes_total: number | null; bytes_done: number; rate: number | null; remote_task_id: string | null; submission_id: string | null;
  reason: string | null; options: string; attempts: number; owner_pid: number | null; created_at: string; updated_at: string; finished_at: string | null;
}

function toJob(r: Row): TransferJob {
  let options: Record<string, unknown> = {};
  try {
    options = JSON.parse(r.options);
  } catch {
    /* keep empty */
  }
  return {
    id: r.id, kind: r.kind as TransferJob['kind'], backend: r.backend as TransferJob['backend'], state: r.state as TransferState,
    source: r.source, destination: r.destination, imageName: r.image_name, bytesTotal: r.bytes_total, bytesDone: r.bytes_done,
    rate: r.rate, remoteTaskId: r.remote_task_id, submissionId: r.submission_id, reason: r.reason, options, attempts: r.attempts,
    ownerPid: r.owner_pid, createdAt: r.created_at, updatedAt: r.updated_at, finishedAt: r.finished_at,
  };
}

const COLUMN: Record<keyof JobPatch, string> = {
  state: 'state', remoteTaskId: 'remote_task_id', submissionId: 'submission_id', bytesTotal: 'bytes_total', bytesDone: 'bytes_done',
  reason: 'reason', options: 'options', destination: 'destination', imageName: 'image_name',
};

function pidAlive(pid: number | null): boolean {
  if (!pid) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Active {
  controller: AbortController;
  lastEvent: number;
  lastDb: number;
  samples: Array<{ t: number; bytes: number }>;
  rate: number | null;
  bytesDone: number;
  bytesTotal: number | null;
}

export interface QueueOptions {
  concurrency: number;
  /** Run queued jobs other processes left (the TUI does; a one-shot command only runs its own). */
  adoptAll?: boolean;
}

export declare interface TransferQueue {
  on(event: 'change' | 'progress', listener: (job: TransferJob) => void): this;
  off(event: 'change' | 'progress', listener: (job: TransferJob) => void): this;
}

export class TransferQueue extends EventEmitter {
  private readonly active = new Map<number, Active>();
  private readonly mine = new Set<number>();
  private readonly pending = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly runners: (backend: string) => Promise<TransferRunner>,
    private readonly options: QueueOptions,
  ) {
    super();
    this.setMaxListeners(50);
  }

  list(options: { all?: boolean; limit?: number } = {}): TransferJob[] {
    const where = options.all ? '' : `WHERE state NOT IN ('done','cancelled') OR finished_at > strftime('%Y-%m-%dT%H:%M:%SZ','now','-1 day')`;
    const rows = this.db.prepare(`SELECT * FROM sreg_transfer ${where} ORDER BY id DESC LIMIT ?`).all(options.limit ?? 500) as Row[];
    return rows.map((r) => this.overlay(toJob(r)));
  }

  get(id: number): TransferJob {
    const row = this.db.prepare('SELECT * FROM sreg_transfer WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw new NotFoundError(`no transfer ${id} (see: sreg tasks)`);
    return this.overlay(toJob(row));
  }

  /** Live progress of jobs running here is fresher than the database. */
  private overlay(job: TransferJob): TransferJob {
    const a = this.active.get(job.id);
    return a ? { ...job, bytesDone: a.bytesDone, bytesTotal: a.bytesTotal ?? job.bytesTotal, rate: a.rate } : job;
  }

  enqueue(spec: NewTransfer): TransferJob {
    const info = this.db
      .prepare(`INSERT INTO sreg_transfer (kind, backend, state, source, destination, image_name, bytes_total, options, owner_pid)
                VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?)`)
      .run(spec.kind, spec.backend, spec.source, spec.destination, spec.imageName ?? null, spec.bytesTotal ?? null, JSON.stringify(spec.options ?? {}), process.pid);
    const id = Number(info.lastInsertRowid);
    this.mine.add(id);
    const job = this.get(id);
    log('transfer', `#${id} queued ${spec.kind} ${spec.backend} ${spec.source} -> ${spec.destination}`);
    this.emit('change', job);
    queueMicrotask(() => this.schedule());
    return job;
  }

  private patch(id: number, patch: JobPatch & { rate?: number | null; finished?: boolean; ownerPid?: number | null }): void {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [k, v] of Object.entries(patch)) {
      if (k === 'finished') continue;
      const col = k === 'rate' ? 'rate' : k === 'ownerPid' ? 'owner_pid' : COLUMN[k as keyof JobPatch];
      if (!col) continue;
      sets.push(`${col} = ?`);
      values.push(k === 'options' ? JSON.stringify(v) : v);
    }
    sets.push(`updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')`);
    if (patch.finished) sets.push(`finished_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')`);
    this.db.prepare(`UPDATE sreg_transfer SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
  }

  /** Starts runs for queued jobs (and adopts orphans) up to the concurrency limit. */
  schedule(): void {
    if (this.stopped) return;
    while (this.active.size < this.options.concurrency) {
      const next = this.claimNext();
      if (!next) break;
      void this.runJob(next);
    }
  }

  private claimNext(): TransferJob | undefined {
    const candidates = this.db
      .prepare(`SELECT * FROM sreg_transfer WHERE state IN ('queued','running','submitted','verifying','importing') ORDER BY id`)
      .all() as Row[];
    for (const r of candidates) {
      if (this.active.has(r.id)) continue;
      const ours = this.mine.has(r.id);
      const orphan = r.owner_pid !== process.pid && !pidAlive(r.owner_pid);
      if (!ours && !(this.options.adoptAll && (orphan || (r.state === 'queued' && r.owner_pid === null)))) continue;
      if (!ours && r.state !== 'queued' && !orphan) continue;
      // A job that was moving bytes when its process died starts again; a submitted remote task is watched again.
      const nextState = r.state === 'submitted' ? 'submitted' : 'running';
      const res = this.db
        .prepare(`UPDATE sreg_transfer SET state = ?, owner_pid = ?, attempts = attempts + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')
                  WHERE id = ? AND state = ? AND (owner_pid IS ? OR owner_pid = ?)`)
        .run(nextState, process.pid, r.id, r.state, r.owner_pid, process.pid);
      if (res.changes === 1) {
        this.mine.add(r.id);
        return this.get(r.id);
      }
    }
    return undefined;
  }

  private async runJob(job: TransferJob): Promise<void> {
    const a: Active = { controller: new AbortController(), lastEvent: 0, lastDb: 0, samples: [], rate: null, bytesDone: job.bytesDone, bytesTotal: job.bytesTotal };
    this.active.set(job.id, a);
    this.emit('change', this.get(job.id));
    log('transfer', `#${job.id} ${job.state === 'submitted' ? 'watching' : 'running'} (attempt ${job.attempts})`);
    try {
      const runner = await this.runners(job.backend);
      const result = await runner.run({
        job,
        signal: a.controller.signal,
        progress: (done, total) => this.onProgress(job.id, a, done, total),
        update: (patch) => {
          if (a.controller.signal.aborted) return;
          this.patch(job.id, patch);
          this.emit('change', this.get(job.id));
        },
      });
      this.patch(job.id, { state: 'done', reason: result?.note ?? null, bytesDone: a.bytesTotal ?? a.bytesDone, rate: a.rate, finished: true });
      log('transfer', `#${job.id} done${result?.note ? ': ' + result.note : ''}`);
    } catch (e) {
      const cancelled = a.controller.signal.aborted || e instanceof CancelledError;
      const reason = cancelled ? 'cancelled by user' : messageOf(e);
      this.patch(job.id, { state: cancelled ? 'cancelled' : 'failed', reason, bytesDone: a.bytesDone, rate: null, finished: true });
      log('transfer', `#${job.id} ${cancelled ? 'cancelled' : 'failed'}: ${reason}`);
      if (!(e instanceof SregError) && !cancelled) log('transfer', `#${job.id} internal: ${(e as Error)?.stack ?? e}`);
    } finally {
      this.active.delete(job.id);
      this.emit('change', this.get(job.id));
      queueMicrotask(() => this.schedule());
    }
  }

  private onProgress(id: number, a: Active, done: number, total?: number): void {
    const now = Date.now();
    a.bytesDone = done;
    if (total !== undefined) a.bytesTotal = total;
    a.samples.push({ t: now, bytes: done });
    while (a.samples.length > 2 && now - a.samples[0]!.t > 5000) a.samples.shift();
    const first = a.samples[0]!;
    if (now - first.t >= 250) a.rate = ((done - first.bytes) * 1000) / (now - first.t);
    if (now - a.lastDb >= PROGRESS_DB_MS) {
      a.lastDb = now;
      this.patch(id, { bytesDone: done, ...(total !== undefined ? { bytesTotal: total } : {}), rate: a.rate });
      // A cancel from another process (sreg tasks --cancel) arrives through the database.
      const row = this.db.prepare('SELECT state FROM sreg_transfer WHERE id = ?').get(id) as { state: string } | undefined;
      if (row?.state === 'cancelled') a.controller.abort(new CancelledError());
    }
    if (now - a.lastEvent >= PROGRESS_EVENT_MS) {
      a.lastEvent = now;
      this.emit('progress', this.get(id));
    }
  }

  /** Cancels a job: queued ones at once, running ones through their runner (Globus cancels the task). */
  cancel(id: number): TransferJob {
    const job = this.get(id);
    if (isTerminal(job.state)) return job;
    const a = this.active.get(id);
    if (a) {
      a.controller.abort(new CancelledError());
    } else {
      this.patch(id, { state: 'cancelled', reason: 'cancelled by user', finished: true });
      if (job.remoteTaskId) this.track(this.cancelRemote(job));
    }
    const after = this.get(id);
    this.emit('change', after);
    return after;
  }

  /** A remote task nobody here is watching (e.g. after `sreg pull --no-wait`) is cancelled at the service. */
  private async cancelRemote(job: TransferJob): Promise<void> {
    try {
      const runner = await this.runners(job.backend);
      await runner.cancelRemote?.(job);
      log('transfer', `#${job.id} remote task ${job.remoteTaskId} cancelled`);
    } catch (e) {
      const reason = `cancelled here, but the remote task ${job.remoteTaskId} could not be cancelled: ${messageOf(e)}`;
      this.patch(job.id, { reason });
      log('transfer', `#${job.id} ${reason}`);
    }
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Waits for background work started by cancel() (remote cancels) to finish. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Queues a failed or cancelled job again, from the start. */
  retry(id: number): TransferJob {
    const job = this.get(id);
    if (!(job.state === 'failed' || job.state === 'cancelled')) {
      throw new SregError(`transfer ${id} is ${job.state}; only failed or cancelled transfers can be retried`);
    }
    this.db
      .prepare(`UPDATE sreg_transfer SET state = 'queued', reason = NULL, bytes_done = 0, rate = NULL, remote_task_id = NULL,
                submission_id = NULL, finished_at = NULL, owner_pid = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?`)
      .run(process.pid, id);
    this.mine.add(id);
    const after = this.get(id);
    this.emit('change', after);
    queueMicrotask(() => this.schedule());
    return after;
  }

  /** Resolves when the job reaches done, failed or cancelled (polling the database for other processes' jobs). */
  wait(id: number, signal?: AbortSignal): Promise<TransferJob> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const job = this.get(id);
        if (isTerminal(job.state) && !this.active.has(id)) {
          cleanup();
          resolve(job);
        }
      };
      const onChange = (j: TransferJob) => {
        if (j.id === id) check();
      };
      const timer = setInterval(check, 500);
      const onAbort = () => {
        cleanup();
        reject(signal?.reason ?? new CancelledError());
      };
      const cleanup = () => {
        clearInterval(timer);
        this.off('change', onChange);
        signal?.removeEventListener('abort', onAbort);
      };
      this.on('change', onChange);
      signal?.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }

  /** Stops taking new jobs. Running ones stay in the database as they are and are adopted by the next start. */
  stop(): void {
    this.stopped = true;
  }

  get runningCount(): number {
    return this.active.size;
  }
}
