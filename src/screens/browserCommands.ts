// The Browser's keys: moving in the focused pane, folders, marks, and the copy / delete / share /
// bookmark questions. Planning a copy asks the backend first, so the confirmation can show exactly
// what will go where; nothing is queued until the user says yes.
import { movementCommands, useCommands, useStore } from '../app/context.js';
import type { ListPos, Move } from '../app/store.js';
import { messageOf } from '../core/errors.js';
import { toListingError, type ListingView } from '../hooks/useListing.js';
import { useRemoteActions } from '../hooks/useRemoteActions.js';
import type { Bookmark, ImageRecord, RemoteEntry } from '../hooks/types.js';
import { imageName, imageRef } from './Library.js';
import { counted } from '../core/format.js';

interface PaneData {
  pos: ListPos;
  height: number;
  marks: string[];
}

export interface BrowserData {
  backend: string;
  location?: string;
  view: ListingView;
  remote: PaneData & { entries: RemoteEntry[] };
  local: PaneData & { images: ImageRecord[] };
  addBookmark(b: Bookmark): boolean;
}

function picked<T>(items: T[], pos: ListPos, marks: string[], keyOf: (t: T) => string): T[] {
  if (marks.length) return items.filter((i) => marks.includes(keyOf(i)));
  const current = items[Math.min(pos.cursor, items.length - 1)];
  return current ? [current] : [];
}


