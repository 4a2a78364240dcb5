// Browser: two panes, as in Midnight Commander and the Tunel web UI. The remote on the left (breadcrumb,
// folders, images highlighted), the local library on the right; Tab switches, Space marks, c copies the
// marked images to the other side after a confirmation that shows source, destination and count.
import { Box, Text } from 'ink';
import { useEffect, useMemo } from 'react';
import { useStore } from '../app/context.js';
import { input, listPos, type Move } from '../app/store.js';
import { useTheme } from '../app/theme.js';
import { List } from '../components/List.js';
import { Pane, paneInner } from '../components/Pane.js';
import { columnWidths, row } from '../components/text.js';
import { TextField } from '../components/TextField.js';
import { counted, formatBytes, formatDate } from '../core/format.js';
import { useLibrary } from '../hooks/useLibrary.js';
import { useListing } from '../hooks/useListing.js';
import { useBookmarks } from '../hooks/useRemotes.js';
import type { ImageRecord, RemoteEntry } from '../hooks/types.js';
import { useBrowserCommands } from './browserCommands.js';
import { imageName } from './Library.js';

export interface BrowserProps {
  backend: string;
  location?: string;
  width: number;
  height: number;
}

export function BrowserScreen({ backend, location, width, height }: BrowserProps) {
  const theme = useTheme();
  const { state, dispatch } = useStore();
  const view = useListing(backend, location, { showHidden: state.showHidden, epoch: state.epoch.listing });
  const lib = useLibrary('', state.epoch.library);
  const { add: addBookmark } = useBookmarks(state.epoch.home);
  const filter = input(state, 'browser.remote').toLowerCase();
  const typing = state.typing === 'browser.remote';
  const all = view.listing?.entries;
  const entries = useMemo(() => (all ?? []).filter((e) => !filter || e.name.toLowerCase().includes(filter)), [all, filter]);

  const leftW = Math.floor(width * 0.56);
  const rightW = width - leftW;
  const left = paneInner(leftW, height);
  const right = paneInner(rightW, height);
  const showField = typing || filter !== '';
  const remoteRows = Math.max(1, left.height - (showField ? 1 : 0));
  const remotePos = listPos(state, 'browser.remote');
  const localPos = listPos(state, 'browser.local');
  const remote = { entries, pos: remotePos, height: remoteRows, marks: state.marks['browser.remote'] ?? [] };
  const local = { images: lib.images, pos: localPos, height: right.height, marks: state.marks['browser.local'] ?? [] };

  // Coming up from a folder, the cursor lands on that folder.
  useEffect(() => {
    if (!state.select || !all) return;
    const strip = (l: string) => l.replace(/\/+$/, '');
    const index = entries.findIndex((e) => strip(e.location) === strip(state.select!));
    dispatch({ type: 'selected', list: 'browser.remote', index, count: entries.length, height: remoteRows });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [all]);

  useBrowserCommands({ backend, view, remote, local, addBookmark, location: view.listing?.location ?? location });

  // Dates take 16 columns, 10 when narrower, none in a very narrow pane.
  const wide = left.width >= 56;
  const dated = left.width >= 40;
  const rw = columnWidths(left.width - 2, dated ? [{ grow: 1, min: 10 }, 8, wide ? 16 : 10] : [{ grow: 1, min: 10 }, 8]);
  const lw = columnWidths(right.width - 2, [{ grow: 1, min: 10 }, 8]);
  const g = theme.glyph;
  const formatRemote = (e: RemoteEntry) => ({
    text: row(
      [e.kind === 'dir' ? `${e.name}/` : e.isImage ? `${e.name} ${g.image}` : e.name, e.kind === 'dir' ? '' : formatBytes(e.size), ...(dated ? [formatDate(e.modified).slice(0, wide ? 16 : 10)] : [])],
      rw,
      theme.ascii,
      [1],
    ),
    role: e.kind === 'dir' ? ('dir' as const) : e.isImage ? ('image' as const) : undefined,
  });
  const formatLocal = (i: ImageRecord) => ({ text: row([imageName(i), formatBytes(i.size)], lw, theme.ascii, [1]) });

  const err = view.error;
  const remoteInfo = view.loading ? 'loading' : err ? 'error' : filter ? `${entries.length} of ${view.listing?.entries.length ?? 0}` : counted(entries.length, 'entry', 'entries');
  const remoteTitle = view.listing?.breadcrumb ?? `${view.title} ${location ?? ''}`.trim();
  return (
    <Box width={width} height={height}>
      <Pane title={remoteTitle} info={remoteInfo} keepEnd width={leftW} height={height} focused={state.pane === 'remote'}>
        {showField ? <TextField label="/" value={input(state, 'browser.remote')} width={left.width} focused={typing} /> : null}
        {err ? (
          <Box flexDirection="column" paddingX={1}>
            <Text wrap="wrap" {...theme.style('error')}>
              error: {err.message}
            </Text>
            <Text wrap="wrap" {...theme.style('muted')}>
              {err.kind === 'consent-required' || err.kind === 'auth-required' ? 'Enter logs in again; Esc goes back.' : 'r tries again; Esc goes back.'}
            </Text>
          </Box>
        ) : (
          <List
            items={entries}
            pos={remotePos}
            height={remoteRows}
            width={left.width}
            keyOf={(e) => e.location}
            format={formatRemote}
            marks={remote.marks}
            focused={state.pane === 'remote'}
            empty={view.loading ? 'loading...' : filter ? `nothing matches "${filter}"` : 'this folder is empty'}
          />
        )}
      </Pane>
      <Pane title="Library" info={counted(lib.images.length, 'image')} width={rightW} height={height} focused={state.pane === 'local'}>
        <List
          items={lib.images}
          pos={localPos}
          height={right.height}
          width={right.width}
          keyOf={(i) => String(i.id)}
          format={formatLocal}
          marks={local.marks}
          focused={state.pane === 'local'}
          empty="no local images"
        />
      </Pane>
    </Box>
  );
}

export type { Move };
