// Moves a task forward: expands its items into files when it leaves the queue, then really copies
// bytes from the source endpoint's folder to the destination's, at the sandbox's speed. A DELETE task
// removes its paths in one step once it leaves the queue.
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, readSync, readdirSync, statSync, utimesSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deletePaths } from './deletes.js';
import type { EndpointRegistry } from './endpoints.js';
import { describe, itemCount, taskTime, type FileJob, type TaskRecord } from './task-model.js';
import type { SandboxEndpoint, TaskFailure } from './types.js';

const CHUNK = 1024 * 1024;

export interface RunContext {
  reg: EndpointRegistry;
  now: () => number;
  bytesPerSecond: number;
}

class Fatal extends Error {
  constructor(readonly failure: TaskFailure, readonly details: string) {
    super(failure.code);
  }
}

export function addEvent(t: TaskRecord, code: string, details: string, isError: boolean, now: number): void {
  t.events.push({ DATA_TYPE: 'event', code, description: describe(code).toLowerCase(), details, is_error: isError, time: taskTime(now) });
}

export function finish(t: TaskRecord, now: number, failure: TaskFailure | null, details = ''): void {
  const pending = t.jobs ? t.jobs.filter((j) => j.state === 'pending').length : itemCount(t);
  t.phase = 'done';
  t.completion_time = now;
  t.trouble = null;
  t.inactiveStatus = null;
  if (!failure) {
    t.status = 'SUCCEEDED';
    addEvent(t, 'SUCCEEDED', JSON.stringify({ files_succeeded: t.delete ? t.files : t.files_transferred }), false, now);
    return;
  }
  t.status = 'FAILED';
  t.fatal_error = { code: failure.code, description: failure.description ?? describe(failure.code).toLowerCase() };
  if (failure.code === 'CANCELED') {
    t.subtasks_canceled += pending;
    addEvent(t, 'CANCELED', details || 'Canceled by the task owner', true, now);
  } else {
    t.faults += 1;
    t.subtasks_failed += Math.max(1, pending);
    addEvent(t, failure.code, details || describe(failure.code), true, now);
  }
}

/** Source and destination; a DELETE has no destination. */
function endpointsOf(ctx: RunContext, t: TaskRecord): [SandboxEndpoint, SandboxEndpoint | null] {
  const src = ctx.reg.get(t.source_endpoint_id);
  const dst = t.destination_endpoint_id === null ? null : ctx.reg.get(t.destination_endpoint_id);
  if (!src || dst === undefined) throw new Fatal({ code: 'ENDPOINT_ERROR' }, 'Endpoint no longer exists');
  return [src, dst];
}

/** Expands items into file jobs, as Transfer does when a task starts (recursive items walk dirs). */
function plan(ctx: RunContext, t: TaskRecord, src: SandboxEndpoint, dst: SandboxEndpoint): void {
  const jobs: FileJob[] = [];
  for (const item of t.items) {
    const s = ctx.reg.resolvePath(src, item.source_path);
    const d = ctx.reg.resolvePath(dst, item.destination_path);
    if (!ctx.reg.contains(src, s.disk)) {
      if (t.options.skip_source_errors) {
        t.subtasks_skipped_errors += 1;
        continue;
      }
      throw new Fatal({ code: 'FILE_NOT_FOUND' }, `Error (transfer)\nEndpoint: ${src.display_name} (${src.id})\nFile: ${item.source_path}\nMessage: No such file or directory`);
    }
    const st = statSync(s.disk);
    if (!st.isDirectory()) {
      t.files += 1;
      jobs.push({ srcDisk: s.disk, dstDisk: d.disk, srcPath: item.source_path, dstPath: item.destination_path, size: st.size, done: 0, state: 'pending' });
      continue;
    }
    if (!item.recursive) {
      throw new Fatal({ code: 'ENDPOINT_ERROR', description: 'error on the source endpoint' }, `Error (transfer)\nFile: ${item.source_path}\nMessage: Is a directory; submit it with recursive=true`);
    }
    const walk = (diskDir: string, srcRel: string, dstRel: string, dstDisk: string) => {
      t.directories += 1;
      if (dst.writable) mkdirSync(dstDisk, { recursive: true });
      for (const name of readdirSync(diskDir).sort()) {
        const childDisk = join(diskDir, name);
        const lst = lstatSync(childDisk);
        if (lst.isSymbolicLink()) {
          t.symlinks += 1;
          if (t.options.recursive_symlinks === 'ignore' || !ctx.reg.contains(src, childDisk)) continue;
        }
        const cst = statSync(childDisk);
        const sp = `${srcRel.replace(/\/$/, '')}/${name}`;
        const dp = `${dstRel.replace(/\/$/, '')}/${name}`;
        if (cst.isDirectory()) walk(childDisk, sp, dp, join(dstDisk, name));
        else if (cst.isFile()) {
          t.files += 1;
          jobs.push({ srcDisk: childDisk, dstDisk: join(dstDisk, name), srcPath: sp, dstPath: dp, size: cst.size, done: 0, state: 'pending' });
        }
      }
    };
    walk(s.disk, item.source_path, item.destination_path, d.disk);
  }
  t.jobs = jobs;
}

/** Why the task cannot move right now (Transfer keeps such tasks ACTIVE and retries), or null. */
function obstacle(src: SandboxEndpoint, dst: SandboxEndpoint | null): string | null {
  for (const ep of dst ? [src, dst] : [src]) {
    if (ep.gcp_connected === false) return 'GC_NOT_CONNECTED';
    if (ep.gcp_paused) return 'GC_PAUSED';
  }
  // A transfer writes to its destination; a delete to its one endpoint.
  if (!(dst ?? src).writable) return 'PERMISSION_DENIED';
  return null;
}

