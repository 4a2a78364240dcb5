// Home (Remotes): each backend with its login state, the Globus endpoint search, and bookmarks.
// Enter opens the Browser when logged in, else the guided login.
import { Box, Text } from 'ink';
import { movementCommands, useCommands, useStore } from '../app/context.js';
import { listPos, type Move } from '../app/store.js';
import { useTheme, type Role } from '../app/theme.js';
import { List } from '../components/List.js';
import { Pane, paneInner } from '../components/Pane.js';
import { columnWidths, row } from '../components/text.js';
import { counted, truncate } from '../core/format.js';
import { kindOf, useBookmarks, useRemotes, type RemoteRow } from '../hooks/useRemotes.js';
import type { Bookmark } from '../hooks/types.js';

type Item = { type: 'remote'; remote: RemoteRow } | { type: 'search' } | { type: 'bookmark'; bookmark: Bookmark };

function stateWords(r: RemoteRow): { state: string; detail: string; role?: Role } {
  if (r.loading) return { state: 'checking', detail: '' };
  if (r.error) return { state: 'unavailable', detail: r.error, role: 'error' };
  if (r.status?.loggedIn) return { state: `logged in${r.status.who ? ' as ' + r.status.who : ''}`, detail: r.status.detail ?? '', role: 'ok' };
  const detail = r.status?.detail && !r.status.detail.startsWith('not logged in') ? r.status.detail : 'Enter logs in';
  return { state: 'not logged in', detail, role: 'warn' };
}

export function HomeScreen({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  const { state, dispatch } = useStore();
  const remotes = useRemotes(state.epoch.home);
  const { bookmarks } = useBookmarks(state.epoch.home);
  const items: Item[] = [
    ...remotes.map((remote) => ({ type: 'remote' as const, remote })),
    ...(remotes.some((r) => r.kind === 'globus') ? [{ type: 'search' as const }] : []),
    ...bookmarks.map((bookmark) => ({ type: 'bookmark' as const, bookmark })),
  ];
  const inner = paneInner(width, height);
  const listHeight = Math.max(1, inner.height - 2);
  const pos = listPos(state, 'home');
  const selected = items[Math.min(pos.cursor, items.length - 1)];
  const widths = columnWidths(inner.width - 2, [8, { grow: 1, min: 12 }, { grow: 2, min: 16 }]);
  const move = (by: Move) => dispatch({ type: 'move', list: 'home', by, count: items.length, height: listHeight });

  const open = (forceLogin = false) => {
    if (!selected) return;
    if (selected.type === 'search') return dispatch({ type: 'navigate', route: { screen: 'endpoints' } });
    if (selected.type === 'bookmark') {
      const kind = kindOf(selected.bookmark.uri);
      if (!kind) return dispatch({ type: 'message', text: `no backend for ${selected.bookmark.uri}`, level: 'error' });
      return dispatch({ type: 'navigate', route: { screen: 'browser', backend: kind, location: selected.bookmark.uri } });
    }
    const r = selected.remote;
    if (r.error) return dispatch({ type: 'message', text: `${r.title}: ${r.error}`, level: 'error' });
    if (r.loading && !forceLogin) return;
    if (r.status?.loggedIn && !forceLogin) return dispatch({ type: 'navigate', route: { screen: 'browser', backend: r.kind } });
    dispatch({ type: 'navigate', route: { screen: 'auth', backend: r.kind } });
  };
  useCommands({
    ...movementCommands(move),
    open: () => open(),
    login: () => selected?.type === 'remote' && open(true),
    refresh: () => dispatch({ type: 'refresh', what: 'home' }),
    'endpoint-search': () => dispatch({ type: 'navigate', route: { screen: 'endpoints' } }),
    'remove-bookmark': () =>
      selected?.type === 'bookmark' &&
      dispatch({
        type: 'dialog',
        dialog: { kind: 'confirm', dangerous: true, title: `Remove the bookmark "${selected.bookmark.label}"?`, lines: [selected.bookmark.uri], action: { kind: 'remove-bookmark', uri: selected.bookmark.uri } },
      }),
  });

  const format = (item: Item): { text: string; role?: Role } => {
    if (item.type === 'search') return { text: row(['search', 'Globus endpoints', 'find endpoints by name, owner or scope'], widths, theme.ascii) };
    if (item.type === 'bookmark') return { text: row(['bookmark', item.bookmark.label, item.bookmark.uri], widths, theme.ascii) };
    const s = stateWords(item.remote);
    const mark = item.remote.status?.loggedIn ? theme.glyph.ok + ' ' : '';
    return { text: row(['remote', item.remote.title, `${mark}${s.state}${s.detail ? ` ${theme.glyph.sep} ${s.detail}` : ''}`], widths, theme.ascii), role: s.role };
  };
  const keyOf = (item: Item) => (item.type === 'remote' ? item.remote.kind : item.type === 'search' ? 'search' : 'bm:' + item.bookmark.uri);
  return (
    <Pane title="Remotes" info={bookmarks.length ? counted(bookmarks.length, 'bookmark') : undefined} width={width} height={height}>
      <List items={items} pos={pos} height={listHeight} width={inner.width} keyOf={keyOf} format={format} />
      <Box flexDirection="column">
        <Text wrap="truncate" {...theme.style('muted')}>
          {truncate(' ' + (bookmarks.length ? '' : 'No bookmarks yet: press b in the Browser to keep a folder here.'), inner.width, theme.ascii)}
        </Text>
      </Box>
    </Pane>
  );
}
