// All TUI state in one pure reducer: where we are (a stack of routes), list cursors and scroll
// offsets, text fields, marks, the open dialog (dialogs are states, not components with state) and the
// status message. Data itself (images, listings, jobs) lives in hooks; this holds only what the user did.
import type { ScreenName } from './keymap.js';
import type { NewTransfer } from '../hooks/types.js';

export type Route =
  | { screen: 'library' }
  | { screen: 'inspect'; uri: string }
  | { screen: 'help'; from: ScreenName }
  | { screen: 'log' }
  | { screen: 'home' }
  | { screen: 'auth'; backend: string; scopes?: string[]; reason?: string; returnTo?: 'browser' | 'back' }
  | { screen: 'browser'; backend: string; location?: string }
  | { screen: 'transfers' }
  | { screen: 'endpoints' };

export interface ListPos {
  cursor: number;
  /** First visible row. */
  top: number;
}

/** What a confirmed dialog does; plain data, carried out by useActions. */
export type PendingAction =
  | { kind: 'delete-image'; uri: string }
  | { kind: 'enqueue'; jobs: NewTransfer[]; clearMarks?: string }
  | { kind: 'remote-remove'; backend: string; locations: string[] }
  | { kind: 'remove-bookmark'; uri: string }
  /** A prompt's answer is appended: the folder name. */
  | { kind: 'mkdir'; backend: string; parent: string; name?: string }
  | { kind: 'quit' };

export interface Dialog {
  /** confirm: yes/no; notice: something to read (a share link); prompt: a line of text, then yes/no. */
  kind: 'confirm' | 'notice' | 'prompt';
  title: string;
  lines: string[];
  action?: PendingAction;
  dangerous?: boolean;
}

export interface Message {
  text: string;
  level: 'info' | 'error';
}

export interface State {
  stack: Route[];
  lists: Record<string, ListPos>;
  /** Text fields by id; a field that filters a list has the list's id. */
  inputs: Record<string, string>;
  /** The field that has the keyboard. */
  typing?: string;
  marks: Record<string, string[]>;
  dialog?: Dialog;
  message?: Message;
  busy?: string;
  pane: 'remote' | 'local';
  showHidden: boolean;
  qr: boolean;
  tokenMode: boolean;
  endpointScope: number;
  /** Bumped to make a hook reload: library, listing, log, home. */
  epoch: Record<string, number>;
  /** After going up a folder: the entry to put the cursor on once the listing arrives. */
  select?: string;
}

export type Move = number | 'top' | 'bottom' | 'page-up' | 'page-down';

export type Action =
  | { type: 'navigate'; route: Route }
  | { type: 'replace'; route: Route }
  | { type: 'go'; route: Route }
  | { type: 'back' }
  | { type: 'browse'; location: string; select?: string }
  | { type: 'selected'; list: string; index: number; count: number; height: number }
  | { type: 'move'; list: string; by: Move; count: number; height: number }
  | { type: 'scroll'; list: string; by: Move; count: number; height: number }
  | { type: 'set-cursor'; list: string; cursor: number }
  | { type: 'type-start'; field: string }
  | { type: 'type-stop'; clear?: boolean }
  | { type: 'text-set'; field: string; value: string }
  | { type: 'text-append'; text: string }
  | { type: 'text-delete' }
  | { type: 'mark'; list: string; key: string }
  | { type: 'marks-clear'; list: string }
  | { type: 'dialog'; dialog?: Dialog }
  | { type: 'message'; text: string; level?: Message['level'] }
  | { type: 'clear-message' }
  | { type: 'busy'; text?: string }
  | { type: 'pane'; pane?: State['pane'] }
  | { type: 'toggle'; flag: 'showHidden' | 'qr' | 'tokenMode' }
  | { type: 'scope-next'; count: number }
  | { type: 'refresh'; what: string };

/** Fields that have the keyboard as long as their screen is shown. */
const ALWAYS_TYPING: Partial<Record<ScreenName, string>> = { auth: 'auth', endpoints: 'endpoints' };

export function initialState(route: Route = { screen: 'library' }): State {
  return { stack: [route], typing: ALWAYS_TYPING[route.screen], lists: {}, inputs: {}, marks: {}, pane: 'remote', showHidden: false, qr: false, tokenMode: false, endpointScope: 0, epoch: {} };
}

export const currentRoute = (s: State): Route => s.stack[s.stack.length - 1]!;
export const listPos = (s: State, list: string): ListPos => s.lists[list] ?? { cursor: 0, top: 0 };
export const input = (s: State, field: string): string => s.inputs[field] ?? '';

