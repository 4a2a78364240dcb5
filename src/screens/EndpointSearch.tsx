// EndpointSearch (Globus): type to search (results follow as you type, 250 ms after the last key), Tab
// changes the scope, Enter opens the endpoint in the Browser. Rows: name, owner, connected, GCS, id.
import { Box, Text } from 'ink';
import { movementCommands, useCommands, useStore } from '../app/context.js';
import { input, listPos, type Move } from '../app/store.js';
import { useTheme } from '../app/theme.js';
import { List } from '../components/List.js';
import { Pane, paneInner } from '../components/Pane.js';
import { columnWidths, row } from '../components/text.js';
import { TextField } from '../components/TextField.js';
import { SEARCH_SCOPES, useEndpointSearch } from '../hooks/useEndpointSearch.js';
import type { SearchHit } from '../hooks/types.js';
import { counted } from '../core/format.js';

const field = (h: SearchHit, key: string): unknown => h.fields?.[key];

export function connectedWord(h: SearchHit): string {
  const c = field(h, 'connected');
  return c === true ? 'online' : c === false ? 'offline' : '-';
}

export function EndpointSearchScreen({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  const { state, dispatch } = useStore();
  const query = input(state, 'endpoints');
  const chosen = SEARCH_SCOPES[state.endpointScope % SEARCH_SCOPES.length]!;
  // Globus's default scope searches everything once there are words to look for.
  const scope = !chosen.id && query.trim() ? { ...chosen, label: 'all endpoints' } : chosen;
  const search = useEndpointSearch(query, scope.id);
  const inner = paneInner(width, height);
  const listHeight = Math.max(1, inner.height - 4);
  const pos = listPos(state, 'endpoints');
  const hits = search.hits;
  const selected = hits[Math.min(pos.cursor, hits.length - 1)];
  const move = (by: Move) => dispatch({ type: 'move', list: 'endpoints', by, count: hits.length, height: listHeight });
  useCommands({
    ...movementCommands(move),
    'scope-next': () => dispatch({ type: 'scope-next', count: SEARCH_SCOPES.length }),
    open: () => selected && dispatch({ type: 'navigate', route: { screen: 'browser', backend: 'globus', location: selected.location } }),
  });
  const w = inner.width - 2;
  const widths = columnWidths(w, [{ grow: 3, min: 16 }, { grow: 1, min: 12 }, 7, 14, 8]);
  const header = row(['NAME', 'OWNER', 'STATUS', 'GCS', 'ID'], widths, theme.ascii);
  const format = (h: SearchHit) => ({
    text: row([h.title, String(field(h, 'owner') ?? '-'), connectedWord(h), String(field(h, 'gcs') ?? field(h, 'gcsVersion') ?? '-'), String(field(h, 'id') ?? '').slice(0, 8)], widths, theme.ascii),
    role: field(h, 'connected') === false ? ('muted' as const) : undefined,
  });
  const status = search.error ? `error: ${search.error}` : search.loading ? 'searching...' : `${counted(hits.length, 'endpoint')} (${scope.label})`;
  return (
    <Pane title="Globus endpoints" info={`scope: ${scope.label}`} width={width} height={height}>
      <TextField label="Search:" value={query} width={inner.width} focused placeholder="name, owner or description" />
      <Text wrap="truncate" {...theme.style(search.error ? 'error' : 'muted')}>
        {' ' + status}
      </Text>
      <Text wrap="truncate" {...theme.style('muted')}>
        {'  ' + header}
      </Text>
      <List items={hits} pos={pos} height={listHeight} width={inner.width} keyOf={(h) => h.location} format={format} empty={search.loading ? '' : 'no endpoints found'} />
      <Box>
        <Text wrap="truncate" {...theme.style('muted')}>
          {selected ? ` id ${String(field(selected, 'id') ?? selected.location)}` : ' '}
        </Text>
      </Box>
    </Pane>
  );
}
