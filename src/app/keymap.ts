// THE key table. Every key sreg reacts to is declared here once, with a command name, a description,
// the screens where it works, whether the footer shows it and whether it is dangerous (asks first).
// The input router, the footer, the help screen and docs/keys.md are all generated from this table.
import type { Key } from 'ink';

export type ScreenName = 'home' | 'library' | 'inspect' | 'help' | 'log' | 'auth' | 'browser' | 'transfers' | 'endpoints';
/** `global`: every screen when not typing; `text`: while a text field has the keyboard; `dialog`: a question is open. */
export type Scope = ScreenName | 'global' | 'text' | 'dialog';

export type Command =
  | 'quit' | 'exit' | 'help' | 'back' | 'go-library' | 'go-home' | 'go-transfers' | 'go-log'
  | 'up' | 'down' | 'page-up' | 'page-down' | 'top' | 'bottom'
  | 'text-accept' | 'text-cancel' | 'text-delete' | 'text-clear'
  | 'confirm' | 'cancel'
  | 'filter' | 'filter-clear' | 'open' | 'delete' | 'refresh'
  | 'login' | 'remove-bookmark'
  | 'submit' | 'qr-toggle' | 'token-mode'
  | 'parent' | 'switch-pane' | 'mark' | 'copy' | 'share' | 'bookmark' | 'hidden' | 'endpoint-search' | 'mkdir'
  | 'cancel-transfer' | 'retry'
  | 'scope-next';

export interface Binding {
  command: Command;
  /** 'q', 'G', '/', 'up', 'down', 'left', 'right', 'pageup', 'pagedown', 'home', 'end', 'enter', 'escape', 'backspace', 'tab', 'space', 'ctrl+x' */
  keys: string[];
  scopes: Scope[];
  description: string;
  /** Short footer label; the footer shows the binding only when this is set. */
  hint?: string;
  /** Changes or removes data: always asks for confirmation first. */
  dangerous?: boolean;
  /** Works while a text field has the keyboard (checked before the text keys). */
  typing?: boolean;
  /** Help section. */
  group: string;
}

const LISTS: ScreenName[] = ['library', 'home', 'browser', 'transfers', 'endpoints', 'inspect', 'help', 'log'];

