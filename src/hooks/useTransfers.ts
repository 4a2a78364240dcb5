// Transfer jobs, live: subscribes to the queue's 'change' and 'progress' events (progress is already
// throttled to 4 a second per job by the queue) and re-reads the list at most every 250 ms.
import { useEffect, useMemo, useState } from 'react';
import { counted, formatDuration, formatRate } from '../core/format.js';
import { messageOf } from '../core/errors.js';
import type { TransferJob } from './types.js';
import { useServices } from './useServices.js';

const ACTIVE = ['queued', 'running', 'submitted', 'verifying', 'importing'];

export interface Note {
  text: string;
  level: 'info' | 'error';
}

export interface TransfersView {
  jobs: TransferJob[];
  active: TransferJob[];
  /** One line for the status bar, empty when nothing is moving. */
  summary: string;
  /** Changes whenever a job finishes (the library may have a new image). */
  finished: string;
  cancel(id: number): Note;
  retry(id: number): Note;
}

export function percent(job: TransferJob): number | undefined {
  if (job.state === 'done') return 100;
  return job.bytesTotal ? Math.min(100, Math.floor((job.bytesDone * 100) / job.bytesTotal)) : undefined;
}

export function eta(job: TransferJob): string {
  if (!job.rate || !job.bytesTotal || job.state !== 'running') return '-';
  return formatDuration((job.bytesTotal - job.bytesDone) / job.rate);
}

export function summarize(active: TransferJob[]): string {
  if (!active.length) return '';
  const total = active.reduce((n, j) => n + (j.bytesTotal ?? 0), 0);
  const done = active.reduce((n, j) => n + j.bytesDone, 0);
  const rate = active.reduce((n, j) => n + (j.rate ?? 0), 0);
  const running = active.filter((j) => j.state !== 'queued').length;
  const parts = [counted(active.length, 'transfer')];
  if (running < active.length) parts.push(`${active.length - running} queued`);
  if (total) parts.push(`${Math.floor((done * 100) / total)}%`);
  if (rate) parts.push(formatRate(rate));
  return parts.join(' ');
}

export function useTransfers(): TransfersView {
  const { queue } = useServices();
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    const bump = () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        setVersion((v) => v + 1);
      }, 250);
    };
    queue.on('change', bump);
    queue.on('progress', bump);
    // Jobs of other processes (sreg pull in another shell) move only in the database.
    const poll = setInterval(bump, 2000);
    return () => {
      clearTimeout(timer);
      clearInterval(poll);
      queue.off('change', bump);
      queue.off('progress', bump);
    };
  }, [queue]);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const jobs = useMemo(() => queue.list({ limit: 200 }), [queue, version]);
  const active = useMemo(() => jobs.filter((j) => ACTIVE.includes(j.state)), [jobs]);
  return {
    jobs,
    active,
    summary: summarize(active),
    finished: jobs.filter((j) => j.state === 'done').map((j) => j.id).join(','),
    cancel: (id) => {
      try {
        const j = queue.cancel(id);
        setVersion((v) => v + 1);
        return { text: `transfer ${id} ${j.state === 'cancelled' ? 'cancelled' : 'is stopping'}`, level: 'info' };
      } catch (e) {
        return { text: messageOf(e), level: 'error' };
      }
    },
    retry: (id) => {
      try {
        queue.retry(id);
        setVersion((v) => v + 1);
        return { text: `transfer ${id} queued again`, level: 'info' };
      } catch (e) {
        return { text: messageOf(e), level: 'error' };
      }
    },
  };
}
