// Browser at 80x24 over a test-double remote (a folder tree) and a real temp library: panes, folders,
// hidden files, marks, copies both ways through the real transfer queue, delete, share, bookmark.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTheme, type Theme } from '../../src/app/theme.js';
import { folderBackend, folderRunner, makeTree, type FolderBackend } from '../helpers/folder-backend.js';
import { addImage, frameFits, makeServices, renderApp, SAMPLES, type Rendered, type TestServices } from '../helpers/tui.js';

let services: TestServices;
let remote: FolderBackend;
let root: string;
let r: Rendered | undefined;

beforeEach(async () => {
  root = join(process.env.TMPDIR ?? '/tmp', `sreg-browser-${process.pid}-${Date.now()}`);
  mkdirSync(root, { recursive: true });
  makeTree(root, SAMPLES);
  remote = folderBackend('dropbox', 'Dropbox', root, { loggedIn: true });
  let lib: TestServices['library'] | undefined;
  services = await makeServices({ backends: { dropbox: remote }, runners: { dropbox: { run: (ctx) => folderRunner('dropbox', root, lib!).run(ctx) } } });
  lib = services.library;
  await addImage(services.library, join(SAMPLES, 'busybox_arm64.sif'), 'mine/busybox:arm64');
});
afterEach(async () => {
  r?.unmount();
  r = undefined;
  await services.cleanup();
  rmSync(root, { recursive: true, force: true });
});

const open = (theme?: Theme) => renderApp(services, { route: { screen: 'browser', backend: 'dropbox' }, theme });
/** The browser, open in the lab folder. */
async function openLab(theme?: Theme): Promise<Rendered> {
  const opened = open(theme);
  await opened.waitFor('lab/');
  await opened.press('enter');
  await opened.waitFor('busybox_latest.sif');
  return opened;
}
const cursorRow = (r: Rendered) => r.lines().find((l) => l.includes('›'))!;

