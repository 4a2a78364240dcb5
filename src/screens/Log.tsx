// Log: the latest lines of sreg's request and transfer log (secrets already redacted), newest last.
import { Box, Text } from 'ink';
import { useEffect } from 'react';
import { movementCommands, useCommands, useStore } from '../app/context.js';
import { listPos, type Move } from '../app/store.js';
import { useTheme } from '../app/theme.js';
import { Pane, paneInner } from '../components/Pane.js';
import { truncate } from '../core/format.js';
import { useLog } from '../hooks/useLog.js';

export function LogScreen({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  const { state, dispatch } = useStore();
  const lines = useLog(state.epoch.log);
  const inner = paneInner(width, height);
  const pos = listPos(state, 'log');
  const scroll = (by: Move) => dispatch({ type: 'scroll', list: 'log', by, count: lines.length, height: inner.height });
  // Start at the newest lines.
  useEffect(() => scroll('bottom'), []); // eslint-disable-line react-hooks/exhaustive-deps
  useCommands({
    ...movementCommands(scroll),
    refresh: () => dispatch({ type: 'refresh', what: 'log' }),
  });
  const top = Math.min(pos.top, Math.max(0, lines.length - inner.height));
  const end = Math.min(lines.length, top + inner.height);
  return (
    <Pane title="Log" info={lines.length ? `${top + 1}-${end} of ${lines.length}` : undefined} width={width} height={height}>
      <Box flexDirection="column" height={inner.height} overflow="hidden">
        {lines.length === 0 ? <Text {...theme.style('muted')}> Nothing logged yet.</Text> : null}
        {lines.slice(top, end).map((l, i) => (
          <Text key={top + i} wrap="truncate" {...(/ (failed|error)/i.test(l) ? theme.style('error') : {})}>
            {truncate(' ' + l, inner.width, theme.ascii)}
          </Text>
        ))}
      </Box>
    </Pane>
  );
}
