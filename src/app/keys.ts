// Ink hands a run of keys that arrived together (typed ahead while sreg was busy, or several keys in
// one write over a slow link) to useInput as one string. These helpers split such a run back into
// single key presses, with the flags Ink would have given each one.
import type { Key } from 'ink';
import { useCallback, useRef } from 'react';

export const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

/** One character as Ink reports it. */
export function keyOf(ch: string): [string, Key] {
  if (ch === '\r' || ch === '\n') return ['', { ...NO_KEY, return: true }];
  if (ch === '\t') return ['', { ...NO_KEY, tab: true }];
  if (ch === '\x7f') return ['', { ...NO_KEY, delete: true }];
  if (ch === '\b') return ['', { ...NO_KEY, backspace: true }];
  const code = ch.charCodeAt(0);
  if (code >= 1 && code <= 26) return [String.fromCharCode(code + 96), { ...NO_KEY, ctrl: true }];
  return [ch, { ...NO_KEY, shift: /[A-Z]/.test(ch) }];
}

/** True when a run is plain text (a paste), which a text field takes whole. */
export function isPlainText(input: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\x00-\x1f\x7f]/.test(input);
}

/**
 * Feeds keys to `handle` one per turn of the event loop: React commits what a key did (in a
 * microtask) before the next key is read, so `Down Enter` arriving in one read opens the row the
 * cursor moved to, and a `/` typed ahead starts typing before the letters after it arrive.
 */
export function useKeyQueue(handle: (input: string, key: Key) => void, typing: () => boolean): (input: string, key: Key) => void {
  const pending = useRef<Array<[string, Key]>>([]);
  const waiting = useRef(false);
  const latest = useRef({ handle, typing });
  latest.current = { handle, typing };
  const drain = useCallback(() => {
    const next = pending.current.shift();
    if (!next) return;
    const [input, key] = next;
    if (input.length > 1 && !key.ctrl && !key.meta && !(latest.current.typing() && isPlainText(input))) {
      const rest = input.slice(1);
      pending.current.unshift(rest.length === 1 ? keyOf(rest) : [rest, NO_KEY]);
      latest.current.handle(...keyOf(input[0]!));
    } else latest.current.handle(input, key);
    waiting.current = true;
    setTimeout(() => {
      waiting.current = false;
      drain();
    }, 0);
  }, []);
  // Stable, so Ink does not re-subscribe its stdin listener after every render.
  return useCallback(
    (input: string, key: Key) => {
      pending.current.push([input, key]);
      if (!waiting.current) drain();
    },
    [drain],
  );
}
