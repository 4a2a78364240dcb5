// Transfer and delete tasks: submission (with Duplicate on a reused submission_id), status documents,
// task_list, successful_transfers, event_list and cancel, plus the knobs tests use to steer a task's fate.
import { randomUUID } from 'node:crypto';
import { parseDelete } from './deletes.js';
import { badRequest, requestId, transferError } from './errors.js';
import { transferScopeWith, type EndpointRegistry } from './endpoints.js';
import { taskDoc, type TaskOptions, type TaskRecord, type TransferItem } from './task-model.js';
import { addEvent, advanceTask, finish, type RunContext } from './task-runner.js';
import type { SandboxEndpoint, SandboxIdentity, TaskFailure } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BOOL_OPTIONS = ['verify_checksum', 'preserve_timestamp', 'encrypt_data', 'skip_source_errors', 'fail_on_quota_errors', 'delete_destination_extra'] as const;
/** A DELETE task shows the transfer options too, all off. */
const NO_OPTIONS: TaskOptions = {
  sync_level: null, verify_checksum: false, preserve_timestamp: false, encrypt_data: false, skip_source_errors: false,
  fail_on_quota_errors: false, delete_destination_extra: false, recursive_symlinks: 'ignore', filter_rules: null,
};

type SubmissionKind = 'transfer' | 'delete';

/** The fields every submission shares, checked. */
interface Envelope {
  kind: SubmissionKind;
  sid: string;
  label: string | null;
  deadline: number;
}

export interface TaskEngineOptions {
  bytesPerSecond: number;
  queueDelayMs: number;
  successfulTransfersPageSize: number;
}

export class TaskEngine {
  readonly tasks = new Map<string, TaskRecord>();
  private readonly submissions = new Map<string, string>();
  private next: { failure?: TaskFailure; inactive?: string; stall?: boolean } = {};

  constructor(
    private readonly reg: EndpointRegistry,
    private readonly user: SandboxIdentity,
    private readonly now: () => number,
    readonly opts: TaskEngineOptions,
  ) {}

  /** Runs every movable task for `ms` virtual milliseconds. */
  run(ms: number): boolean {
    const ctx: RunContext = { reg: this.reg, now: this.now, bytesPerSecond: this.opts.bytesPerSecond };
    let changed = false;
    for (const t of this.tasks.values()) changed = advanceTask(ctx, t, ms) || changed;
    return changed;
  }

  hasWork(): boolean {
    for (const t of this.tasks.values()) if (t.status === 'ACTIVE' && !t.stalled) return true;
    return false;
  }

  /** Endpoints of unfinished tasks: endpoint_search's "in-use" scope. */
  inUse(): Set<string> {
    const ids = new Set<string>();
    for (const t of this.tasks.values()) {
      if (t.status !== 'ACTIVE' && t.status !== 'INACTIVE') continue;
      ids.add(t.source_endpoint_id);
      if (t.destination_endpoint_id) ids.add(t.destination_endpoint_id);
    }
    return ids;
  }

  submissionId(): Record<string, unknown> {
    return { DATA_TYPE: 'submission_id', value: randomUUID() };
  }