/** The first visible row that keeps the cursor on screen; also used at render time after a resize. */
export function visibleTop(pos: ListPos, count: number, height: number): number {
  const h = Math.max(1, height);
  let top = Math.min(pos.top, Math.max(0, count - h));
  if (pos.cursor < top) top = pos.cursor;
  if (pos.cursor >= top + h) top = pos.cursor - h + 1;
  return Math.max(0, top);
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

function step(from: number, by: Move, count: number, page: number): number {
  if (by === 'top') return 0;
  if (by === 'bottom') return count - 1;
  if (by === 'page-up') return from - page;
  if (by === 'page-down') return from + page;
  return from + by;
}

export function moveList(pos: ListPos, by: Move, count: number, height: number): ListPos {
  if (count <= 0) return { cursor: 0, top: 0 };
  const cursor = clamp(step(pos.cursor, by, count, Math.max(1, height - 1)), 0, count - 1);
  return { cursor, top: visibleTop({ cursor, top: pos.top }, count, height) };
}

/** Text views have no cursor: the top line moves, and stops when the last line is at the bottom. */
export function scrollText(pos: ListPos, by: Move, count: number, height: number): ListPos {
  const max = Math.max(0, count - height);
  const top = by === 'bottom' ? max : clamp(step(pos.top, by, count, Math.max(1, height - 1)), 0, max);
  return { cursor: top, top };
}

/**
 * Makes `stack` current. A screen entered afresh starts at its top with nothing marked or typed; one
 * come back to (Esc from Help, Log or Inspect) is as it was left.
 */
function enter(s: State, stack: Route[], fresh = true): State {
  const top = stack[stack.length - 1]!;
  const field = ALWAYS_TYPING[top.screen];
  const next: State = { ...s, stack, dialog: undefined, typing: field };
  if (!fresh) return next;
  if (top.screen === 'browser') {
    return { ...next, lists: { ...s.lists, 'browser.remote': { cursor: 0, top: 0 } }, marks: { ...s.marks, 'browser.remote': [] }, inputs: { ...s.inputs, 'browser.remote': '' } };
  }
  if (top.screen === 'auth') return { ...next, inputs: { ...s.inputs, auth: '' }, tokenMode: false };
  if (top.screen === 'inspect' || top.screen === 'help' || top.screen === 'log') return { ...next, lists: { ...s.lists, [top.screen]: { cursor: 0, top: 0 } } };
  return next;
}

function setText(s: State, field: string, value: string): State {
  if (input(s, field) === value) return s;
  return { ...s, inputs: { ...s.inputs, [field]: value }, lists: { ...s.lists, [field]: { cursor: 0, top: 0 } } };
}

export function reducer(s: State, a: Action): State {
  switch (a.type) {
    case 'navigate':
      return enter(s, [...s.stack, a.route]);
    case 'replace':
      return enter(s, [...s.stack.slice(0, -1), a.route]);
    case 'go': {
      // Tabs sit on top of the start screen, so Esc from any of them goes back there; but a look at
      // Transfers or the Log from the browser is a glance: Esc goes back to the folder as it was.
      const root = s.stack[0]!;
      const glance = currentRoute(s).screen === 'browser' && (a.route.screen === 'transfers' || a.route.screen === 'log');
      if (glance) return enter(s, [...s.stack, a.route]);
      const stack = root.screen === a.route.screen ? [root] : [root, a.route];
      if (stack.length === s.stack.length && currentRoute(s).screen === a.route.screen) return s;
      return enter(s, stack);
    }
    case 'back':
      if (s.stack.length <= 1) return s;
      return enter(s, s.stack.slice(0, -1), false);
    case 'browse': {
      const top = currentRoute(s);
      if (top.screen !== 'browser') return s;
      return { ...enter(s, [...s.stack.slice(0, -1), { ...top, location: a.location }]), select: a.select };
    }
    case 'selected':
      return { ...s, select: undefined, lists: { ...s.lists, [a.list]: moveList({ cursor: 0, top: 0 }, Math.max(0, a.index), a.count, a.height) } };
    case 'move':
      return { ...s, lists: { ...s.lists, [a.list]: moveList(listPos(s, a.list), a.by, a.count, a.height) } };
    case 'scroll':
      return { ...s, lists: { ...s.lists, [a.list]: scrollText(listPos(s, a.list), a.by, a.count, a.height) } };
    case 'set-cursor':
      return { ...s, lists: { ...s.lists, [a.list]: { ...listPos(s, a.list), cursor: Math.max(0, a.cursor) } } };
    case 'type-start':
      return { ...s, typing: a.field };
    case 'type-stop': {
      if (!s.typing) return s;
      const cleared = a.clear ? setText(s, s.typing, '') : s;
      return { ...cleared, typing: undefined };
    }
    case 'text-set':
      return setText(s, a.field, a.value);
    case 'text-append':
      return s.typing ? setText(s, s.typing, input(s, s.typing) + a.text.replace(/[\r\n]+/g, '')) : s;
    case 'text-delete':
      return s.typing ? setText(s, s.typing, [...input(s, s.typing)].slice(0, -1).join('')) : s;
    case 'mark': {
      const marks = s.marks[a.list] ?? [];
      const next = marks.includes(a.key) ? marks.filter((k) => k !== a.key) : [...marks, a.key];
      return { ...s, marks: { ...s.marks, [a.list]: next } };
    }
    case 'marks-clear':
      return { ...s, marks: { ...s.marks, [a.list]: [] } };
    case 'dialog': {
      // A prompt has the keyboard while it is open; closing it gives the keyboard back.
      if (a.dialog?.kind === 'prompt') return { ...s, dialog: a.dialog, typing: 'prompt', inputs: { ...s.inputs, prompt: '' } };
      return { ...s, dialog: a.dialog, typing: s.typing === 'prompt' ? ALWAYS_TYPING[currentRoute(s).screen] : s.typing };
    }
    case 'message':
      return { ...s, message: { text: a.text, level: a.level ?? 'info' }, busy: undefined };
    case 'clear-message':
      return s.message ? { ...s, message: undefined } : s;
    case 'busy':
      return { ...s, busy: a.text };
    case 'pane':
      return { ...s, pane: a.pane ?? (s.pane === 'remote' ? 'local' : 'remote') };
    case 'toggle':
      return { ...s, [a.flag]: !s[a.flag] };
    case 'scope-next':
      return { ...s, endpointScope: (s.endpointScope + 1) % Math.max(1, a.count), lists: { ...s.lists, endpoints: { cursor: 0, top: 0 } } };
    case 'refresh':
      return { ...s, epoch: { ...s.epoch, [a.what]: (s.epoch[a.what] ?? 0) + 1 } };
  }
}
