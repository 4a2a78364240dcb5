// Transfer jobs as stored in `sreg_transfer`, and the contract a backend's runner fulfils.
import type { BackendKind } from '../backends/backend.js';

export type TransferState = 'queued' | 'running' | 'submitted' | 'verifying' | 'importing' | 'done' | 'failed' | 'cancelled';
export type TransferKind = 'push' | 'pull';

export const TERMINAL_STATES: readonly TransferState[] = ['done', 'failed', 'cancelled'];
export const isTerminal = (s: TransferState) => TERMINAL_STATES.includes(s);

export interface TransferJob {
  id: number;
  kind: TransferKind;
  backend: BackendKind;
  state: TransferState;
  /** push: a library URI or file path; pull: a remote URI */
  source: string;
  /** push: a remote URI; pull: the library name it will get */
  destination: string;
  imageName: string | null;
  bytesTotal: number | null;
  bytesDone: number;
  /** bytes per second, smoothed */
  rate: number | null;
  remoteTaskId: string | null;
  submissionId: string | null;
  reason: string | null;
  options: Record<string, unknown>;
  attempts: number;
  ownerPid: number | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface NewTransfer {
  kind: TransferKind;
  backend: BackendKind;
  source: string;
  destination: string;
  imageName?: string;
  bytesTotal?: number;
  options?: Record<string, unknown>;
}

export type JobPatch = Partial<Pick<TransferJob, 'state' | 'remoteTaskId' | 'submissionId' | 'bytesTotal' | 'bytesDone' | 'reason' | 'options' | 'destination' | 'imageName'>>;

export interface RunContext {
  /** The job as it was when the run started (state may be `submitted` when resuming a Globus task). */
  readonly job: TransferJob;
  /** Aborted when the user cancels; runners stop quickly and let the abort error through. */
  readonly signal: AbortSignal;
  progress(bytesDone: number, bytesTotal?: number): void;
  /** Persists fields at once (state changes, remote ids). */
  update(patch: JobPatch): void;
}

export interface TransferRunner {
  /** Does the whole job. Resolve = done (with an optional note), throw = failed with the message. */
  run(ctx: RunContext): Promise<{ note?: string } | void>;
  /** Stops the remote side of a job no process is running here (a Globus task left submitted). */
  cancelRemote?(job: TransferJob): Promise<unknown>;
}
