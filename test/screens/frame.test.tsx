// The frame: too-small message, resize, NO_COLOR (no colour codes, inverse selection), ASCII mode,
// and the rule that screens and components reach services only through hooks.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTheme } from '../../src/app/theme.js';
import { addSamples, frameFits, makeServices, renderApp, type Rendered, type TestServices } from '../helpers/tui.js';

let services: TestServices;
let r: Rendered | undefined;

beforeAll(async () => {
  services = await makeServices({});
  await addSamples(services.library);
});
afterAll(async () => services.cleanup());
afterEach(() => r?.unmount());

// SGR parameters that set a colour: 30-39, 40-49, 90-97, 100-107 (and 38/48 extended).
function colourCodes(raw: string): string[] {
  const found: string[] = [];
  for (const m of raw.matchAll(/\x1b\[([0-9;]*)m/g)) {
    const params = m[1]!.split(';').filter(Boolean).map(Number);
    if (params.some((p) => (p >= 30 && p <= 49) || (p >= 90 && p <= 107))) found.push(m[0]);
  }
  return found;
}

describe('frame', () => {
  it('says the terminal is too small at 50x12, and recovers when it grows', async () => {
    r = renderApp(services, { columns: 50, rows: 12 });
    await r.waitFor('too small');
    frameFits(r, 50, 12);
    expect(r.text()).toContain('60x15');
    await r.resize(80, 24);
    await r.waitFor('COLLECTION');
    frameFits(r);
  });

  it('follows a resize: wider rows, then narrower ones, never wider than the terminal', async () => {
    r = renderApp(services);
    await r.waitFor('COLLECTION');
    await r.resize(120, 40);
    await r.waitFor(() => r!.lines().some((l) => l.length > 100));
    frameFits(r, 120, 40);
    await r.resize(64, 16);
    await r.waitFor(() => r!.lines().length > 5 && r!.lines().every((l) => [...l].length <= 64));
    frameFits(r, 64, 16);
  });

  it('in colour mode the selection has colour', async () => {
    r = renderApp(services, { theme: createTheme() });
    await r.waitFor('COLLECTION');
    expect(colourCodes(r.raw()).length).toBeGreaterThan(0);
  });

  it('NO_COLOR: no colour codes at all, the selection is inverse video', async () => {
    r = renderApp(services, { theme: createTheme({ mono: true }) });
    await r.waitFor('COLLECTION');
    await r.press('/');
    await r.type('busy');
    await r.press('enter', 'd');
    await r.waitFor('DANGER: Delete');
    expect(colourCodes(r.raw())).toEqual([]);
    expect(r.raw()).toMatch(/\x1b\[7m[^\n]*busybox/);
    frameFits(r);
  });

  it('ASCII mode: no box drawing or other non-ASCII glyphs on any screen', async () => {
    r = renderApp(services, { theme: createTheme({ ascii: true }) });
    await r.waitFor('COLLECTION');
    const nonAscii = () => [...r!.text()].filter((c) => c.charCodeAt(0) > 126);
    expect(nonAscii()).toEqual([]);
    expect(r.text()).toContain('+-');
    await r.press('enter');
    await r.waitFor('Inspect');
    expect(nonAscii()).toEqual([]);
    await r.press('?');
    await r.waitFor('Help');
    expect(nonAscii()).toEqual([]);
    await r.press('escape', 'escape', 'd');
    await r.waitFor('Delete');
    expect(nonAscii()).toEqual([]);
  });
});

describe('layering', () => {
  it('screens and components never import a service (only hooks do)', () => {
    for (const dir of ['src/screens', 'src/components', 'src/app']) {
      const root = new URL(`../../${dir}/`, import.meta.url);
      for (const f of readdirSync(root)) {
        if (dir === 'src/app' && f === 'run.ts') continue; // run.ts opens the services and hands them to the App
        const text = readFileSync(new URL(f, root), 'utf8');
        expect(text, `${dir}/${f}`).not.toMatch(/from '\.\.\/services\//);
      }
    }
  });
});

describe('small terminals', () => {
  it('at 60x15 in ASCII mode the library fits without anything cut off by the terminal', async () => {
    r = renderApp(services, { columns: 60, rows: 15, theme: createTheme({ ascii: true }) });
    await r.waitFor('COLLECTION');
    frameFits(r, 60, 15);
    expect([...r.text()].filter((c) => c.charCodeAt(0) > 126)).toEqual([]);
    expect(r.text()).toMatch(/\d{4}-\d\d-\d\d/);
    await r.press('d');
    await r.waitFor('Delete');
    frameFits(r, 60, 15);
  });
});
