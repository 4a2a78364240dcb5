// How things look: colour, monochrome (NO_COLOR: no colour codes, selection by inverse video, state in
// words and glyphs) and ASCII (no box drawing, no emoji). Screens ask for a role, never for a colour.
import { createContext, useContext } from 'react';

export type Role = 'accent' | 'muted' | 'error' | 'ok' | 'warn' | 'image' | 'dir' | 'title' | 'key' | 'sandbox' | 'focus';

/** Props for Ink's <Text>; only ever colours and attributes. */
export interface TextStyle {
  color?: string;
  bold?: boolean;
  dimColor?: boolean;
  inverse?: boolean;
}

export interface Glyphs {
  pointer: string;
  mark: string;
  up: string;
  down: string;
  enter: string;
  sep: string;
  image: string;
  dir: string;
  ok: string;
  fail: string;
  bar: string;
  barEmpty: string;
}

export interface Theme {
  mono: boolean;
  ascii: boolean;
  style(role: Role): TextStyle;
  /** The cursor row: inverse video in every mode, so it shows without colour. */
  selected: TextStyle;
  glyph: Glyphs;
  /** Ink borderStyle name: 'classic' is + - | only. */
  border: 'round' | 'classic';
  /** Wrap URLs in OSC 8 hyperlinks, so a URL cut over several rows still opens or copies whole. */
  links: boolean;
}

const COLOURS: Record<Role, TextStyle> = {
  accent: { color: 'cyan' },
  muted: { dimColor: true },
  error: { color: 'red', bold: true },
  ok: { color: 'green' },
  warn: { color: 'yellow' },
  image: { color: 'green' },
  dir: { color: 'blue', bold: true },
  title: { bold: true, color: 'cyan' },
  key: { color: 'yellow' },
  sandbox: { color: 'yellow', inverse: true, bold: true },
  focus: { color: 'cyan', bold: true },
};

// Monochrome keeps only attributes that are not colours; `muted` would be SGR 2 (faint), which some
// terminals render as invisible, so it is plain.
const MONO: Record<Role, TextStyle> = {
  accent: {},
  muted: {},
  error: { bold: true },
  ok: {},
  warn: { bold: true },
  image: { bold: true },
  dir: {},
  title: { bold: true },
  key: { bold: true },
  sandbox: { inverse: true, bold: true },
  focus: { inverse: true },
};

const UNICODE: Glyphs = { pointer: '›', mark: '●', up: '↑', down: '↓', enter: '⏎', sep: '·', image: '◆', dir: '▸', ok: '✓', fail: '✗', bar: '█', barEmpty: '░' };
const ASCII: Glyphs = { pointer: '>', mark: '*', up: '^', down: 'v', enter: 'Enter', sep: '|', image: '#', dir: '+', ok: 'ok', fail: 'x', bar: '#', barEmpty: '.' };

export function createTheme(options: { mono?: boolean; ascii?: boolean; links?: boolean } = {}): Theme {
  const mono = !!options.mono;
  const ascii = !!options.ascii;
  const links = !!options.links;
  const table = mono ? MONO : COLOURS;
  return {
    mono,
    ascii,
    style: (role) => table[role],
    selected: mono ? { inverse: true } : { inverse: true, color: 'cyan' },
    glyph: ascii ? ASCII : UNICODE,
    border: ascii ? 'classic' : 'round',
    links,
  };
}

/**
 * NO_COLOR (any non-empty value, per no-color.org) and SREG_ASCII=1 (set by --ascii). Hyperlinks
 * everywhere but ASCII mode and dumb terminals: terminals without them ignore the sequence.
 */
export function themeFromEnv(env: Record<string, string | undefined> = process.env): Theme {
  const ascii = env.SREG_ASCII === '1' || env.SREG_ASCII === 'true';
  return createTheme({
    mono: (env.NO_COLOR ?? '') !== '' || env.TERM === 'dumb',
    ascii,
    links: !ascii && env.TERM !== 'dumb',
  });
}

export const ThemeContext = createContext<Theme>(createTheme());
export const useTheme = (): Theme => useContext(ThemeContext);
