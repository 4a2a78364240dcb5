// A Transfer task as the sandbox keeps it (plain data, so it can be saved) and as the API shows it.
import type { SandboxIdentity, TaskFailure } from './types.js';

export type TaskStatus = 'ACTIVE' | 'INACTIVE' | 'SUCCEEDED' | 'FAILED';
export type TaskType = 'TRANSFER' | 'DELETE';

export interface TransferItem {
  source_path: string;
  destination_path: string;
  recursive: boolean;
}

/** What a DELETE task removes: its paths, and the two task-level switches of POST /delete. */
export interface DeleteSpec {
  paths: string[];
  recursive: boolean;
  ignore_missing: boolean;
}

/** One file to copy, found when the task leaves the queue. */
export interface FileJob {
  srcDisk: string;
  dstDisk: string;
  srcPath: string;
  dstPath: string;
  size: number;
  done: number;
  state: 'pending' | 'done' | 'skipped';
}

export interface TaskEvent {
  DATA_TYPE: 'event';
  code: string;
  description: string;
  details: string;
  is_error: boolean;
  time: string;
}

export interface TaskOptions {
  sync_level: number | null;
  verify_checksum: boolean;
  preserve_timestamp: boolean;
  encrypt_data: boolean;
  skip_source_errors: boolean;
  fail_on_quota_errors: boolean;
  delete_destination_extra: boolean;
  recursive_symlinks: string;
  filter_rules: unknown[] | null;
}

export interface TaskRecord {
  task_id: string;
  submission_id: string;
  type: TaskType;
  label: string | null;
  /** A DELETE task's one endpoint is its source, as Transfer reports it; it has no destination. */
  source_endpoint_id: string;
  destination_endpoint_id: string | null;
  source_display_name: string;
  destination_display_name: string | null;
  request_time: number;
  completion_time: number | null;
  deadline: number;
  options: TaskOptions;
  /** A TRANSFER's items; empty for a DELETE. */
  items: TransferItem[];
  /** A DELETE's paths; null for a TRANSFER. */
  delete: DeleteSpec | null;
  status: TaskStatus;
  phase: 'queued' | 'running' | 'done';
  /** Virtual milliseconds left in the queue. */
  queuedFor: number;
  jobs: FileJob[] | null;
  files: number;
  directories: number;
  symlinks: number;
  files_transferred: number;
  files_skipped: number;
  bytes_transferred: number;
  bytes_checksummed: number;
  faults: number;
  subtasks_failed: number;
  subtasks_canceled: number;
  subtasks_skipped_errors: number;
  fatal_error: TaskFailure | null;
  /** A problem that holds the task back without ending it (PERMISSION_DENIED, GC_NOT_CONNECTED…). */
  trouble: string | null;
  /** Set while the task is INACTIVE. */
  inactiveStatus: string | null;
  stalled: boolean;
  failWith: TaskFailure | null;
  carry: number;
  events: TaskEvent[];
  successful: Array<{ source_path: string; destination_path: string }>;
}

/** Items the task was submitted with: subtasks before it starts. */
export function itemCount(t: TaskRecord): number {
  return t.delete ? t.delete.paths.length : t.items.length;
}

/** "2022-01-26T19:18:21+00:00": the form task documents use. */
export function taskTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Transfer's username for an identity: "u_" + base32 of the identity id's 16 bytes. */
export function transferUsername(identityId: string): string {
  const bytes = Buffer.from(identityId.replace(/-/g, ''), 'hex');
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return `u_${out}`;
}

export const DESCRIPTIONS: Record<string, string> = {
  Queued: 'Queued',
  OK: 'OK',
  PERMISSION_DENIED: 'Permission denied',
  GC_NOT_CONNECTED: 'Globus Connect not connected',
  GC_PAUSED: 'Globus Connect paused',
  FILE_NOT_FOUND: 'File not found',
  ENDPOINT_ERROR: 'Error on endpoint',
  CONNECT_FAILED: 'Could not connect to server',
  PAUSED_BY_ADMIN: 'Paused by an administrator',
  CREDENTIALS_EXPIRED: 'Credentials expired',
  CONSENT_REQUIRED: 'Consent required',
  CHECKSUM_MISMATCH: 'Checksum verification failed',
  NOT_FOUND: 'Not found',
  IS_A_DIRECTORY: 'Is a directory',
  QUOTA_EXCEEDED: 'Quota exceeded',
};