  /** POST /transfer. Returns the HTTP status with the result document. */
  submit(body: Record<string, unknown>, hasConsent: (endpointId: string) => boolean, resource: string) {
    const bad = (m: string) => badRequest(m, resource);
    const common = this.envelope('transfer', body, ['source_endpoint', 'destination_endpoint'], resource);
    if (!Array.isArray(body.DATA) || body.DATA.length === 0) {
      throw badRequest('A transfer requires at least one item', resource, 'ClientError.BadRequest.NoTransferItems');
    }
    const items: TransferItem[] = body.DATA.map((raw: unknown, i: number) => {
      const it = (raw ?? {}) as Record<string, unknown>;
      if (it.DATA_TYPE !== undefined && it.DATA_TYPE !== 'transfer_item') throw bad(`DATA[${i}]: invalid DATA_TYPE '${String(it.DATA_TYPE)}'`);
      if (typeof it.source_path !== 'string' || !it.source_path) throw bad(`DATA[${i}]: missing source_path`);
      if (typeof it.destination_path !== 'string' || !it.destination_path) throw bad(`DATA[${i}]: missing destination_path`);
      if (it.recursive !== undefined && it.recursive !== null && typeof it.recursive !== 'boolean') throw bad(`DATA[${i}]: recursive must be a boolean`);
      return { source_path: it.source_path, destination_path: it.destination_path, recursive: it.recursive === true };
    });
    const sync = body.sync_level;
    if (sync !== undefined && sync !== null && !(Number.isInteger(sync) && (sync as number) >= 0 && (sync as number) <= 3)) {
      throw bad(`Invalid sync_level '${String(sync)}': must be 0, 1, 2 or 3`);
    }
    for (const k of BOOL_OPTIONS) if (body[k] !== undefined && typeof body[k] !== 'boolean') throw bad(`'${k}' must be a boolean`);
    return this.accept(common, [body.source_endpoint as string, body.destination_endpoint as string], hasConsent, resource, {
      items,
      options: {
        sync_level: (sync as number | null | undefined) ?? null,
        verify_checksum: body.verify_checksum === true,
        preserve_timestamp: body.preserve_timestamp === true,
        encrypt_data: body.encrypt_data === true,
        skip_source_errors: body.skip_source_errors === true,
        fail_on_quota_errors: body.fail_on_quota_errors === true,
        delete_destination_extra: body.delete_destination_extra === true,
        recursive_symlinks: typeof body.recursive_symlinks === 'string' ? body.recursive_symlinks : 'ignore',
        filter_rules: Array.isArray(body.filter_rules) ? body.filter_rules : null,
      },
    });
  }

  /** POST /delete: a DELETE task on one endpoint, with the same Duplicate and consent rules as /transfer. */
  submitDelete(body: Record<string, unknown>, hasConsent: (endpointId: string) => boolean, resource: string) {
    const common = this.envelope('delete', body, ['endpoint'], resource);
    if (!Array.isArray(body.DATA) || body.DATA.length === 0) throw badRequest('A delete requires at least one item', resource);
    const spec = parseDelete(body, (m) => badRequest(m, resource));
    return this.accept(common, [body.endpoint as string], hasConsent, resource, { delete: spec });
  }

  /** What every submission is checked for: DATA_TYPE, submission_id, its endpoints, label, deadline. */
  private envelope(kind: SubmissionKind, body: Record<string, unknown>, endpointFields: string[], resource: string): Envelope {
    const bad = (m: string) => badRequest(m, resource);
    if (body.DATA_TYPE !== kind) throw bad(`Invalid DATA_TYPE '${String(body.DATA_TYPE)}', expected '${kind}'`);
    const sid = body.submission_id;
    if (typeof sid !== 'string' || !UUID.test(sid)) throw bad('A valid submission_id is required; get one from /submission_id');
    for (const k of endpointFields) {
      if (typeof body[k] !== 'string' || !body[k]) throw bad(`Missing required field '${k}'`);
    }
    if (body.label !== undefined && body.label !== null && (typeof body.label !== 'string' || body.label.length > 128)) {
      throw bad('label must be a string of at most 128 characters');
    }
    let deadline = this.now() + 24 * 3600 * 1000;
    if (body.deadline !== undefined && body.deadline !== null) {
      const d = typeof body.deadline === 'string' ? Date.parse(body.deadline) : NaN;
      if (Number.isNaN(d)) throw bad(`Invalid deadline '${String(body.deadline)}'`);
      deadline = d;
    }
    return { kind, sid, label: (body.label as string | undefined) ?? null, deadline };
  }

