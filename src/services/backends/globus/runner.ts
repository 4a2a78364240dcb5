// Runs a Globus job from the queue: submit a task (once: the submission id is saved before the first
// submit, so a retried or resumed submit answers Duplicate with the same task), then watch it with
// polls that back off (2 s growing ×1.5 to 60 s: an hour-long task costs about 70 polls), and when a
// pull SUCCEEDS, hash the staged file and import it into the library. INACTIVE is not an end: the job
// keeps waiting and shows Globus's reason. Cancelling the job cancels the task at Globus.
import { existsSync, promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { AuthRequiredError, CancelledError, IntegrityError, messageOf, RemoteError, SregError } from '../../../core/errors.js';
import { formatImageName, parseImageName } from '../../../core/uri.js';
import { sleep } from '../../http.js';
import type { Library } from '../../library/images.js';
import { hashFile } from '../../library/storage.js';
import { log } from '../../log.js';
import type { RunContext, TransferJob, TransferRunner } from '../../transfers/types.js';
import { isTransient } from './client.js';
import { connectionOf, offlineMessage } from './local.js';
import { planPull, planPush, stagingFor, type PlanDeps, type PullOptions, type PushOptions } from './plan.js';
import type { TaskDoc } from './transfer.js';

export interface PollSchedule {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const DEFAULT_POLL: PollSchedule = { initialMs: 2000, maxMs: 60_000, factor: 1.5 };

export function pollSchedule(env: Record<string, string | undefined>): PollSchedule {
  const n = (v: string | undefined, d: number) => (v && Number(v) > 0 ? Number(v) : d);
  return { initialMs: n(env.SREG_GLOBUS_POLL_MS, DEFAULT_POLL.initialMs), maxMs: n(env.SREG_GLOBUS_POLL_MAX_MS, DEFAULT_POLL.maxMs), factor: DEFAULT_POLL.factor };
}

/** The delay after poll number `i` (0-based). */
export function pollDelay(s: PollSchedule, i: number): number {
  return Math.min(s.maxMs, s.initialMs * s.factor ** i);
}

/** How Globus explains a task's trouble, in one line. */
export function taskReason(t: TaskDoc): string | null {
  if (t.status === 'FAILED') {
    const fe = t.fatal_error;
    return fe ? `${fe.description ?? fe.code} (${fe.code})` : (t.nice_status_short_description ?? t.nice_status ?? 'failed');
  }
  if (t.status === 'SUCCEEDED') return null;
  const nice = t.nice_status;
  const short = t.nice_status_short_description ?? nice;
  if (t.status === 'INACTIVE') return `task paused by Globus (INACTIVE): ${short ?? 'no reason given'}${nice && nice !== short ? ` (${nice})` : ''}; waiting`;
  if (!nice || nice === 'OK') return t.faults ? `transferring; ${t.faults} fault${t.faults > 1 ? 's' : ''} so far, retried by Globus` : null;
  if (nice === 'Queued') return 'queued at Globus';
  const faults = t.faults ? `, ${t.faults} fault${t.faults > 1 ? 's' : ''}` : '';
  return `${short}${nice !== short ? ` (${nice})` : ''}${faults}; Globus keeps retrying`;
}

/**
 * Polls a task until it is SUCCEEDED or FAILED and returns that document, or the last one when
 * `stopAfterMs` runs out first. `between` runs after each poll of an unfinished task, `afterPause`
 * after each wait; `sleep` (default: one that keeps the process alive) is the wait.
 */
export async function followTask(o: {
  poll: () => Promise<TaskDoc>;
  schedule: PollSchedule;
  between?: (t: TaskDoc) => Promise<void>;
  afterPause?: () => Promise<void>;
  sleep?: (ms: number) => Promise<void>;
  stopAfterMs?: number;
}): Promise<TaskDoc> {
  const until = Date.now() + (o.stopAfterMs ?? Infinity);
  for (let i = 0; ; i++) {
    const t = await o.poll();
    if (t.status === 'SUCCEEDED' || t.status === 'FAILED') return t;
    await o.between?.(t);
    const wait = Math.min(pollDelay(o.schedule, i), until - Date.now());
    if (wait <= 0) return t;
    await (o.sleep ?? sleep)(wait);
    await o.afterPause?.();
  }
}

/** A sleep that does not keep the process alive: `sreg pull --no-wait` exits while the task is watched. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    t.unref();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export class GlobusRunner implements TransferRunner {
  constructor(private readonly deps: PlanDeps & { library: Library }) {}

  /**
   * Once the services are closed (a command returned after "submitted", the TUI quit) the job stays
   * `submitted` in the database for the next start to adopt: stop here without touching the queue.
   */
  private async checkpoint(): Promise<void> {
    if (!this.deps.library.db.open) await new Promise<never>(() => {});
  }

  /**
   * Cancels the Globus task of a job no process is running (e.g. `sreg tasks --cancel` on a job whose
   * sreg was closed): the queue can call this after marking the job cancelled.
   */
  async cancelRemote(job: Pick<TransferJob, 'remoteTaskId'>): Promise<string | undefined> {
    return job.remoteTaskId ? this.deps.api.cancel(job.remoteTaskId) : undefined;
  }

  async run(ctx: RunContext): Promise<{ note?: string } | void> {
    return ctx.job.kind === 'push' ? this.push(ctx) : this.pull(ctx);
  }

  /** Plan options saved with the job; re-planned for jobs enqueued without them. */
  private async options<T extends PushOptions | PullOptions>(ctx: RunContext): Promise<T> {
    const o = ctx.job.options as { globus?: string; force?: boolean };
    if (o.globus === ctx.job.kind) return o as unknown as T;
    const job = ctx.job;
    let plan;
    if (job.kind === 'push') {
      const found = existsSync(job.source) ? undefined : this.deps.library.get(job.source);
      const path = found?.image ?? job.source;
      plan = await planPush(this.deps, { path, imageName: job.imageName ?? (found ? formatImageName(found, false) : nameOf(path)) }, job.destination);
    } else {
      plan = await planPull(this.deps, job.source, { name: job.imageName ?? job.destination, force: o.force });
    }
    ctx.update({ options: { ...o, ...plan.options } });
    return plan.options as unknown as T;
  }

  private async push(ctx: RunContext): Promise<{ note?: string }> {
    const o = await this.options<PushOptions>(ctx);
    if (o.unreachable) throw new SregError(o.unreachable, { kind: 'globus-local-unreachable' });
    const taskId = await this.submit(ctx, o.note, async (signal) => {
      await this.deps.api.ensureFolder(o.destEndpoint, o.destFolder, signal);
      return {
        source_endpoint: o.localEndpoint, destination_endpoint: o.destEndpoint, label: o.label,
        DATA: [{ DATA_TYPE: 'transfer_item', source_path: o.sourcePath, destination_path: o.destPath, recursive: false }],
      };
    });
    await this.watch(ctx, taskId, o.localEndpoint);
    return { note: `Globus task ${taskId} succeeded: ${o.destEndpoint}:${o.destPath}` };
  }

  private async pull(ctx: RunContext): Promise<{ note?: string }> {
    const o = await this.options<PullOptions>(ctx);
    const staged = stagingFor(this.deps.library, o.stagingRemote, ctx.job.id, o.sourcePath);
    let taskId: string | undefined;
    try {
      taskId = await this.submit(ctx, o.note, async () => {
        await fsp.mkdir(dirname(staged.local), { recursive: true });
        return {
          source_endpoint: o.sourceEndpoint, destination_endpoint: o.localEndpoint, label: o.label,
          DATA: [{ DATA_TYPE: 'transfer_item', source_path: o.sourcePath, destination_path: staged.remote, recursive: false }],
        };
      });
      await this.watch(ctx, taskId, o.localEndpoint);
    } catch (e) {
      await fsp.rm(staged.local, { force: true });
      throw e;
    }
    return this.importStaged(ctx, o, staged.local, taskId);
  }

  private async importStaged(ctx: RunContext, o: PullOptions, file: string, taskId: string): Promise<{ note: string }> {
    const name = parseImageName(o.name);
    const source = `globus://${o.sourceEndpoint}${o.sourcePath}`;
    ctx.update({ state: 'verifying', reason: null });
    if (!existsSync(file)) {
      // A run that died between the import and marking the job done: the image is already in.
      const img = this.deps.library.find(name);
      if (img && img.client === 'globus' && img.url === source) return { note: `imported ${formatImageName(img)} (Globus task ${taskId})` };
      throw new IntegrityError(`Globus task ${taskId} succeeded but the file is not in ${dirname(file)}; is "this machine" the right endpoint?`);
    }
    const { sha256, size } = await hashFile(file);
    if (ctx.job.bytesTotal !== null && ctx.job.bytesTotal !== undefined && size !== ctx.job.bytesTotal) {
      await fsp.rm(file, { force: true });
      throw new IntegrityError(`pulled file has ${size} bytes, expected ${ctx.job.bytesTotal}`);
    }
    ctx.progress(size, size);
    ctx.update({ state: 'importing' });
    const res = await this.deps.library.commitTemp(file, sha256, size, name, { client: 'globus', url: source, force: o.force });
    log('globus', `#${ctx.job.id} imported ${formatImageName(res.image)} sha256 ${sha256}`);
    return { note: `imported ${formatImageName(res.image)} (Globus task ${taskId})` };
  }

  /** Returns the task id: the saved one when resuming, else submits once (Duplicate-safe). */
  private async submit(ctx: RunContext, note: string | undefined, build: (signal: AbortSignal) => Promise<Record<string, unknown>>): Promise<string> {
    if (ctx.job.remoteTaskId) return ctx.job.remoteTaskId;
    const api = this.deps.api;
    let submissionId = ctx.job.submissionId;
    if (!submissionId) {
      submissionId = await this.patiently(ctx, 'get a submission id', () => api.submissionId(ctx.signal));
      ctx.update({ submissionId });
    }
    const sid = submissionId;
    const payload = await this.patiently(ctx, 'prepare the transfer', () => build(ctx.signal));
    const payloadWithId = { ...payload, submission_id: sid, verify_checksum: true, notify_on_succeeded: false, notify_on_failed: true, notify_on_inactive: true };
    const { taskId, duplicate } = await this.patiently(ctx, 'submit the transfer', () => api.submit('transfer', payloadWithId, ctx.signal));
    log('globus', `#${ctx.job.id} task ${taskId}${duplicate ? ' (duplicate submission: same task)' : ''}`);
    ctx.update({ state: 'submitted', remoteTaskId: taskId, reason: note ?? null });
    return taskId;
  }

  /** Waits out transient failures (network, 5xx, lost login) with backoff, showing why; other errors end the job. */
  private async patiently<T>(ctx: RunContext, what: string, fn: () => Promise<T>): Promise<T> {
    const s = pollSchedule(this.deps.env);
    for (let i = 0; ; i++) {
      try {
        const value = await fn();
        await this.checkpoint();
        return value;
      } catch (e) {
        await this.checkpoint();
        if (ctx.signal.aborted) throw e;
        if (!isTransient(e) && !(e instanceof AuthRequiredError)) throw e;
        const wait = pollDelay(s, i);
        ctx.update({ reason: `cannot ${what} yet: ${messageOf(e)}; retrying in ${Math.round(wait / 1000)} s` });
        await pause(wait, ctx.signal);
        await this.checkpoint();
      }
    }
  }

  /** Polls the task until SUCCEEDED (returns) or FAILED (throws); cancels the task when the job is cancelled. */
  private async watch(ctx: RunContext, taskId: string, localEndpoint: string): Promise<TaskDoc> {
    const api = this.deps.api;
    let lastReason: string | null | undefined = ctx.job.reason;
    try {
      const t = await followTask({
        schedule: pollSchedule(this.deps.env),
        poll: async () => {
          const doc = await this.patiently(ctx, 'check the Globus task', () => api.task(taskId, ctx.signal));
          ctx.progress(doc.bytes_transferred ?? 0, ctx.job.bytesTotal ?? undefined);
          return doc;
        },
        between: async (doc) => {
          let reason = taskReason(doc);
          if (/GC_NOT_CONNECTED|GC_PAUSED/.test(doc.nice_status ?? '') || (doc.status === 'ACTIVE' && lastReason && /local Globus endpoint/.test(lastReason))) {
            reason = (await this.localState(localEndpoint, /GC_/.test(doc.nice_status ?? '') ? 0 : 30_000)) ?? reason;
          }
          if (reason !== lastReason) {
            ctx.update({ reason });
            lastReason = reason;
          }
        },
        sleep: (ms) => pause(ms, ctx.signal),
        afterPause: () => this.checkpoint(),
      });
      if (t.status === 'FAILED' && t.fatal_error?.code === 'CANCELED') throw new CancelledError(`Globus task ${taskId} was cancelled at Globus`);
      if (t.status === 'FAILED') throw new RemoteError(`Globus task ${taskId} failed: ${taskReason(t)}`);
      return t;
    } catch (e) {
      if (ctx.signal.aborted) {
        const code = await api.cancel(taskId).catch((err) => `not cancelled (${messageOf(err)})`);
        log('globus', `#${ctx.job.id} cancel task ${taskId}: ${code}`);
        throw new CancelledError(`cancelled; Globus task ${taskId}: ${code}`);
      }
      throw e;
    }
  }

  /** The seed's "No activated local endpoints online!" when this machine's endpoint is down. */
  private async localState(id: string, maxAgeMs: number): Promise<string | undefined> {
    try {
      const doc = await this.deps.api.endpoint(id, { maxAgeMs });
      const c = connectionOf(doc);
      return c.online ? undefined : offlineMessage(doc.display_name ?? id, id, c.label === 'paused');
    } catch {
      return undefined;
    }
  }
}

function nameOf(path: string): string {
  const base = path.split('/').pop() ?? 'image';
  return base.replace(/\.(sif|simg|img)$/i, '').toLowerCase().replace(/[^a-z0-9._+-]+/g, '-') || 'image';
}
