// Help: every key, generated from the keymap (the same text as docs/keys.md), scrollable.
import { Box, Text } from 'ink';
import { useMemo } from 'react';
import { movementCommands, useCommands, useStore } from '../app/context.js';
import { helpLines } from '../app/keydocs.js';
import { listPos, type Move } from '../app/store.js';
import { useTheme } from '../app/theme.js';
import { Pane, paneInner } from '../components/Pane.js';

export function HelpScreen({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  const { state, dispatch } = useStore();
  const inner = paneInner(width, height);
  const lines = useMemo(() => helpLines(inner.width - 1, theme.ascii), [inner.width, theme.ascii]);
  const pos = listPos(state, 'help');
  const top = Math.min(pos.top, Math.max(0, lines.length - inner.height));
  const scroll = (by: Move) => dispatch({ type: 'scroll', list: 'help', by, count: lines.length, height: inner.height });
  useCommands({
    ...movementCommands(scroll),
  });
  const end = Math.min(lines.length, top + inner.height);
  return (
    <Pane title="Help: keys" info={`${top + 1}-${end} of ${lines.length}`} width={width} height={height}>
      <Box flexDirection="column" height={inner.height} overflow="hidden">
        {lines.slice(top, end).map((l, i) => (
          <Text key={top + i} wrap="truncate" {...(l.heading ? theme.style('title') : {})}>
            {' ' + l.text}
          </Text>
        ))}
      </Box>
    </Pane>
  );
}