  /** Queues the task, or answers Duplicate with the first task's id when the submission_id was used. */
  private accept(
    e: Envelope,
    endpointIds: string[],
    hasConsent: (endpointId: string) => boolean,
    resource: string,
    own: Partial<Pick<TaskRecord, 'items' | 'options' | 'delete'>>,
  ) {
    const existing = this.submissions.get(e.sid);
    if (existing) {
      return { status: 200, body: this.result(e.kind, 'Duplicate', `A ${e.kind} with id '${e.sid}' was already submitted`, e.sid, existing, resource) };
    }
    const eps = endpointIds.map((id) => {
      const ep = this.reg.get(id);
      if (!ep) throw transferError(404, 'EndpointNotFound', `No such endpoint '${id}'`, resource);
      return ep;
    });
    const missing = eps.filter((ep) => ep.requiresConsent && !hasConsent(ep.id)).map((ep) => ep.id);
    if (missing.length) throw consentRequired([...new Set(missing)], resource);
    const [src, dst] = eps as [SandboxEndpoint, SandboxEndpoint | undefined];

    const taskId = randomUUID();
    const t: TaskRecord = {
      task_id: taskId, submission_id: e.sid, type: e.kind === 'delete' ? 'DELETE' : 'TRANSFER', label: e.label,
      source_endpoint_id: src.id, destination_endpoint_id: dst?.id ?? null,
      source_display_name: src.display_name, destination_display_name: dst?.display_name ?? null,
      request_time: this.now(), completion_time: null, deadline: e.deadline,
      options: { ...NO_OPTIONS }, items: [], delete: null, ...own,
      status: 'ACTIVE', phase: 'queued', queuedFor: this.opts.queueDelayMs, jobs: null,
      files: 0, directories: 0, symlinks: 0, files_transferred: 0, files_skipped: 0,
      bytes_transferred: 0, bytes_checksummed: 0, faults: 0,
      subtasks_failed: 0, subtasks_canceled: 0, subtasks_skipped_errors: 0,
      fatal_error: null, trouble: null,
      inactiveStatus: this.next.inactive ?? null, stalled: this.next.stall ?? false, failWith: this.next.failure ?? null,
      carry: 0, events: [], successful: [],
    };
    this.next = {};
    this.tasks.set(taskId, t);
    this.submissions.set(e.sid, taskId);
    for (const ep of eps) this.reg.recentlyUsed.add(ep.id);
    return {
      status: 202,
      body: this.result(e.kind, 'Accepted', `The ${e.kind} has been accepted and a task has been created and queued for execution`, e.sid, taskId, resource),
    };
  }

  private result(kind: SubmissionKind, code: string, message: string, sid: string, taskId: string, resource: string) {
    return {
      DATA_TYPE: `${kind}_result`, code, message, request_id: requestId(), resource,
      submission_id: sid, task_id: taskId,
      task_link: { DATA_TYPE: 'link', href: `/v0.10/task/${taskId}?format=json`, rel: 'related', resource: 'task', title: 'related task' },
    };
  }

  find(id: string, resource: string): TaskRecord {
    const t = this.tasks.get(id.toLowerCase());
    if (!t) throw transferError(404, 'ClientError.NotFound', `Task ${id} not found`, resource);
    return t;
  }

  doc(t: TaskRecord): Record<string, unknown> {
    return taskDoc(t, this.user, this.now());
  }

  /** GET /task_list: filter "status:ACTIVE,INACTIVE/type:TRANSFER/request_time:2024-01-01,", orderby. */
  list(q: Record<string, string>, resource: string): Record<string, unknown> {
    const limit = q.limit === undefined ? 10 : Number(q.limit);
    const offset = q.offset === undefined ? 0 : Number(q.offset);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badRequest('limit must be between 1 and 1000', resource);
    if (!Number.isInteger(offset) || offset < 0 || offset + limit > 1000) throw badRequest('offset + limit must be <= 1000', resource);
    let docs = [...this.tasks.values()].map((t) => this.doc(t));
    for (const clause of (q.filter ?? '').split('/').filter(Boolean)) {
      const m = /^(task_id|status|type|label|request_time|completion_time):(.*)$/.exec(clause);
      if (!m) throw badRequest(`Invalid filter clause '${clause}'`, resource);
      const [, field, value] = m;
      if (field.endsWith('_time')) {
        const [from, to] = value.split(',');
        const ms = (v: string) => Date.parse(v.includes('T') || v.includes(' ') ? v : `${v}T00:00:00Z`);
        docs = docs.filter((d) => {
          if (d[field] === null) return false;
          const t = Date.parse(String(d[field]));
          return (!from || t >= ms(from)) && (!to || t < ms(to));
        });
      } else if (field === 'label') {
        const needle = value.replace(/^~/, '').toLowerCase();
        docs = docs.filter((d) => String(d.label ?? '').toLowerCase().includes(needle));
      } else {
        const allowed = value.split(',').map((v) => v.toLowerCase());
        docs = docs.filter((d) => allowed.includes(String(d[field]).toLowerCase()));
      }
    }
    const [field = 'request_time', dir = 'DESC'] = (q.orderby ?? 'request_time DESC').trim().split(/\s+/);
    const sign = /^asc$/i.test(dir) ? 1 : -1;
    docs.sort((a, b) => (String(a[field] ?? '') < String(b[field] ?? '') ? -sign : String(a[field] ?? '') > String(b[field] ?? '') ? sign : 0));
    const page = docs.slice(offset, offset + limit);
    return { DATA_TYPE: 'task_list', DATA: page, length: page.length, limit, offset, total: docs.length };
  }

