// Help screen, footer and docs/keys.md all come from the keymap.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { keysMarkdown } from '../../src/app/keydocs.js';
import { activeBindings, KEYMAP, resolveKey, type Scope } from '../../src/app/keymap.js';
import { frameFits, makeServices, renderApp, type Rendered, type TestServices } from '../helpers/tui.js';

let services: TestServices;
let r: Rendered | undefined;

beforeAll(async () => {
  services = await makeServices();
});
afterAll(async () => services.cleanup());
afterEach(() => r?.unmount());

describe('Help screen', () => {
  it('? opens the key list generated from the keymap; it scrolls and Esc goes back', async () => {
    r = renderApp(services);
    await r.waitFor('Library');
    await r.press('?');
    await r.waitFor('Help: keys');
    frameFits(r);
    expect(r.text()).toContain('General');
    expect(r.text()).toContain('Quit sreg');
    await r.press('G');
    await r.waitFor('Endpoint search');
    frameFits(r);
    await r.press('escape');
    await r.waitFor('COLLECTION');
  });

  it('the empty library says how to add an image', async () => {
    r = renderApp(services);
    await r.waitFor('The library is empty');
    frameFits(r);
  });
});

describe('keymap', () => {
  it('docs/keys.md is what the keymap generates (run: npm run build && node scripts/gen-keys.mjs)', () => {
    const file = readFileSync(new URL('../../docs/keys.md', import.meta.url), 'utf8');
    expect(file).toBe(keysMarkdown());
  });

  it('declares each key once per scope', () => {
    const seen = new Map<string, string>();
    for (const b of KEYMAP) {
      for (const s of b.scopes as Scope[]) {
        for (const k of b.keys) {
          const id = `${s}:${k}`;
          expect(seen.get(id), `${k} in ${s} is both ${seen.get(id)} and ${b.command}`).toBeUndefined();
          seen.set(id, b.command);
        }
      }
    }
  });

  it('every dangerous command is marked and every binding has a description', () => {
    for (const b of KEYMAP) expect(b.description.length).toBeGreaterThan(5);
    expect(KEYMAP.filter((b) => b.command === 'delete').every((b) => b.dangerous)).toBe(true);
  });

  it('while typing, letters are text but arrows still move', () => {
    const key = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false };
    const typing = { screen: 'library' as const, dialog: false, typing: true };
    expect(resolveKey('q', key, typing)).toBeUndefined();
    expect(resolveKey('j', key, typing)).toBeUndefined();
    expect(resolveKey('', { ...key, downArrow: true }, typing)).toBe('down');
    expect(resolveKey('', { ...key, return: true }, typing)).toBe('text-accept');
    expect(resolveKey('q', key, { ...typing, typing: false })).toBe('quit');
    expect(resolveKey('', { ...key, escape: true }, { screen: 'library', dialog: true, typing: false })).toBe('cancel');
    // the footer never offers a key twice
    const keys = activeBindings(typing).flatMap((b) => b.keys);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
