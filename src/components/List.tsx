// A windowed list, written by hand: Ink has none, and ink-select-input renders every item, which is
// far too slow for a 100,000-entry remote folder. Only the rows in view are formatted and rendered;
// each row is a memoised one-line <Text>, so moving the cursor re-renders two rows, not the list.
import { Box, Text } from 'ink';
import { memo } from 'react';
import { visibleTop, type ListPos } from '../app/store.js';
import { useTheme, type Role } from '../app/theme.js';
import { truncate } from '../core/format.js';
import { fit } from './text.js';

export interface ListProps<T> {
  items: readonly T[];
  pos: ListPos;
  height: number;
  width: number;
  keyOf: (item: T) => string;
  /** One line for an item, in `width` columns (the two gutter columns are the List's). */
  format: (item: T, width: number) => { text: string; role?: Role };
  marks?: readonly string[];
  /** An unfocused list shows where its cursor is, without inverse video. */
  focused?: boolean;
  empty?: string;
}

interface RowProps {
  text: string;
  role?: Role;
  selected: boolean;
  focused: boolean;
  marked: boolean;
}

const Row = memo(function Row({ text, role, selected, focused, marked }: RowProps) {
  const theme = useTheme();
  const g = theme.glyph;
  const gutter = (selected ? g.pointer : ' ') + (marked ? g.mark : ' ');
  const style = selected && focused ? theme.selected : role ? theme.style(role) : {};
  return (
    <Text wrap="truncate" {...style}>
      {gutter}
      {text}
    </Text>
  );
});

export function List<T>({ items, pos, height, width, keyOf, format, marks, focused = true, empty }: ListProps<T>) {
  const theme = useTheme();
  const h = Math.max(1, height);
  const cursor = Math.min(pos.cursor, Math.max(0, items.length - 1));
  const top = visibleTop({ cursor, top: pos.top }, items.length, h);
  const visible = items.slice(top, top + h);
  const inner = Math.max(1, width - 2);
  const marked = new Set(marks ?? []);
  return (
    <Box flexDirection="column" width={width} height={h} overflow="hidden">
      {items.length === 0 && empty ? (
        <Text wrap="truncate" {...theme.style('muted')}>
          {truncate('  ' + empty, width, theme.ascii)}
        </Text>
      ) : null}
      {visible.map((item, i) => {
        const key = keyOf(item);
        const { text, role } = format(item, inner);
        return <Row key={key} text={fit(text, inner, theme.ascii)} role={role} selected={top + i === cursor} focused={focused} marked={marked.has(key)} />;
      })}
    </Box>
  );
}