export const KEYMAP: Binding[] = [
  // General
  { command: 'quit', keys: ['q'], scopes: ['global'], description: 'Quit sreg (transfers in progress resume next time)', hint: 'quit', group: 'General' },
  { command: 'exit', keys: ['ctrl+c'], scopes: ['global', 'text', 'dialog'], description: 'Exit at once, from anywhere, even while typing', group: 'General' },
  { command: 'help', keys: ['?'], scopes: ['global'], description: 'Show this help', hint: 'help', group: 'General' },
  { command: 'go-library', keys: ['1'], scopes: ['global'], description: 'Go to the local library', group: 'General' },
  { command: 'go-home', keys: ['2', 'H'], scopes: ['global'], description: 'Go to remotes and bookmarks (Home)', group: 'General' },
  { command: 'go-transfers', keys: ['3', 't'], scopes: ['global'], description: 'Go to transfers', group: 'General' },
  { command: 'go-log', keys: ['4', 'L'], scopes: ['global'], description: 'Show the latest log lines', group: 'General' },
  { command: 'back', keys: ['escape', 'backspace'], scopes: ['inspect', 'help', 'log', 'home', 'transfers'], description: 'Go back to the previous screen', hint: 'back', group: 'General' },
  { command: 'back', keys: ['escape'], scopes: ['browser'], description: 'Leave the browser', hint: 'back', group: 'General' },
  { command: 'back', keys: ['escape'], scopes: ['auth', 'endpoints'], typing: true, description: 'Leave this screen', hint: 'back', group: 'General' },

  // Moving
  { command: 'up', keys: ['up', 'k'], scopes: LISTS, description: 'Move up (scroll up in text views)', hint: 'move', group: 'Moving' },
  { command: 'down', keys: ['down', 'j'], scopes: LISTS, description: 'Move down (scroll down in text views)', group: 'Moving' },
  { command: 'page-up', keys: ['pageup', 'ctrl+b'], scopes: LISTS, description: 'One page up', group: 'Moving' },
  { command: 'page-down', keys: ['pagedown', 'ctrl+f'], scopes: LISTS, description: 'One page down', group: 'Moving' },
  { command: 'top', keys: ['g', 'home'], scopes: LISTS, description: 'Go to the top', group: 'Moving' },
  { command: 'bottom', keys: ['G', 'end'], scopes: LISTS, description: 'Go to the bottom', group: 'Moving' },

  // Typing
  { command: 'text-accept', keys: ['enter'], scopes: ['text'], description: 'Keep what you typed', hint: 'keep', group: 'Typing' },
  { command: 'text-cancel', keys: ['escape'], scopes: ['text'], description: 'Stop typing and clear the field', hint: 'clear', group: 'Typing' },
  { command: 'text-delete', keys: ['backspace'], scopes: ['text'], description: 'Delete the last character', group: 'Typing' },
  { command: 'text-clear', keys: ['ctrl+u'], scopes: ['text'], description: 'Clear the whole field', group: 'Typing' },

  // Dialogs
  { command: 'confirm', keys: ['y', 'enter'], scopes: ['dialog'], description: 'Yes, go ahead (only y when it deletes something)', hint: 'yes', group: 'Questions' },
  { command: 'cancel', keys: ['n', 'escape'], scopes: ['dialog'], description: 'No, leave everything as it is', hint: 'no', group: 'Questions' },

  // Library
  { command: 'filter', keys: ['/'], scopes: ['library', 'browser'], description: 'Filter the list as you type', hint: 'filter', group: 'Library' },
  { command: 'filter-clear', keys: ['escape'], scopes: ['library'], description: 'Clear the filter', group: 'Library' },
  { command: 'open', keys: ['enter', 'right', 'l'], scopes: ['library'], description: 'Inspect the selected image (labels, deffile, runscript, environment)', hint: 'inspect', group: 'Library' },
  { command: 'delete', keys: ['d'], scopes: ['library'], description: 'Delete the selected image and its file', hint: 'delete', dangerous: true, group: 'Library' },
  { command: 'refresh', keys: ['r'], scopes: ['library', 'log', 'home', 'browser'], description: 'Reload from disk or from the remote', group: 'General' },

  // Home
  { command: 'open', keys: ['enter', 'right', 'l'], scopes: ['home'], description: 'Open the selected remote (log in first if needed) or bookmark', hint: 'open', group: 'Remotes' },
  { command: 'login', keys: ['a'], scopes: ['home'], description: 'Log in (again) to the selected remote', hint: 'log in', group: 'Remotes' },
  { command: 'remove-bookmark', keys: ['d'], scopes: ['home'], description: 'Remove the selected bookmark', dangerous: true, group: 'Remotes' },

  // Auth
  { command: 'submit', keys: ['enter'], scopes: ['auth'], typing: true, description: 'Send the pasted code or token', hint: 'send', group: 'Log in' },
  { command: 'qr-toggle', keys: ['tab'], scopes: ['auth'], typing: true, description: 'Show or hide the QR code of the login URL', hint: 'QR code', group: 'Log in' },
  { command: 'token-mode', keys: ['ctrl+t'], scopes: ['auth'], typing: true, description: 'Paste an access token instead of a code (Dropbox; the login screen says so)', group: 'Log in' },

  // Browser
  { command: 'open', keys: ['enter', 'right', 'l'], scopes: ['browser'], description: 'Open the selected folder (or inspect a local image)', hint: 'open', group: 'Browser' },
  { command: 'parent', keys: ['backspace', 'left', 'h'], scopes: ['browser'], description: 'Go up to the parent folder', hint: 'up', group: 'Browser' },
  { command: 'switch-pane', keys: ['tab'], scopes: ['browser'], description: 'Switch between the remote and the local pane', hint: 'pane', group: 'Browser' },
  { command: 'mark', keys: ['space'], scopes: ['browser'], description: 'Mark or unmark the selected entry', hint: 'mark', group: 'Browser' },
  { command: 'copy', keys: ['c'], scopes: ['browser'], description: 'Copy the marked images to the other pane (asks first)', hint: 'copy', group: 'Browser' },
  { command: 'delete', keys: ['d'], scopes: ['browser'], description: 'Delete the marked entries in the focused pane', hint: 'delete', dangerous: true, group: 'Browser' },
  { command: 'share', keys: ['s'], scopes: ['browser'], description: 'Share the selected remote file and show the link', group: 'Browser' },
  { command: 'bookmark', keys: ['b'], scopes: ['browser'], description: 'Bookmark the current remote folder', group: 'Browser' },
  { command: 'mkdir', keys: ['m'], scopes: ['browser'], description: 'Make a folder in the open remote folder', group: 'Browser' },
  { command: 'hidden', keys: ['.'], scopes: ['browser'], description: 'Show or hide hidden files', group: 'Browser' },
  { command: 'endpoint-search', keys: ['e'], scopes: ['browser', 'home'], description: 'Search Globus endpoints', group: 'Browser' },

  // Transfers
  { command: 'cancel-transfer', keys: ['x'], scopes: ['transfers'], description: 'Cancel the selected transfer', hint: 'cancel', group: 'Transfers' },
  { command: 'retry', keys: ['r'], scopes: ['transfers'], description: 'Retry the selected failed or cancelled transfer', hint: 'retry', group: 'Transfers' },

  // Endpoint search
  { command: 'open', keys: ['enter'], scopes: ['endpoints'], typing: true, description: 'Open the selected endpoint in the browser', hint: 'open', group: 'Endpoint search' },
  { command: 'scope-next', keys: ['tab'], scopes: ['endpoints'], typing: true, description: 'Next scope: my endpoints, shared with me, recently used, all', hint: 'scope', group: 'Endpoint search' },
];

