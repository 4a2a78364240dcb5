// Auth at 80x24: steps, the URL on lines of its own, the QR code (alone with Tab, or when there is
// room), the pasted code with a clear error or success, token mode, and Globus ConsentRequired.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTheme } from '../../src/app/theme.js';
import { CONSENT_SCOPE, folderBackend, GOOD_CODE, makeTree, type FolderBackend } from '../helpers/folder-backend.js';
import { frameFits, makeServices, renderApp, SAMPLES, type Rendered, type TestServices } from '../helpers/tui.js';

let services: TestServices;
let dropbox: FolderBackend;
let globus: FolderBackend;
let r: Rendered | undefined;
let root: string;

beforeEach(async () => {
  root = join(process.env.TMPDIR ?? '/tmp', `sreg-auth-${process.pid}-${Date.now()}`);
  mkdirSync(root, { recursive: true });
  makeTree(root, SAMPLES);
  dropbox = folderBackend('dropbox', 'Dropbox', root);
  globus = folderBackend('globus', 'Globus', root, { loggedIn: true });
  services = await makeServices({ backends: { dropbox, globus } });
});
afterEach(async () => {
  r?.unmount();
  r = undefined;
  await services.cleanup();
  rmSync(root, { recursive: true, force: true });
});

describe('Auth screen', () => {
  it('shows the steps, the URL and the code field; a wrong code is a clear error; the right one logs in', async () => {
    r = renderApp(services, { route: { screen: 'auth', backend: 'dropbox' } });
    await r.waitFor('https://example.org/authorize');
    frameFits(r);
    const text = r.text();
    expect(text).toContain('Log in to Dropbox');
    expect(text).toContain('1. Open the URL below and sign in.');
    expect(r.lines().some((l) => l.trim() === 'https://example.org/authorize?client_id=sreg&state=dropbox')).toBe(true);
    expect(text).toContain('Code:');
    expect(text).toMatch(/Tab shows the QR code \(needs \d+x\d+\)/);
    await r.type('nope');
    await r.press('enter');
    await r.waitFor('error: that code was not accepted');
    frameFits(r);
    await r.press('ctrl+u');
    await r.type(GOOD_CODE);
    await r.press('enter');
    await r.waitFor('logged in to Dropbox as tester@example.org');
    await r.waitFor('Dropbox:/');
    expect(dropbox.loggedIn).toBe(true);
  });

  it('the URL is a hyperlink (OSC 8) when the theme has links, plain text otherwise', async () => {
    const url = 'https://example.org/authorize?client_id=sreg&state=dropbox';
    r = renderApp(services, { route: { screen: 'auth', backend: 'dropbox' }, theme: createTheme({ links: true }) });
    await r.waitFor(url);
    expect(r.raw()).toContain(`\x1b]8;;${url}\x07${url}\x1b]8;;\x07`);
    expect(r.lines().some((l) => l.trim() === url)).toBe(true);
    r.unmount();
    r = renderApp(services, { route: { screen: 'auth', backend: 'dropbox' } });
    await r.waitFor(url);
    expect(r.raw()).not.toContain('\x1b]8;;');
  });

  it('draws the QR code under the URL when there is room; Tab shows it alone; ASCII mode draws it with #', async () => {
    r = renderApp(services, { route: { screen: 'auth', backend: 'dropbox' } });
    await r.waitFor('https://example.org/authorize');
    await r.press('tab');
    await r.waitFor(/The QR code needs \d+x\d+; make the terminal larger/);
    frameFits(r);
    r.unmount();
    r = renderApp(services, { route: { screen: 'auth', backend: 'dropbox' }, columns: 100, rows: 50 });
    await r.waitFor(() => r!.text().includes('█') || r!.text().includes('▀'));
    expect(r.text()).toContain('1. Open the URL');
    frameFits(r, 100, 50);
    await r.press('tab');
    await r.waitFor(() => !r!.text().includes('1. Open the URL'));
    expect(r.text()).toContain('▀');
    r.unmount();
    r = renderApp(services, { route: { screen: 'auth', backend: 'dropbox' }, columns: 100, rows: 50, theme: createTheme({ ascii: true }) });
    await r.waitFor('Code:');
    await r.press('tab');
    await r.waitFor('####');
    expect([...r.text()].filter((c) => c.charCodeAt(0) > 126)).toEqual([]);
    frameFits(r, 100, 50);
  });

  it('Ctrl-T switches Dropbox to a pasted token, shown as dots', async () => {
    r = renderApp(services, { route: { screen: 'auth', backend: 'dropbox' } });
    await r.waitFor('Code:');
    await r.press('ctrl+t');
    await r.waitFor('Token:');
    expect(r.text()).toContain('with an access token');
    await r.type('sl.secret');
    expect(r.text()).not.toContain('sl.secret');
    expect(r.text()).toContain('•••••••••');
  });

  it('ConsentRequired: says what is missing and logs in again with the scopes, then goes back', async () => {
    r = renderApp(services, { route: { screen: 'browser', backend: 'globus', location: 'globus://locked' } });
    await r.waitFor('Enter logs in again');
    frameFits(r);
    await r.press('enter');
    await r.waitFor('Log in to Globus');
    expect(r.text()).toMatch(/this collection needs\s+your consent \(data_access\)/);
    expect(r.text()).toContain(`This login asks for: ${CONSENT_SCOPE}`);
    frameFits(r);
    expect(globus.lastLoginScopes).toEqual([CONSENT_SCOPE]);
    await r.type(GOOD_CODE);
    await r.press('enter');
    await r.waitFor('secret.sif');
    expect(r.text()).toContain('Globus:/locked');
  });
});