export function useBrowserCommands(d: BrowserData): void {
  const { state, dispatch } = useStore();
  const actions = useRemoteActions();
  const onRemote = state.pane === 'remote';
  const list = onRemote ? 'browser.remote' : 'browser.local';
  const count = onRemote ? d.remote.entries.length : d.local.images.length;
  const height = onRemote ? d.remote.height : d.local.height;
  const cur = onRemote ? d.remote.entries[Math.min(d.remote.pos.cursor, count - 1)] : undefined;
  const curImage = onRemote ? undefined : d.local.images[Math.min(d.local.pos.cursor, count - 1)];
  const title = d.view.title;
  const where = d.view.listing?.breadcrumb ?? title;
  const move = (by: Move) => dispatch({ type: 'move', list, by, count, height });

  const fail = (e: unknown) => {
    const err = toListingError(e);
    if (err.kind === 'consent-required' || err.kind === 'auth-required') {
      dispatch({ type: 'navigate', route: { screen: 'auth', backend: d.backend, scopes: err.scopes, reason: err.message, returnTo: 'back' } });
    } else dispatch({ type: 'message', text: messageOf(e), level: 'error' });
  };

  const copy = async () => {
    if (onRemote) {
      const chosen = picked(d.remote.entries, d.remote.pos, d.remote.marks, (e) => e.location).filter((e) => e.isImage);
      if (!chosen.length) return dispatch({ type: 'message', text: 'mark image files (.sif, .simg, .img) to copy them to the library', level: 'error' });
      dispatch({ type: 'busy', text: 'planning the copy' });
      const plan = await actions.planPulls(d.backend, chosen);
      dispatch({ type: 'busy' });
      dispatch({
        type: 'dialog',
        dialog: { kind: 'confirm', title: `Copy ${counted(chosen.length, 'image')} to the local library?`, lines: [`from: ${where}`, 'to:   the local library', ...plan.lines], action: { kind: 'enqueue', jobs: plan.jobs, clearMarks: 'browser.remote' } },
      });
    } else {
      const chosen = picked(d.local.images, d.local.pos, d.local.marks, (i) => String(i.id));
      if (!chosen.length) return dispatch({ type: 'message', text: 'the library is empty', level: 'error' });
      if (!d.location) return dispatch({ type: 'message', text: 'open a remote folder first', level: 'error' });
      dispatch({ type: 'busy', text: 'planning the copy' });
      const plan = await actions.planPushes(d.backend, d.location, chosen, d.view.listing?.entries);
      dispatch({ type: 'busy' });
      dispatch({
        type: 'dialog',
        dialog: { kind: 'confirm', title: `Copy ${counted(chosen.length, 'image')} to ${title}?`, lines: ['from: the local library', `to:   ${where}`, ...plan.lines], action: { kind: 'enqueue', jobs: plan.jobs, clearMarks: 'browser.local' } },
      });
    }
  };

  const remove = () => {
    if (onRemote) {
      if (!d.view.canRemove) return dispatch({ type: 'message', text: `${title} cannot delete from sreg`, level: 'error' });
      const chosen = picked(d.remote.entries, d.remote.pos, d.remote.marks, (e) => e.location);
      if (!chosen.length) return;
      dispatch({
        type: 'dialog',
        dialog: {
          kind: 'confirm', dangerous: true, title: `Delete ${counted(chosen.length, 'item')} on ${title}?`,
          lines: [`in: ${where}`, ...chosen.map((e) => `  ${e.name}${e.kind === 'dir' ? '/ (and everything in it)' : ''}`), 'This cannot be undone.'],
          action: { kind: 'remote-remove', backend: d.backend, locations: chosen.map((e) => e.location) },
        },
      });
    } else if (curImage) {
      dispatch({
        type: 'dialog',
        dialog: { kind: 'confirm', dangerous: true, title: `Delete ${imageName(curImage)} from the library?`, lines: [`file: ${curImage.image ?? '(none)'}`, 'This cannot be undone.'], action: { kind: 'delete-image', uri: imageRef(curImage) } },
      });
    }
  };

  useCommands({
    ...movementCommands(move),
    'switch-pane': () => dispatch({ type: 'pane' }),
    filter: () => {
      dispatch({ type: 'pane', pane: 'remote' });
      dispatch({ type: 'type-start', field: 'browser.remote' });
    },
    refresh: () => dispatch({ type: 'refresh', what: 'listing' }),
    hidden: () => dispatch({ type: 'toggle', flag: 'showHidden' }),
    open: () => {
      const err = d.view.error;
      if (onRemote && err && (err.kind === 'consent-required' || err.kind === 'auth-required')) {
        return dispatch({ type: 'navigate', route: { screen: 'auth', backend: d.backend, scopes: err.scopes, reason: err.message, returnTo: 'back' } });
      }
      if (cur?.kind === 'dir') return dispatch({ type: 'browse', location: cur.location });
      if (cur?.isImage) return dispatch({ type: 'message', text: `c copies ${cur.name} to the library` });
      if (curImage) dispatch({ type: 'navigate', route: { screen: 'inspect', uri: imageRef(curImage) } });
    },
    parent: () => {
      const parent = d.view.listing?.parent;
      if (onRemote && parent !== undefined) dispatch({ type: 'browse', location: parent, select: d.view.listing?.location });
    },
    mark: () => {
      const key = onRemote ? cur?.location : curImage ? String(curImage.id) : undefined;
      if (!key) return;
      dispatch({ type: 'mark', list, key });
      move(1);
    },
    copy: () => void copy().catch((e) => {
      dispatch({ type: 'busy' });
      fail(e);
    }),
    delete: remove,
    share: () => {
      if (!onRemote || !cur || cur.kind !== 'file') return dispatch({ type: 'message', text: 'select a remote file to share', level: 'error' });
      if (!d.view.canShare) return dispatch({ type: 'message', text: `${title} has no share links`, level: 'error' });
      dispatch({ type: 'busy', text: 'creating a link' });
      actions.share(d.backend, cur.location).then(
        (url) => {
          dispatch({ type: 'busy' });
          dispatch({ type: 'dialog', dialog: { kind: 'notice', title: `Link to ${cur.name}`, lines: [url] } });
        },
        (e) => {
          dispatch({ type: 'busy' });
          fail(e);
        },
      );
    },
    bookmark: () => {
      const l = d.view.listing;
      if (!l) return;
      const added = d.addBookmark({ label: l.breadcrumb, uri: l.location });
      dispatch({ type: 'message', text: added ? `bookmarked ${l.breadcrumb} (listed under Remotes)` : 'already bookmarked' });
    },
    mkdir: () => {
      const l = d.view.listing;
      if (!l || !d.view.canMkdir) return dispatch({ type: 'message', text: `${title} cannot make folders here`, level: 'error' });
      dispatch({ type: 'dialog', dialog: { kind: 'prompt', title: `New folder in ${l.breadcrumb}`, lines: [], action: { kind: 'mkdir', backend: d.backend, parent: l.location } } });
    },
    'endpoint-search': () =>
      d.backend === 'globus' ? dispatch({ type: 'navigate', route: { screen: 'endpoints' } }) : dispatch({ type: 'message', text: 'endpoint search is for Globus', level: 'error' }),
  });
}