export function describe(code: string): string {
  return DESCRIPTIONS[code] ?? code.toLowerCase().replace(/_/g, ' ');
}

function niceStatus(t: TaskRecord): { nice: string | null; isOk: boolean | null } {
  if (t.status === 'SUCCEEDED' || t.status === 'FAILED') return { nice: null, isOk: null };
  if (t.status === 'INACTIVE') return { nice: t.inactiveStatus, isOk: false };
  if (t.trouble) return { nice: t.trouble, isOk: false };
  return { nice: t.phase === 'queued' ? 'Queued' : 'OK', isOk: true };
}

/** The document GET /task/{id} and task_list return. */
export function taskDoc(t: TaskRecord, user: SandboxIdentity, now: number): Record<string, unknown> {
  const { nice, isOk } = niceStatus(t);
  const end = t.completion_time ?? now;
  const seconds = Math.max(1, Math.round((end - t.request_time) / 1000));
  const jobs = t.jobs ?? [];
  const pending = t.jobs ? jobs.filter((j) => j.state === 'pending').length : itemCount(t);
  const finished = t.status === 'SUCCEEDED' || t.status === 'FAILED';
  const total = t.jobs ? t.items.length + jobs.length : itemCount(t);
  const open = finished ? 0 : pending;
  const succeeded = Math.max(0, total - open - t.subtasks_failed - t.subtasks_canceled - t.subtasks_skipped_errors);
  return {
    DATA_TYPE: 'task',
    task_id: t.task_id,
    type: t.type,
    status: t.status,
    label: t.label,
    command: 'API 0.10',
    key: `${finished ? 'complete' : 'active'},${new Date(end).toISOString().replace('Z', '')}`,
    nice_status: nice,
    nice_status_short_description: nice ? describe(nice) : null,
    nice_status_details: null,
    nice_status_expires_in: nice ? -1 : null,
    is_ok: isOk,
    is_paused: t.status === 'INACTIVE' && /PAUSED/.test(t.inactiveStatus ?? ''),
    fatal_error: t.fatal_error ? { code: t.fatal_error.code, description: t.fatal_error.description ?? describe(t.fatal_error.code).toLowerCase() } : null,
    request_time: taskTime(t.request_time),
    completion_time: t.completion_time === null ? null : taskTime(t.completion_time),
    deadline: taskTime(t.deadline),
    owner_id: user.id,
    username: transferUsername(user.id),
    source_endpoint: t.source_endpoint_id,
    source_endpoint_id: t.source_endpoint_id,
    source_endpoint_display_name: t.source_display_name,
    source_local_user: null,
    source_local_user_status: null,
    destination_endpoint: t.destination_endpoint_id,
    destination_endpoint_id: t.destination_endpoint_id,
    destination_endpoint_display_name: t.destination_display_name,
    destination_local_user: null,
    destination_local_user_status: null,
    files: t.files,
    directories: t.directories,
    symlinks: t.symlinks,
    files_transferred: t.files_transferred,
    files_skipped: t.files_skipped,
    bytes_transferred: t.bytes_transferred,
    bytes_checksummed: t.bytes_checksummed,
    effective_bytes_per_second: Math.floor(t.bytes_transferred / seconds),
    faults: t.faults,
    subtasks_total: total,
    subtasks_pending: open,
    subtasks_retrying: 0,
    subtasks_succeeded: succeeded,
    subtasks_failed: t.subtasks_failed,
    subtasks_canceled: t.subtasks_canceled,
    subtasks_expired: 0,
    subtasks_skipped_errors: t.subtasks_skipped_errors,
    sync_level: t.options.sync_level,
    verify_checksum: t.options.verify_checksum,
    encrypt_data: t.options.encrypt_data,
    preserve_timestamp: t.options.preserve_timestamp,
    delete_destination_extra: t.options.delete_destination_extra,
    skip_source_errors: t.options.skip_source_errors,
    fail_on_quota_errors: t.options.fail_on_quota_errors,
    recursive_symlinks: t.options.recursive_symlinks,
    filter_rules: t.options.filter_rules,
    canceled_by_admin: null,
    canceled_by_admin_message: null,
    history_deleted: false,
  };
}
