// Library: the local images, newest first, with a live filter. Enter inspects, d deletes (asks first).
import { Box, Text } from 'ink';
import { movementCommands, useCommands, useStore } from '../app/context.js';
import { input, listPos, type Move } from '../app/store.js';
import { useTheme } from '../app/theme.js';
import { List } from '../components/List.js';
import { Pane, paneInner } from '../components/Pane.js';
import { columnWidths, row } from '../components/text.js';
import { TextField } from '../components/TextField.js';
import { counted, formatBytes, formatDate } from '../core/format.js';
import { useLibrary } from '../hooks/useLibrary.js';
import type { ImageRecord } from '../hooks/types.js';

export const imageRef = (i: ImageRecord) => `${i.collection}/${i.name}:${i.tag}${i.version ? '@' + i.version : ''}`;
export const imageName = (i: ImageRecord) => `${i.collection}/${i.name}:${i.tag}`;

const COLUMNS = ['COLLECTION', 'NAME', 'TAG', 'SIZE', 'ADDED'];

export function LibraryScreen({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  const { state, dispatch } = useStore();
  const filter = input(state, 'library');
  const typing = state.typing === 'library';
  const lib = useLibrary(filter, state.epoch.library);
  const inner = paneInner(width, height);
  const showField = typing || filter !== '';
  const listHeight = Math.max(1, inner.height - 1 - (showField ? 1 : 0));
  const pos = listPos(state, 'library');
  const selected = lib.images[Math.min(pos.cursor, lib.images.length - 1)];
  // Narrow terminals drop the time of day and shrink the tag column.
  const narrow = inner.width < 72;
  const widths = columnWidths(inner.width - 2, [{ grow: 1, min: 10 }, { grow: 3, min: 12 }, narrow ? 8 : 12, 8, narrow ? 10 : 16]);

  const move = (by: Move) => dispatch({ type: 'move', list: 'library', by, count: lib.images.length, height: listHeight });
  useCommands({
    ...movementCommands(move),
    filter: () => dispatch({ type: 'type-start', field: 'library' }),
    'filter-clear': () => dispatch({ type: 'text-set', field: 'library', value: '' }),
    refresh: () => dispatch({ type: 'refresh', what: 'library' }),
    open: () => selected && dispatch({ type: 'navigate', route: { screen: 'inspect', uri: imageRef(selected) } }),
    delete: () =>
      selected &&
      dispatch({
        type: 'dialog',
        dialog: {
          kind: 'confirm',
          dangerous: true,
          title: `Delete ${imageName(selected)}?`,
          lines: [`file: ${selected.image ?? '(none)'}`, 'The file and its library record are removed. This cannot be undone.'],
          action: { kind: 'delete-image', uri: imageRef(selected) },
        },
      }),
  });

  const info = filter ? `${lib.images.length} of ${lib.total}` : counted(lib.total, 'image');
  const empty = lib.error
    ? `error: ${lib.error}`
    : filter
      ? `no image matches "${filter}"`
      : 'The library is empty. Add one: sreg add FILE --name collection/name:tag';
  return (
    <Pane title="Library" info={info} width={width} height={height}>
      {showField ? <TextField label="/" value={filter} width={inner.width} focused={typing} /> : null}
      <Box>
        <Text wrap="truncate" {...theme.style('muted')}>
          {'  ' + row(COLUMNS, widths, theme.ascii, [3])}
        </Text>
      </Box>
      <List
        items={lib.images}
        pos={pos}
        height={listHeight}
        width={inner.width}
        keyOf={(i) => String(i.id)}
        format={(i) => ({ text: row([i.collection, i.name, i.tag, formatBytes(i.size), formatDate(i.createdAt).slice(0, narrow ? 10 : 16)], widths, theme.ascii, [3]) })}
        empty={empty}
      />
    </Pane>
  );
}
