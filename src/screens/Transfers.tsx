// Transfers: one row per job (direction, name, state, %, rate, time left), newest first; the selected
// job's source, destination and reason below. x cancels, r retries.
import { Box, Text } from 'ink';
import { movementCommands, useCommands, useStore } from '../app/context.js';
import { listPos, type Move } from '../app/store.js';
import { useTheme } from '../app/theme.js';
import { List } from '../components/List.js';
import { Pane, paneInner } from '../components/Pane.js';
import { progressText, progressWidths, stateRole } from '../components/ProgressRow.js';
import { row, wrapLine } from '../components/text.js';
import { eta, percent, useTransfers } from '../hooks/useTransfers.js';
import type { TransferJob } from '../hooks/types.js';
import { counted } from '../core/format.js';

const DETAIL_LINES = 3;

export function TransfersScreen({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  const { state, dispatch } = useStore();
  const t = useTransfers();
  const inner = paneInner(width, height);
  const listHeight = Math.max(1, inner.height - 1 - DETAIL_LINES);
  const pos = listPos(state, 'transfers');
  const job = t.jobs[Math.min(pos.cursor, t.jobs.length - 1)];
  const move = (by: Move) => dispatch({ type: 'move', list: 'transfers', by, count: t.jobs.length, height: listHeight });
  useCommands({
    ...movementCommands(move),
    'cancel-transfer': () => job && dispatch({ type: 'message', ...t.cancel(job.id) }),
    retry: () => job && dispatch({ type: 'message', ...t.retry(job.id) }),
  });
  const w = inner.width - 2;
  const { widths, bar } = progressWidths(w);
  const header = row(['', 'IMAGE', 'STATE', '%', 'RATE', 'LEFT'], widths, theme.ascii, bar ? [4, 5] : [3, 4, 5]);
  const format = (j: TransferJob) => ({
    text: progressText({ kind: j.kind, name: j.imageName ?? j.source, state: j.state, percent: percent(j), rate: j.rate, eta: eta(j) }, w, theme.glyph, theme.ascii),
    role: stateRole(j.state),
  });
  const detail = job
    ? [
        ...wrapLine(`#${job.id} ${job.source} ${theme.ascii ? '->' : '→'} ${job.destination}`, inner.width - 1),
        ...(job.reason ? wrapLine(`${job.state === 'failed' ? 'why: ' : ''}${job.reason}`, inner.width - 1) : []),
        ...(job.remoteTaskId ? [`remote task ${job.remoteTaskId}`] : []),
      ].slice(0, DETAIL_LINES)
    : [];
  return (
    <Pane title="Transfers" info={t.summary || counted(t.jobs.length, 'job')} width={width} height={height}>
      <Text wrap="truncate" {...theme.style('muted')}>
        {'  ' + header}
      </Text>
      <List items={t.jobs} pos={pos} height={listHeight} width={inner.width} keyOf={(j) => String(j.id)} format={format} empty="No transfers yet. Copy images with c in the Browser." />
      <Box flexDirection="column" height={DETAIL_LINES}>
        {detail.map((l, i) => (
          <Text key={i} wrap="truncate" {...(job?.state === 'failed' && i > 0 ? theme.style('error') : theme.style('muted'))}>
            {' ' + l}
          </Text>
        ))}
      </Box>
    </Pane>
  );
}
