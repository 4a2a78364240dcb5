// A bordered box with its title in the top edge. The top edge is drawn as text so the title can sit in
// it; the other three edges are Ink's border (classic + - | in ASCII mode).
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useTheme } from '../app/theme.js';
import { truncate } from '../core/format.js';

export interface PaneProps {
  title: string;
  /** Text at the right end of the top edge (counts, position). */
  info?: string;
  /** Paths lose their start rather than their end when the title is too long. */
  keepEnd?: boolean;
  width: number;
  height: number;
  focused?: boolean;
  children?: ReactNode;
}

/** Rows and columns a Pane leaves for its content. */
export const paneInner = (width: number, height: number) => ({ width: Math.max(1, width - 2), height: Math.max(1, height - 2) });

export function Pane({ title, info, keepEnd, width, height, focused = true, children }: PaneProps) {
  const theme = useTheme();
  const [tl, hz, tr] = theme.ascii ? ['+', '-', '+'] : ['╭', '─', '╮'];
  const room = Math.max(0, width - 4);
  // The title has first claim on the edge; the info gets what is left, and at least a third.
  const i = info ? truncate(` ${info} `, Math.max(Math.floor(room / 3), room - title.length - 3), theme.ascii) : '';
  const titleRoom = Math.max(0, room - i.length - 1);
  const t = keepEnd && title.length + 2 > titleRoom ? ` ${theme.ascii ? '~' : '…'}${title.slice(title.length - Math.max(0, titleRoom - 3))} ` : truncate(` ${title} `, titleRoom, theme.ascii);
  const fill = Math.max(0, width - 2 - 1 - t.length - i.length - 1);
  const edge = theme.mono ? {} : { color: focused ? 'cyan' : undefined };
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate">
        <Text {...edge}>{tl + hz}</Text>
        <Text {...(focused ? theme.style('focus') : theme.style('title'))}>{t}</Text>
        <Text {...edge}>{hz.repeat(fill)}</Text>
        <Text {...theme.style('muted')}>{i}</Text>
        <Text {...edge}>{hz + tr}</Text>
      </Text>
      <Box
        borderStyle={theme.border}
        borderTop={false}
        borderColor={theme.mono ? undefined : focused ? 'cyan' : undefined}
        width={width}
        height={Math.max(1, height - 1)}
        flexDirection="column"
        overflow="hidden"
      >
        {children}
      </Box>
    </Box>
  );
}