describe('Browser screen', () => {
  it('shows the remote folder on the left and the library on the right, inside 80x24', async () => {
    r = open();
    await r.waitFor('lab/');
    frameFits(r);
    const text = r.text();
    expect(text).toContain('Dropbox:/');
    expect(text).toContain('locked/');
    expect(text).toMatch(/Library\s*─+\s*1 image ─/);
    expect(text).toContain('mine/busybox:arm64');
    expect(text).toMatch(/Tab pane/);
  });

  it('enters folders, goes up with Backspace, highlights images with sizes, toggles hidden files', async () => {
    r = open();
    await r.waitFor('lab/');
    await r.press('enter');
    await r.waitFor('Dropbox:/lab');
    frameFits(r);
    expect(r.text()).toMatch(/busybox_latest\.sif ◆\s+774 KiB \d{4}-\d\d-\d\d/);
    expect(r.text()).toContain('old/');
    expect(r.text()).not.toContain('.hidden');
    await r.press('.');
    await r.waitFor('.hidden');
    await r.press('.');
    await r.waitFor(() => !r!.text().includes('.hidden'));
    await r.press('backspace');
    await r.waitFor('locked/');
    expect(r.text()).not.toContain('busybox_latest');
    await r.press('G', 'enter');
    await r.waitFor('this folder is empty');
    await r.press('backspace');
    // the cursor is back on the folder we came from
    await r.waitFor(/› zoo\//);
  });

  it('marks two images, c asks with source, destination and count, y queues pulls that land in the library', async () => {
    r = await openLab();
    await r.press('j', 'space', 'space');
    expect(r.text().match(/●/g)?.length).toBe(2);
    await r.press('c');
    await r.waitFor('Copy 2 images to the local library?');
    frameFits(r);
    const text = r.text();
    expect(text).toContain('from: Dropbox:/lab');
    expect(text).toContain('to:   the local library');
    expect(text).toContain('busybox_latest.sif -> remote/busybox_latest:latest');
    expect(text).toContain('groups_v1.sif -> remote/groups_v1:latest');
    await r.press('y');
    await r.waitFor('2 transfers queued');
    await r.waitFor(() => services.queue.list().filter((j) => j.state === 'done').length === 2, 10000);
    await r.waitFor('remote/groups_v1:latest');
    expect(services.library.find('remote/busybox_latest:latest')).toBeDefined();
    expect(r.text().match(/●/g)).toBeNull();
  });

  it('copies a library image to the remote from the right pane', async () => {
    r = await openLab();
    await r.press('tab', 'c');
    await r.waitFor('Copy 1 image to Dropbox?');
    expect(r.text()).toContain('from: the local library');
    // Dropbox keeps sregistry-cli's layout: the push is planned from the app folder's root.
    expect(r.text()).toContain('mine/busybox:arm64 -> dropbox://busybox_arm64.sif');
    expect(r.text()).not.toContain('replaces');
    await r.press('y');
    await r.waitFor(() => existsSync(join(root, 'busybox_arm64.sif')), 10000);
    await r.press('tab', 'backspace');
    await r.waitFor('busybox_arm64.sif');
    // Pushed again while the file is in the open folder: the question says it will be replaced.
    await r.press('tab', 'c');
    await r.waitFor('Copy 1 image to Dropbox?');
    expect(r.text().replace(/[│\s]+/g, '')).toContain('dropbox://busybox_arm64.sif(replacesthefilethere)');
  });

  it('a share link cut over two rows is one hyperlink (OSC 8) on each row, so it opens or copies whole', async () => {
    r = await openLab(createTheme({ links: true }));
    await r.press('j', 's');
    await r.waitFor('Link to busybox_latest.sif');
    frameFits(r);
    const link = 'https://share.example.org/s/busybox_latest.sif?dl=0&long=' + 'x'.repeat(60);
    const rows = r.lines().map((l) => l.replace(/[│]/g, '').trim()).filter((l) => l.length > 8 && link.includes(l));
    expect(rows).toHaveLength(2);
    expect(rows.join('')).toBe(link);
    for (const row of rows) expect(r.raw()).toContain(`\x1b]8;;${link}\x07${row}`);
  });

  it('n keeps everything; d deletes on the remote only after yes', async () => {
    r = await openLab();
    await r.press('j', 'd');
    await r.waitFor('Delete 1 item on Dropbox?');
    expect(r.text()).toContain('cannot be undone');
    frameFits(r);
    await r.press('n');
    await r.waitFor(() => !r!.text().includes('Delete 1 item'));
    expect(existsSync(join(root, 'lab', 'busybox_latest.sif'))).toBe(true);
    await r.press('d', 'y');
    await r.waitFor('deleted 1 item on Dropbox');
    expect(existsSync(join(root, 'lab', 'busybox_latest.sif'))).toBe(false);
    expect(remote.removed).toEqual(['dropbox://lab/busybox_latest.sif']);
  });

  it('s shows a share link whole (wrapped), b bookmarks the folder, / filters the listing', async () => {
    r = await openLab();
    await r.press('s');
    await r.waitFor('select a remote file to share');
    await r.press('j', 's');
    await r.waitFor('Link to busybox_latest.sif');
    frameFits(r);
    const link = 'https://share.example.org/s/busybox_latest.sif?dl=0&long=' + 'x'.repeat(60);
    expect(r.text().replace(/[│\n ]/g, '')).toContain(link);
    await r.press('escape');
    await r.press('b');
    await r.waitFor('bookmarked Dropbox:/lab');
    expect(services.settings.get('bookmarks')).toEqual([{ label: 'Dropbox:/lab', uri: 'dropbox://lab' }]);
    await r.press('/');
    await r.type('group');
    await r.waitFor('1 of 4');
    expect(r.text()).toMatch(/›.groups_v1\.sif/);
    frameFits(r);
  });
});

describe('Browser without colour or Unicode', () => {
  it('NO_COLOR: no colour codes, focus and selection by inverse video; ASCII: nothing outside ASCII', async () => {
    r = renderApp(services, { route: { screen: 'browser', backend: 'dropbox', location: 'dropbox://lab' }, theme: createTheme({ mono: true }) });
    await r.waitFor('busybox_latest.sif');
    await r.press('j', 'space', 'd');
    await r.waitFor('DANGER: Delete');
    const sgr = [...r.raw().matchAll(/\x1b\[([0-9;]*)m/g)].flatMap((m) => m[1]!.split(';').filter(Boolean).map(Number));
    expect(sgr.filter((p) => (p >= 30 && p <= 49) || (p >= 90 && p <= 107))).toEqual([]);
    expect(sgr).toContain(7);
    r.unmount();
    r = renderApp(services, { route: { screen: 'browser', backend: 'dropbox', location: 'dropbox://lab' }, theme: createTheme({ ascii: true }), columns: 60, rows: 15 });
    await r.waitFor('busybox_l');
    frameFits(r, 60, 15);
    expect([...r.text()].filter((c) => c.charCodeAt(0) > 126)).toEqual([]);
    await r.press('t');
    await r.waitFor('Transfers');
    expect([...r.text()].filter((c) => c.charCodeAt(0) > 126)).toEqual([]);
    await r.press('2');
    await r.waitFor('Remotes');
    await r.waitFor('logged in');
    expect(r.lines().filter((l) => [...l].some((c) => c.charCodeAt(0) > 126))).toEqual([]);
  });
});

describe('Browser prompts', () => {
  it('m asks for a folder name (y and n are letters there), Enter makes it, Esc cancels', async () => {
    r = open();
    await r.waitFor('lab/');
    await r.press('m');
    await r.waitFor('New folder in Dropbox:/');
    await r.type('yes-no');
    await r.waitFor('Name: yes-no');
    frameFits(r);
    await r.press('enter');
    await r.waitFor('made folder yes-no');
    await r.waitFor('yes-no/');
    expect(existsSync(join(root, 'yes-no'))).toBe(true);
    await r.press('m');
    await r.waitFor('New folder');
    await r.type('nope');
    await r.press('escape');
    await r.waitFor(() => !r!.text().includes('New folder'));
    expect(existsSync(join(root, 'nope'))).toBe(false);
    // the keyboard is back to commands: j moves
    await r.press('j');
    expect(r.text()).toMatch(/› locked\//);
  });
});

