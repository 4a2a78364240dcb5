// One transfer as one line: direction, name, state (in words, so it reads without colour), percent
// with a small bar when there is room, rate and time left.
import { Text } from 'ink';
import { useTheme, type Role } from '../app/theme.js';
import { formatRate } from '../core/format.js';
import { columnWidths, row } from './text.js';

export interface ProgressFacts {
  kind: 'push' | 'pull';
  name: string;
  state: string;
  percent?: number;
  rate?: number | null;
  eta: string;
}

export function stateRole(state: string): Role | undefined {
  if (state === 'failed') return 'error';
  if (state === 'done') return 'ok';
  if (state === 'cancelled') return 'muted';
  if (state === 'queued') return undefined;
  return 'accent';
}

/** Column widths for a row of `width` (the Transfers header uses the same). */
export function progressWidths(width: number): { widths: number[]; bar: number } {
  const bar = width >= 90 ? 12 : 0;
  return { widths: columnWidths(width, [6, { grow: 1, min: 12 }, 10, bar ? 4 + 1 + bar : 4, 11, 7]), bar };
}

export function progressText(f: ProgressFacts, width: number, glyphs: { up: string; down: string; bar: string; barEmpty: string }, ascii: boolean): string {
  const { widths, bar } = progressWidths(width);
  const dir = f.kind === 'pull' ? `${glyphs.down} pull` : `${glyphs.up} push`;
  const pct = f.percent === undefined ? '-' : `${f.percent}%`;
  const filled = f.percent === undefined ? 0 : Math.round((f.percent * bar) / 100);
  const pctCell = bar ? `${pct.padStart(4)} ${glyphs.bar.repeat(filled)}${glyphs.barEmpty.repeat(bar - filled)}` : pct;
  return row([dir, f.name, f.state, pctCell, f.rate ? formatRate(f.rate) : '-', f.eta], widths, ascii, bar ? [4, 5] : [3, 4, 5]);
}

export function ProgressRow({ facts, width }: { facts: ProgressFacts; width: number }) {
  const theme = useTheme();
  const role = stateRole(facts.state);
  return (
    <Text wrap="truncate" {...(role ? theme.style(role) : {})}>
      {progressText(facts, width, theme.glyph, theme.ascii)}
    </Text>
  );
}
