// Human formatting of sizes, rates, durations and dates. Pure.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `1 image`, `2 images`; irregular plurals given: counted(n, 'entry', 'entries'). */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  let v = n;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[i]}`;
}

export function formatRate(bytesPerSecond: number | null | undefined): string {
  if (!bytesPerSecond || !Number.isFinite(bytesPerSecond)) return '-';
  return `${formatBytes(bytesPerSecond)}/s`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '-';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const SQLITE_DATETIME = /^\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d(\.\d+)?)?$/;

/** `YYYY-MM-DD HH:MM` in UTC, from a Date, ISO string, SQLite datetime or unix seconds. */
export function formatDate(d: Date | string | number | null | undefined): string {
  if (d === null || d === undefined || d === '') return '-';
  // SQLite's datetime() text is UTC already: the common case needs no Date (10,000 rows: 30 ms).
  if (typeof d === 'string' && SQLITE_DATETIME.test(d)) return d.slice(0, 16);
  let date: Date;
  if (typeof d === 'number') date = new Date(d * 1000);
  else if (typeof d === 'string') date = new Date(d);
  else date = d;
  if (Number.isNaN(date.getTime())) return String(d);
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

/** Cuts a string to `width` columns with an ellipsis (ASCII `~` when asked). */
export function truncate(s: string, width: number, ascii = false): string {
  if (width <= 0) return '';
  if (s.length <= width) return s;
  if (width === 1) return s.slice(0, 1);
  return s.slice(0, width - 1) + (ascii ? '~' : '…');
}

export function padEnd(s: string, width: number, ascii = false): string {
  const t = truncate(s, width, ascii);
  return t + ' '.repeat(Math.max(0, width - t.length));
}

/** Plain text table: columns separated by two spaces, last column not padded. */
export function textTable(rows: string[][], header?: string[]): string {
  const all = header ? [header, ...rows] : rows;
  if (all.length === 0) return '';
  const widths: number[] = [];
  for (const r of all) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return all
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}