/** Keys that are named rather than typed; only these work as commands while a field has the keyboard. */
const NAMED = new Set(['up', 'down', 'left', 'right', 'pageup', 'pagedown', 'home', 'end', 'enter', 'escape', 'backspace', 'tab', 'space']);

export function isNamedKey(spec: string): boolean {
  return NAMED.has(spec) || spec.startsWith('ctrl+');
}

/** Does the key Ink reported match a spec from the table? */
export function matches(spec: string, input: string, key: Key): boolean {
  switch (spec) {
    case 'up': return key.upArrow;
    case 'down': return key.downArrow;
    case 'left': return key.leftArrow;
    case 'right': return key.rightArrow;
    case 'pageup': return key.pageUp;
    case 'pagedown': return key.pageDown;
    case 'home': return key.home;
    case 'end': return key.end;
    case 'enter': return key.return;
    case 'escape': return key.escape && input === '';
    // Most terminals send DEL (0x7f) for Backspace, which Ink calls `delete`.
    case 'backspace': return key.backspace || key.delete;
    case 'tab': return key.tab && !key.shift;
    case 'space': return input === ' ' && !key.ctrl;
  }
  if (spec.startsWith('ctrl+')) return key.ctrl && input === spec.slice(5);
  return input === spec && !key.ctrl && !key.meta;
}

export interface KeyContext {
  screen: ScreenName;
  dialog: boolean;
  typing: boolean;
  /** The open question deletes something: Enter does not answer it, only y does (a reflex Enter is safe). */
  dangerous?: boolean;
}

/** A question's bindings: Enter does not answer one that deletes, only y does. */
export function dialogBindings(dangerous = false): Binding[] {
  const dialog = KEYMAP.filter((b) => b.scopes.includes('dialog'));
  return dangerous ? dialog.map((b) => (b.command === 'confirm' ? { ...b, keys: b.keys.filter((k) => k !== 'enter') } : b)) : dialog;
}

/** The bindings that are live in a context, in the order they win; a key claimed by an earlier binding is dropped from later ones. */
export function activeBindings(ctx: KeyContext): Binding[] {
  const inScope = (b: Binding, s: Scope) => b.scopes.includes(s);
  let candidates: Binding[];
  if (ctx.dialog) {
    const answers = dialogBindings(ctx.dangerous);
    // A prompt (a question with a text field): letters are text, Enter and Esc still answer.
    candidates = ctx.typing ? [...answers.map((b) => ({ ...b, keys: b.keys.filter(isNamedKey) })), ...KEYMAP.filter((b) => inScope(b, 'text'))] : answers;
  }
  else {
    const screen = KEYMAP.filter((b) => inScope(b, ctx.screen));
    const global = KEYMAP.filter((b) => inScope(b, 'global'));
    candidates = !ctx.typing
      ? [...screen, ...global]
      : [
          ...screen.filter((b) => b.typing),
          ...KEYMAP.filter((b) => inScope(b, 'text')),
          // Letters are text while typing; only named keys keep their commands.
          ...[...screen.filter((b) => !b.typing), ...global].map((b) => ({ ...b, keys: b.keys.filter(isNamedKey) })),
        ];
  }
  const taken = new Set<string>();
  const out: Binding[] = [];
  for (const b of candidates) {
    const keys = b.keys.filter((k) => !taken.has(k));
    keys.forEach((k) => taken.add(k));
    if (keys.length) out.push(keys.length === b.keys.length ? b : { ...b, keys });
  }
  return out;
}

/** The command a key press means in a context, or undefined (then, while typing, it is text). */
export function resolveKey(input: string, key: Key, ctx: KeyContext): Command | undefined {
  for (const b of activeBindings(ctx)) {
    if (b.keys.some((k) => matches(k, input, key))) return b.command;
  }
  return undefined;
}

/** How a key is written for people: footer, help and docs/keys.md. */
export function keyLabel(spec: string, ascii = false): string {
  const words: Record<string, [string, string]> = {
    up: ['↑', 'Up'], down: ['↓', 'Down'], left: ['←', 'Left'], right: ['→', 'Right'],
    pageup: ['PgUp', 'PgUp'], pagedown: ['PgDn', 'PgDn'], home: ['Home', 'Home'], end: ['End', 'End'],
    enter: ['Enter', 'Enter'], escape: ['Esc', 'Esc'], backspace: ['Bksp', 'Bksp'], tab: ['Tab', 'Tab'], space: ['Space', 'Space'],
  };
  const w = words[spec];
  if (w) return ascii ? w[1] : w[0];
  if (spec.startsWith('ctrl+')) return `Ctrl-${spec.slice(5).toUpperCase()}`;
  return spec;
}

/** Help sections in table order. */
export function groups(): string[] {
  return [...new Set(KEYMAP.map((b) => b.group))];
}
