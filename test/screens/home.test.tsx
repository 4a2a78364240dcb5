// Home (Remotes) at 80x24 over test-double backends: login states, bookmarks, where Enter leads.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { folderBackend, makeTree } from '../helpers/folder-backend.js';
import { frameFits, makeServices, renderApp, SAMPLES, type Rendered, type TestServices } from '../helpers/tui.js';

let services: TestServices;
let r: Rendered | undefined;
let root: string;

beforeEach(async () => {
  root = join(process.env.TMPDIR ?? '/tmp', `sreg-home-${process.pid}-${Date.now()}`);
  mkdirSync(root, { recursive: true });
  makeTree(root, SAMPLES);
  services = await makeServices({
    backends: { dropbox: folderBackend('dropbox', 'Dropbox', root), globus: folderBackend('globus', 'Globus', root, { loggedIn: true }) },
  });
});
afterEach(async () => {
  r?.unmount();
  r = undefined;
  await services.cleanup();
  rmSync(root, { recursive: true, force: true });
});

describe('Home screen', () => {
  it('shows each remote with its login state, the endpoint search and a bookmark hint', async () => {
    r = renderApp(services, { route: { screen: 'home' } });
    await r.waitFor('logged in as tester@example.org');
    frameFits(r);
    const text = r.text();
    expect(text).toMatch(/Dropbox\s+not logged in · Enter logs in/);
    expect(text).toMatch(/Globus\s+✓ logged in as tester@example.org/);
    expect(text).toContain('Globus endpoints');
    expect(text).toContain('No bookmarks yet');
    expect(text).toMatch(/Enter open/);
  });

  it('Enter on a remote that is not logged in opens the login; on one that is, the Browser', async () => {
    r = renderApp(services, { route: { screen: 'home' } });
    await r.waitFor('logged in as');
    await r.press('enter');
    await r.waitFor('Log in to Dropbox');
    await r.press('escape');
    await r.waitFor('Remotes');
    await r.press('j', 'enter');
    await r.waitFor('Globus:/');
    frameFits(r);
  });

  it('lists bookmarks from settings, opens one, and d removes it after asking', async () => {
    services.settings.set('bookmarks', [{ label: 'Globus:/lab', uri: 'globus://lab' }]);
    r = renderApp(services, { route: { screen: 'home' } });
    await r.waitFor('Globus:/lab');
    expect(r.text()).toContain('1 bookmark');
    await r.press('G', 'enter');
    await r.waitFor('busybox_latest.sif');
    await r.press('escape');
    await r.waitFor('Remotes');
    await r.press('G', 'd');
    await r.waitFor('Remove the bookmark');
    frameFits(r);
    await r.press('y');
    await r.waitFor('bookmark removed');
    expect(services.settings.get('bookmarks')).toEqual([]);
  });

  it('says when a backend cannot be used at all', async () => {
    const broken = await makeServices();
    try {
      r = renderApp(broken, { route: { screen: 'home' } });
      await r.waitFor('unavailable');
      await r.press('enter');
      await r.waitFor('error: Dropbox: dropbox is not available in this test');
      frameFits(r);
    } finally {
      r?.unmount();
      r = undefined;
      await broken.cleanup();
    }
  });
});
