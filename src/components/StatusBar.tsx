// One line: SANDBOX label, where the library is, how many images, then the last message or error.
// Errors are words ("error:") as well as colour, so they read the same without colour.
import { Text } from 'ink';
import type { Message } from '../app/store.js';
import { useTheme } from '../app/theme.js';
import { truncate } from '../core/format.js';

export interface StatusBarProps {
  width: number;
  sandbox?: boolean;
  /** Facts on the left: library path, image count, transfer summary. */
  facts: string[];
  message?: Message;
  busy?: string;
}

export function StatusBar({ width, sandbox, facts, message, busy }: StatusBarProps) {
  const theme = useTheme();
  const sep = ` ${theme.glyph.sep} `;
  const label = sandbox ? ' SANDBOX ' : '';
  const note = busy ? `${busy}…`.replace('……', '…') : message ? (message.level === 'error' ? `error: ${message.text}` : message.text) : '';
  const noteShown = theme.ascii ? note.replace(/…/g, '...') : note;
  // The message matters most: the facts give way to it.
  const room = width - label.length - 1;
  const noteWidth = noteShown ? Math.min(noteShown.length, Math.max(Math.floor(room * 0.6), room - facts.join(sep).length - 3)) : 0;
  const left = truncate(' ' + facts.join(sep), Math.max(0, room - noteWidth - (noteWidth ? 2 : 0)), theme.ascii);
  const gap = Math.max(noteWidth ? 2 : 0, room - left.length - noteWidth);
  const role = message?.level === 'error' && !busy ? 'error' : 'accent';
  return (
    <Text wrap="truncate">
      {label ? <Text {...theme.style('sandbox')}>{label}</Text> : null}
      <Text {...theme.style('muted')}>{left}</Text>
      {' '.repeat(gap)}
      {noteWidth ? <Text {...theme.style(role)}>{truncate(noteShown, noteWidth, theme.ascii)}</Text> : null}
    </Text>
  );
}