  successfulTransfers(t: TaskRecord, q: Record<string, string>, resource: string) {
    const marker = q.marker === undefined || q.marker === '' ? 0 : Number(q.marker);
    if (!Number.isInteger(marker) || marker < 0) throw badRequest(`Invalid marker '${q.marker}'`, resource);
    const size = this.opts.successfulTransfersPageSize;
    const page = t.successful.slice(marker, marker + size);
    return {
      DATA_TYPE: 'successful_transfers',
      marker,
      next_marker: marker + size < t.successful.length ? marker + size : null,
      DATA: page.map((s) => ({ DATA_TYPE: 'successful_transfer', ...s })),
    };
  }

  events(t: TaskRecord, q: Record<string, string>, resource: string) {
    const limit = q.limit === undefined ? 10 : Number(q.limit);
    const offset = q.offset === undefined ? 0 : Number(q.offset);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000 || !Number.isInteger(offset) || offset < 0) {
      throw badRequest('Invalid limit or offset', resource);
    }
    const all = [...t.events].reverse();
    const page = all.slice(offset, offset + limit);
    return { DATA_TYPE: 'event_list', length: page.length, limit, offset, total: all.length, DATA: page };
  }

  cancel(t: TaskRecord, resource: string) {
    if (t.status === 'SUCCEEDED' || t.status === 'FAILED') {
      return { DATA_TYPE: 'result', code: 'TaskComplete', message: 'The task completed before the cancel request was processed.', resource, request_id: requestId() };
    }
    finish(t, this.now(), { code: 'CANCELED', description: 'canceled' });
    return { DATA_TYPE: 'result', code: 'Canceled', message: 'The task has been cancelled successfully.', resource, request_id: requestId() };
  }

  // Knobs for tests and benchmarks.

  failNext(failure: TaskFailure): void {
    this.next.failure = failure;
  }

  setInactive(target: string, niceStatus: string): void {
    if (target === 'next') {
      this.next.inactive = niceStatus;
      return;
    }
    const t = this.find(target, 'sandbox');
    if (t.status !== 'ACTIVE' && t.status !== 'INACTIVE') throw new Error(`task ${target} is already ${t.status}`);
    t.inactiveStatus = niceStatus;
    if (t.phase !== 'queued') t.status = 'INACTIVE';
    addEvent(t, niceStatus, `Task paused: ${niceStatus}`, true, this.now());
  }

  resume(taskId: string): void {
    const t = this.find(taskId, 'sandbox');
    t.inactiveStatus = null;
    t.stalled = false;
    if (t.status === 'INACTIVE') t.status = 'ACTIVE';
  }

  stall(target: string, stalled: boolean): void {
    if (target === 'next') this.next.stall = stalled;
    else this.find(target, 'sandbox').stalled = stalled;
  }

  restore(tasks: TaskRecord[]): void {
    for (const t of tasks) {
      // A copy cut short by a restart starts that file again, as a GridFTP restart would.
      for (const j of t.jobs ?? []) {
        if (j.state === 'pending' && j.done > 0) {
          t.bytes_transferred -= j.done;
          j.done = 0;
        }
      }
      // State saved before DELETE tasks existed holds transfers only.
      t.type ??= 'TRANSFER';
      t.delete ??= null;
      this.tasks.set(t.task_id, t);
      this.submissions.set(t.submission_id, t.task_id);
    }
  }
}

/** 403 ConsentRequired, with the scope a new login must ask for (contracts/globus.md §1.5). */
export function consentRequired(endpointIds: string[], resource: string) {
  const scope = transferScopeWith(endpointIds);
  return transferError(403, 'ConsentRequired', 'Missing required data_access consent', resource, {
    required_scopes: [scope],
    authorization_parameters: { session_message: 'Missing required data_access consent', required_scopes: [scope] },
  });
}