/** Runs a DELETE task to its end. */
function runDelete(ctx: RunContext, t: TaskRecord, ep: SandboxEndpoint, now: number): void {
  const done = deletePaths(ctx.reg, ep, t.delete!);
  if ('failure' in done) throw new Fatal(done.failure, done.details);
  Object.assign(t, done);
  finish(t, now, null);
}

/** Streams the file through MD5 (Globus's default checksum) without holding it in memory. */
function md5(path: string): string {
  const hash = createHash('md5');
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  try {
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** sync_level: 0 exists, 1 size, 2 mtime, 3 checksum. True when the destination is already good. */
function upToDate(t: TaskRecord, job: FileJob): boolean {
  const level = t.options.sync_level;
  if (level === null) return false;
  let dst;
  try {
    dst = statSync(job.dstDisk);
  } catch {
    return false;
  }
  if (!dst.isFile()) return false;
  const src = statSync(job.srcDisk);
  if (level === 0) return true;
  if (level === 1) return dst.size === src.size;
  if (level === 2) return dst.size === src.size && dst.mtimeMs >= src.mtimeMs;
  t.bytes_checksummed += src.size + dst.size;
  return md5(job.srcDisk) === md5(job.dstDisk);
}

function copySome(job: FileJob, budget: number): number {
  if (job.done === 0) mkdirSync(dirname(job.dstDisk), { recursive: true });
  const inFd = openSync(job.srcDisk, 'r');
  const outFd = openSync(job.dstDisk, job.done === 0 ? 'w' : 'r+');
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, budget)));
  let moved = 0;
  try {
    while (moved < budget && job.done < job.size) {
      const want = Math.min(buf.length, budget - moved, job.size - job.done);
      const n = readSync(inFd, buf, 0, want, job.done);
      if (n === 0) throw new Fatal({ code: 'FILE_NOT_FOUND' }, `File ${job.srcPath} changed during transfer`);
      writeSync(outFd, buf, 0, n, job.done);
      job.done += n;
      moved += n;
    }
  } finally {
    closeSync(inFd);
    closeSync(outFd);
  }
  return moved;
}

function complete(t: TaskRecord, job: FileJob): void {
  if (t.options.verify_checksum) {
    t.bytes_checksummed += job.size * 2;
    if (md5(job.srcDisk) !== md5(job.dstDisk)) throw new Fatal({ code: 'CHECKSUM_MISMATCH' }, `Checksum mismatch on ${job.dstPath}`);
  }
  if (t.options.preserve_timestamp) {
    const st = statSync(job.srcDisk);
    utimesSync(job.dstDisk, st.atime, st.mtime);
  }
  job.state = 'done';
  t.files_transferred += 1;
  t.successful.push({ source_path: job.srcPath, destination_path: job.dstPath });
}

/** Gives one ACTIVE task `ms` virtual milliseconds of work. Returns true when anything changed. */
export function advanceTask(ctx: RunContext, t: TaskRecord, ms: number): boolean {
  if (t.status !== 'ACTIVE' || t.stalled || ms < 0) return false;
  const now = ctx.now();
  try {
    if (t.phase === 'queued') {
      t.queuedFor -= ms;
      if (t.queuedFor > 0) return false;
      ms = -t.queuedFor;
      t.queuedFor = 0;
      t.phase = 'running';
      const started = t.delete ? { type: 'Delete' } : { type: 'GridFTP Transfer', concurrency: 2, parallelism: 4, pipelining: 20 };
      addEvent(t, 'STARTED', JSON.stringify(started, null, 2), false, now);
      if (t.failWith) throw new Fatal(t.failWith, describe(t.failWith.code));
      if (t.inactiveStatus) {
        t.status = 'INACTIVE';
        return true;
      }
    }
    const [src, dst] = endpointsOf(ctx, t);
    const why = obstacle(src, dst);
    if (why) {
      if (t.trouble !== why) {
        t.trouble = why;
        t.faults += 1;
        addEvent(t, why, describe(why), true, now);
      }
      return true;
    }
    t.trouble = null;
    if (t.delete) {
      runDelete(ctx, t, src, now);
      return true;
    }
    if (!t.jobs) plan(ctx, t, src, dst!);
    let budget = (ms * ctx.bytesPerSecond) / 1000 + t.carry;
    for (const job of t.jobs ?? []) {
      if (job.state !== 'pending') continue;
      if (job.done === 0 && upToDate(t, job)) {
        job.state = 'skipped';
        t.files_skipped += 1;
        continue;
      }
      if (job.done < job.size) {
        if (budget < 1) break;
        const moved = copySome(job, Math.floor(budget));
        t.bytes_transferred += moved;
        budget -= moved;
      }
      if (job.done >= job.size) {
        if (job.size === 0 && job.done === 0) copySome(job, 0);
        complete(t, job);
      } else break;
    }
    const left = (t.jobs ?? []).some((j) => j.state === 'pending');
    t.carry = left ? Math.min(budget, 1) : 0;
    if (!left) finish(t, now, null);
    return true;
  } catch (e) {
    if (e instanceof Fatal) finish(t, now, e.failure, e.details);
    else finish(t, now, { code: 'ENDPOINT_ERROR', description: 'error on endpoint' }, (e as Error).message);
    return true;
  }
}
