// Waiting for a transfer job from a command: a progress bar on stderr when it is a terminal (redrawn at
// most 4 times a second), plain lines otherwise. Ctrl-C cancels the job instead of orphaning it.
import { CancelledError, SregError } from '../core/errors.js';
import { formatBytes, formatDuration, formatRate } from '../core/format.js';
import type { Services } from '../services/index.js';
import { isTerminal, type TransferJob } from '../services/transfers/types.js';

const REDRAW_MS = 250;

function bar(job: TransferJob, width: number): string {
  const total = job.bytesTotal ?? 0;
  const frac = total > 0 ? Math.min(1, job.bytesDone / total) : 0;
  const cells = Math.max(10, Math.min(30, width - 60));
  const full = Math.round(frac * cells);
  const eta = job.rate && total ? formatDuration((total - job.bytesDone) / job.rate) : '-';
  const pct = total > 0 ? `${(frac * 100).toFixed(0).padStart(3)}%` : '   ?';
  return `${job.kind} [${'='.repeat(full)}${' '.repeat(cells - full)}] ${pct} ${formatBytes(job.bytesDone)}/${formatBytes(job.bytesTotal)} ${formatRate(job.rate)} ETA ${eta}`;
}

export interface WaitOptions {
  /** Resolve once the job is `submitted` (a remote task), not only when it ends. */
  untilSubmitted?: boolean;
  quiet?: boolean;
}

/** Waits for the job; returns it in its final (or submitted) state. */
export function waitForJob(s: Services, first: TransferJob, options: WaitOptions = {}): Promise<TransferJob> {
  const tty = Boolean(process.stderr.isTTY) && !options.quiet;
  const id = first.id;
  let lastDraw = 0;
  let lastState = '';
  let lastTenth = -1;
  let drawn = false;
  let cancelling = 0;

  const draw = (job: TransferJob, force = false) => {
    if (options.quiet) return;
    if (tty) {
      const now = Date.now();
      if (!force && now - lastDraw < REDRAW_MS) return;
      lastDraw = now;
      process.stderr.write(`\r\x1b[K${bar(job, process.stderr.columns ?? 80)}`);
      drawn = true;
      return;
    }
    if (job.state !== lastState) {
      lastState = job.state;
      process.stderr.write(`#${job.id} ${job.state}${job.bytesTotal ? ` (${formatBytes(job.bytesTotal)})` : ''}\n`);
    }
    const tenth = job.bytesTotal ? Math.floor((job.bytesDone / job.bytesTotal) * 10) : -1;
    if (tenth > lastTenth && tenth < 10 && job.state === 'running') {
      lastTenth = tenth;
      process.stderr.write(`#${job.id} ${tenth * 10}% ${formatBytes(job.bytesDone)} of ${formatBytes(job.bytesTotal)}\n`);
    }
  };

  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (job: TransferJob) => {
      if (settled) return;
      settled = true;
      cleanup();
      if (tty && drawn) process.stderr.write(`\r\x1b[K`);
      resolve(job);
    };
    const check = (job: TransferJob) => {
      if (job.id !== id) return;
      if (isTerminal(job.state) || (options.untilSubmitted && job.state === 'submitted')) return finish(job);
      draw(job, job.state !== lastState);
    };
    const onSigint = () => {
      // One Ctrl-C is sometimes emitted twice in quick succession here; a person takes longer to press again.
      if (cancelling && Date.now() - cancelling < 500) return;
      if (cancelling) {
        // Quit at once, without closing the library under the running job; the next queue adopts the row.
        process.stderr.write(`sreg: interrupted; transfer #${id} is left to be resumed (see: sreg tasks)\n`);
        process.exit(130);
      }
      cancelling = Date.now();
      process.stderr.write(`${tty && drawn ? '\n' : ''}cancelling transfer #${id}… (Ctrl-C again to quit at once)\n`);
      try {
        s.queue.cancel(id);
      } catch (e) {
        cleanup();
        reject(e);
      }
    };
    const timer = setInterval(() => {
      try {
        check(s.queue.get(id));
      } catch (e) {
        cleanup();
        reject(e);
      }
    }, 500);
    const stopWaiting = new AbortController();
    const cleanup = () => {
      clearInterval(timer);
      stopWaiting.abort();
      s.queue.off('progress', check);
      s.queue.off('change', check);
      process.off('SIGINT', onSigint);
    };
    s.queue.on('progress', check);
    s.queue.on('change', check);
    process.on('SIGINT', onSigint);
    s.queue
      .wait(id, stopWaiting.signal)
      .then((job) => finish(job))
      .catch((e) => {
        if (settled) return; // our own cleanup stopped the wait
        cleanup();
        reject(e);
      });
    check(s.queue.get(id));
  });
}

/** Turns a finished job into the command's outcome: its note, or the error it failed with. */
export function outcome(job: TransferJob): string {
  if (job.state === 'done' || job.state === 'submitted') return job.reason ?? '';
  if (job.state === 'cancelled') throw new CancelledError(`transfer #${job.id} cancelled`);
  throw new SregError(`${job.kind} failed: ${job.reason ?? 'unknown reason'} (transfer #${job.id}; retry: sreg tasks --retry ${job.id})`);
}
