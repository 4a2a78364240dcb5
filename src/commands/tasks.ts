import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { formatBytes, formatDate, formatRate, textTable } from '../core/format.js';
import type { Services } from '../services/index.js';
import { isTerminal, type TransferJob } from '../services/transfers/types.js';
import { outcome, waitForJob } from './progress.js';
import { withServices } from './remote.js';
import { out, printJson } from './shared.js';

interface Opts {
  watch?: boolean;
  json?: boolean;
  cancel?: string;
  retry?: string;
  all?: boolean;
}

function jobId(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`not a transfer id: "${v}" (see: sreg tasks)`);
  return n;
}

function pct(j: TransferJob): string {
  if (j.state === 'done') return '100%';
  return j.bytesTotal ? `${Math.floor((j.bytesDone / j.bytesTotal) * 100)}%` : '-';
}

function table(jobs: TransferJob[]): string {
  if (jobs.length === 0) return 'no transfers';
  const rows = jobs.map((j) => [
    String(j.id),
    j.kind,
    j.backend,
    j.state,
    pct(j),
    formatBytes(j.bytesTotal),
    isTerminal(j.state) ? '' : formatRate(j.rate),
    formatDate(j.updatedAt),
    `${j.source} -> ${j.destination}${j.reason && j.state !== 'done' ? `  (${j.reason})` : ''}`,
  ]);
  return textTable(rows, ['id', 'kind', 'backend', 'state', '%', 'size', 'rate', 'updated', 'what']);
}

/** Redraws the table (terminal) or prints changes (pipe) until no job is left to run or watch. */
async function watch(s: Services, all: boolean): Promise<void> {
  s.queue.schedule(); // adopt jobs whose process is gone
  const tty = Boolean(process.stdout.isTTY);
  const seen = new Map<number, string>();
  let lines = 0;
  const render = () => {
    const jobs = s.queue.list({ all });
    if (tty) {
      const text = table(jobs);
      process.stdout.write(`${lines ? `\x1b[${lines}A` : ''}\x1b[J${text}\n`);
      lines = text.split('\n').length;
    } else {
      for (const j of jobs) {
        const tenth = j.bytesTotal ? Math.floor((j.bytesDone / j.bytesTotal) * 10) : 0;
        const key = `${j.state} ${tenth}`; // a line per state change and per 10%
        if (seen.get(j.id) !== key) {
          seen.set(j.id, key);
          out(`#${j.id} ${j.kind} ${j.state} ${pct(j)} ${j.source} -> ${j.destination}${j.reason ? ` (${j.reason})` : ''}`);
        }
      }
    }
    return jobs;
  };
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const jobs = render();
      if (!jobs.some((j) => !isTerminal(j.state)) && s.queue.runningCount === 0) stop();
    }, 250);
    const stop = () => {
      clearInterval(timer);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    render();
  });
}

export function define(cmd: Command): void {
  cmd
    .option('--watch', 'keep showing transfers until none is left running (resumes transfers of processes that are gone)')
    .option('--json', 'print transfers as JSON')
    .option('--cancel <id>', 'cancel a transfer')
    .option('--retry <id>', 'run a failed or cancelled transfer again, and wait for it')
    .option('--all', 'include old finished transfers')
    .addHelpText('after', '\nExamples:\n  sreg tasks\n  sreg tasks --watch\n  sreg tasks --cancel 12\n  sreg tasks --retry 12')
    .action(async (opts: Opts) => {
      if (opts.cancel && opts.retry) throw new UsageError('give --cancel or --retry, not both');
      const cancel = opts.cancel ? jobId(opts.cancel) : undefined;
      const retry = opts.retry ? jobId(opts.retry) : undefined;
      await withServices(
        async (s) => {
          if (cancel !== undefined) {
            const j = s.queue.cancel(cancel);
            return opts.json ? printJson(j) : out(`#${j.id} ${j.state}${j.reason ? ` (${j.reason})` : ''}`);
          }
          if (retry !== undefined) {
            const j = await waitForJob(s, s.queue.retry(retry));
            if (opts.json) return printJson(j);
            return out(outcome(j) || `#${j.id} ${j.state}`);
          }
          if (opts.watch) return watch(s, Boolean(opts.all));
          const jobs = s.queue.list({ all: opts.all });
          if (opts.json) printJson(jobs);
          else out(table(jobs));
        },
        { adoptAll: Boolean(opts.watch) },
      );
    });
}
