// Library screen at 80x24 over a temp library holding every sample SIF.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addSamples, frameFits, makeServices, renderApp, type Rendered, type TestServices } from '../helpers/tui.js';

let services: TestServices;
let names: string[];
let r: Rendered | undefined;

beforeAll(async () => {
  services = await makeServices();
  names = await addSamples(services.library);
});
afterAll(async () => services.cleanup());
afterEach(() => r?.unmount());

describe('Library screen', () => {
  it('lists the images with collection, name, tag, size and date, inside 80x24', async () => {
    r = renderApp(services);
    await r.waitFor('Library');
    frameFits(r);
    const text = r.text();
    expect(text).toContain('COLLECTION');
    expect(text).toContain(`${names.length} images`);
    expect(text).toMatch(/tools\s+busybox\s+1\.36\s+\d+(\.\d)? KiB\s+\d{4}-\d\d-\d\d \d\d:\d\d/);
    expect(text).toContain('samples');
    // footer from the keymap, status bar with the library path
    expect(text).toMatch(/\/ filter/);
    expect(text).toMatch(/\? help/);
    expect(text).toContain('~/db');
  });

  it('moves the cursor with j/k, G/g and the arrows', async () => {
    r = renderApp(services);
    await r.waitFor('Library');
    const cursorLine = () => r!.lines().find((l) => l.includes('›'))!;
    expect(cursorLine()).toContain('busybox');
    await r.press('j', 'j');
    expect(cursorLine()).not.toContain('tools');
    await r.press('G');
    expect(cursorLine()).toContain('busybox-amd64');
    await r.press('g');
    expect(cursorLine()).toContain('tools');
    await r.press('down', 'up');
    expect(cursorLine()).toContain('tools');
  });

  it('filters live as you type and keeps the filter on Enter; Esc clears it', async () => {
    r = renderApp(services);
    await r.waitFor('Library');
    await r.press('/');
    await r.type('busy');
    await r.waitFor('3 of');
    frameFits(r);
    expect(r.text()).not.toContain('one-group');
    expect(r.text()).toContain('busybox-arm64');
    await r.press('enter');
    // Not typing any more: j moves instead of typing
    await r.press('j');
    expect(r.text()).toContain('/ busy');
    expect(r.lines().find((l) => l.includes('›'))).toContain('busybox-arm64');
    await r.press('escape');
    await r.waitFor(() => !r!.text().includes('/ busy'));
    expect(r.text()).toContain(`${names.length} images ─`);
    expect(r.text()).toContain('one-group');
  });

  it('says so when nothing matches', async () => {
    r = renderApp(services);
    await r.press('/');
    await r.type('zzz');
    await r.waitFor('no image matches "zzz"');
    frameFits(r);
  });

  it('pages with PgDn/PgUp in a long library at 60x15', async () => {
    r = renderApp(services, { columns: 60, rows: 15 });
    await r.waitFor('Library');
    frameFits(r, 60, 15);
    await r.press('pagedown');
    const afterPage = r.lines().find((l) => l.includes('›'))!;
    expect(afterPage).not.toContain('tools');
    await r.press('pageup');
    expect(r.lines().find((l) => l.includes('›'))).toContain('tools');
  });

  it('d asks before deleting, n keeps the image, a reflex Enter does not answer, y deletes it', async () => {
    const extra = await makeServices();
    await addSamples(extra.library);
    try {
      r = renderApp(extra);
      await r.waitFor('Library');
      await r.press('d');
      await r.waitFor('Delete tools/busybox:1.36?');
      frameFits(r);
      expect(r.text()).toContain('cannot be undone');
      await r.press('n');
      await r.waitFor(() => !r!.text().includes('Delete tools/busybox'));
      expect(extra.library.find('tools/busybox:1.36')).toBeDefined();
      await r.press('d');
      await r.waitFor('Delete tools/busybox:1.36?');
      expect(r.text()).toMatch(/y yes\s+n\/Esc no/);
      await r.press('enter');
      await new Promise((done) => setTimeout(done, 150));
      expect(r.text()).toContain('Delete tools/busybox:1.36?');
      expect(extra.library.find('tools/busybox:1.36')).toBeDefined();
      await r.press('y');
      await r.waitFor('deleted tools/busybox:1.36');
      expect(extra.library.find('tools/busybox:1.36')).toBeUndefined();
      expect(r.text()).not.toMatch(/tools\s+busybox/);
    } finally {
      r?.unmount();
      r = undefined;
      await extra.cleanup();
    }
  });
});
