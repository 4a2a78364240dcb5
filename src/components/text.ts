// Plain-string helpers for fixed-width rows. Widths count UTF-16 units, which is right for the
// ASCII names, paths and numbers sreg shows; Ink truncates anything wider at the box edge anyway.
import { truncate } from '../core/format.js';

/** Hard-wraps one line to `width` columns (long URLs and paths stay whole when they fit). */
export function wrapLine(line: string, width: number): string[] {
  if (width <= 0) return [''];
  const expanded = line.replace(/\t/g, '    ');
  if (expanded.length <= width) return [expanded];
  const out: string[] = [];
  for (let i = 0; i < expanded.length; i += width) out.push(expanded.slice(i, i + width));
  return out;
}

export function wrapLines(lines: readonly string[], width: number): string[] {
  return lines.flatMap((l) => wrapLine(l, width));
}

/** OSC 8: the terminal opens or copies `url` from this text, whatever part of the URL it shows. */
export function hyperlink(url: string, text: string): string {
  return `\x1b]8;;${url}\x07${text}\x1b]8;;\x07`;
}

/** Like wrapLines, but with `links` each row cut from a URL line links to the whole URL. */
export function wrapLinked(lines: readonly string[], width: number, links: boolean): string[] {
  return lines.flatMap((l) => {
    const rows = wrapLine(l, width);
    return links && /^https?:\/\/\S+$/.test(l) ? rows.map((r) => hyperlink(l, r)) : rows;
  });
}

export function fit(s: string, width: number, ascii = false): string {
  const t = truncate(s, width, ascii);
  return t + ' '.repeat(Math.max(0, width - t.length));
}

/** Right-aligns within width (numbers, sizes). */
export function fitRight(s: string, width: number, ascii = false): string {
  const t = truncate(s, width, ascii);
  return ' '.repeat(Math.max(0, width - t.length)) + t;
}

/**
 * Lays out columns in `width`: fixed widths for most, the rest shared by the `grow` ones (weights).
 * Returns the widths, each at least 1.
 */
export function columnWidths(width: number, fixed: Array<number | { grow: number; min: number }>): number[] {
  const gaps = fixed.length - 1;
  const fixedSum = fixed.reduce<number>((n, c) => n + (typeof c === 'number' ? c : c.min), 0);
  const spare = Math.max(0, width - gaps - fixedSum);
  const weights = fixed.reduce<number>((n, c) => n + (typeof c === 'number' ? 0 : c.grow), 0);
  const out = fixed.map((c) => (typeof c === 'number' ? c : c.min + Math.floor((spare * c.grow) / Math.max(1, weights))));
  // What rounding left over goes to the first growing column, so rows fill the width exactly.
  const first = fixed.findIndex((c) => typeof c !== 'number');
  if (first >= 0) out[first]! += Math.max(0, width - gaps - out.reduce((n, w) => n + w, 0));
  return out;
}

export function row(cells: string[], widths: number[], ascii = false, right: number[] = []): string {
  return cells.map((c, i) => (right.includes(i) ? fitRight(c, widths[i]!, ascii) : fit(c, widths[i]!, ascii))).join(' ');
}

/** Wraps prose at spaces; words longer than the width are cut hard. */
export function wordWrap(text: string, width: number): string[] {
  if (width <= 0) return [''];
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (candidate.length <= width) {
      line = candidate;
      continue;
    }
    if (line) out.push(line);
    line = '';
    const chunks = wrapLine(word, width);
    out.push(...chunks.slice(0, -1));
    line = chunks[chunks.length - 1] ?? '';
  }
  out.push(line);
  return out;
}
