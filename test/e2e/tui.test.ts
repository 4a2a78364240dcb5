// The real binary in a real terminal: `node bin/sreg.js` inside tmux at 80x24. Moves, filters, opens
// Inspect, resizes, opens Help, quits; checks the screen after each step and that the terminal is
// given back. The build comes from `npm test`'s pretest (tsc); run `npx tsc -p tsconfig.json` first
// when running this file alone.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSamples, makeServices, type TestServices } from '../helpers/tui.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const SOCKET = `sreg-e2e-${process.pid}-${Date.now()}`;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

function screen(session: string): string[] {
  return tmux('capture-pane', '-p', '-t', session).replace(/\n+$/, '').split('\n');
}

async function until(session: string, ok: (lines: string[]) => boolean, what: string, timeoutMs = 15000): Promise<string[]> {
  const end = Date.now() + timeoutMs;
  let last: string[] = [];
  while (Date.now() < end) {
    last = screen(session);
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; screen:\n${last.join('\n')}`);
}

const has = (text: string) => (lines: string[]) => lines.join('\n').includes(text);
const keys = (session: string, ...k: string[]) => {
  for (const key of k) tmux('send-keys', '-t', session, key);
};
const pause = (ms = 150) => new Promise((r) => setTimeout(r, ms));

/** The frame is whole: tab bar on line 1, the pane's top edge on line 2, nothing past the edges. */
function frameIsWhole(lines: string[], columns: number, rows: number, title: string): void {
  expect(lines[0]).toMatch(/^ sreg {2}1 Library/);
  expect(lines[1]).toMatch(new RegExp(`^╭─ ${title}`));
  expect(lines.length).toBeLessThan(rows);
  for (const l of lines) expect([...l].length).toBeLessThanOrEqual(columns);
}

describe.skipIf(!hasTmux)('sreg in a real terminal (tmux)', () => {
  let services: TestServices;
  let session = 0;
  let socketPath = '';

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/app/App.js'))) spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT });
    services = await makeServices();
    await addSamples(services.library);
  });

  afterAll(async () => {
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
    // tmux leaves its socket file behind when the server exits; take it away too.
    if (socketPath) rmSync(socketPath, { force: true });
    await services?.cleanup();
  });

  function start(extraEnv: Record<string, string> = {}, args = ''): { name: string; exitFile: string } {
    const name = `s${++session}`;
    const exitFile = join(services.dir, `${name}.exit`);
    const env = Object.entries({ ...services.env, ...extraEnv }).map(([k, v]) => `${k}='${v}'`).join(' ');
    const cmd = `env -u CI -u CONTINUOUS_INTEGRATION -u NO_COLOR -u SREGISTRY_CLIENT -u SREGISTRY_DROPBOX_TOKEN ${env} '${process.execPath}' bin/sreg.js ${args}; echo $? > '${exitFile}'`;
    tmux('-u', 'new-session', '-d', '-x', '80', '-y', '24', '-s', name, '-c', ROOT, cmd);
    tmux('set-option', '-t', name, 'remain-on-exit', 'on');
    socketPath ||= tmux('display-message', '-p', '-t', name, '#{socket_path}').trim();
    return { name, exitFile };
  }

  it('moves, filters, inspects, survives a resize, shows help and quits with q', async () => {
    const { name, exitFile } = start();
    let lines = await until(name, has('13 images'), 'the library');
    frameIsWhole(lines, 80, 24, 'Library');
    expect(lines.find((l) => l.includes('›'))).toMatch(/tools\s+busybox/);

    keys(name, 'j');
    lines = await until(name, (l) => !!l.find((x) => x.includes('›'))?.includes('samples'), 'the cursor on the second row');
    frameIsWhole(lines, 80, 24, 'Library');
    // The old cursor row is redrawn in place, not left behind one line off.
    expect(lines.filter((l) => l.includes('tools') && l.includes('busybox'))).toHaveLength(1);

    keys(name, '/', 'b', 'u', 's', 'y');
    lines = await until(name, (l) => /\b3 of 13\b/.test(l.join('\n')) /* not the "13 of 13" before the filter applies */, 'the filtered list');
    expect(lines.join('\n')).not.toContain('one-group');
    frameIsWhole(lines, 80, 24, 'Library');

    keys(name, 'Enter');
    await pause();
    keys(name, 'Enter');
    lines = await until(name, has('Inspect tools/busybox:1.36'), 'the Inspect view');
    expect(lines.join('\n')).toContain('Labels');
    frameIsWhole(lines, 80, 24, 'Inspect');
    keys(name, 'G');
    await until(name, has('export LC_ALL=C'), 'the environment at the bottom');

    keys(name, 'Escape');
    lines = await until(name, has('COLLECTION'), 'back in the Library');
    expect(lines.join('\n')).toContain('/ busy');

    tmux('resize-window', '-t', name, '-x', '100', '-y', '30');
    lines = await until(name, (l) => l[1]?.length === 100 && l.length === 29, 'a 100x30 frame');
    frameIsWhole(lines, 100, 30, 'Library');
    tmux('resize-window', '-t', name, '-x', '70', '-y', '20');
    lines = await until(name, (l) => l[1]?.length === 70 && l.length === 19, 'a 70x20 frame');
    frameIsWhole(lines, 70, 20, 'Library');
    tmux('resize-window', '-t', name, '-x', '50', '-y', '12');
    await until(name, has('too small'), 'the too-small message');
    tmux('resize-window', '-t', name, '-x', '80', '-y', '24');
    lines = await until(name, (l) => l[1]?.length === 80 && has('COLLECTION')(l), 'the frame again');
    frameIsWhole(lines, 80, 24, 'Library');

    keys(name, '?');
    lines = await until(name, has('Help: keys'), 'the help screen');
    frameIsWhole(lines, 80, 24, 'Help');
    keys(name, 'Escape');
    await until(name, has('COLLECTION'), 'the Library after help');

    keys(name, 'q');
    await until(name, () => tmux('display-message', '-p', '-t', name, '#{pane_dead}').trim() === '1', 'sreg to exit');
    expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');
    // The alternate screen is gone: the normal screen does not show the TUI.
    expect(screen(name).join('\n')).not.toContain('COLLECTION');
    tmux('kill-session', '-t', name);
  });

  it('Ctrl-C exits even while typing in the filter, and NO_COLOR still works', async () => {
    const { name, exitFile } = start({ NO_COLOR: '1' });
    await until(name, has('13 images'), 'the library');
    keys(name, '/', 'z', 'z', 'z');
    await until(name, has('no image matches'), 'the filter');
    keys(name, 'C-c');
    await until(name, () => tmux('display-message', '-p', '-t', name, '#{pane_dead}').trim() === '1', 'sreg to exit');
    expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');
    expect(screen(name).join('\n')).not.toContain('COLLECTION');
    tmux('kill-session', '-t', name);
  });

  describe('with the sandbox (sreg --sandbox)', () => {
    let sandboxDir: string;
    beforeAll(() => {
      sandboxDir = mkdtempSync(join(tmpdir(), 'sreg-e2e-sandbox-'));
    });
    afterAll(() => rmSync(sandboxDir, { recursive: true, force: true }));

    const quit = async (name: string, exitFile: string) => {
      keys(name, 'q');
      await until(name, () => tmux('display-message', '-p', '-t', name, '#{pane_dead}').trim() === '1', 'sreg to exit');
      expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');
      tmux('kill-session', '-t', name);
    };

    it('Dropbox: logs in, browses, marks an image, copies it, watches it finish and finds it in the Library', async () => {
      const { name, exitFile } = start({ SREG_SANDBOX_DIR: join(sandboxDir, 'dropbox') }, '--sandbox');
      await until(name, has('SANDBOX'), 'the sandbox label', 30000);
      keys(name, '2');
      await until(name, (l) => /Dropbox\s+not logged in/.test(l.join('\n')), 'Dropbox on Home');
      keys(name, 'Enter');
      let lines = await until(name, has('the code is filled in'), 'the Dropbox login');
      frameIsWholeish(lines);
      // The code the steps name is the one filled in (the fake was once asked twice and showed two).
      const shown = /the code to paste is (\S+)/.exec(lines.join('\n'))?.[1];
      expect(shown).toBeTruthy();
      expect(lines.join('\n')).toContain(`Code: ${shown}`);
      keys(name, 'Enter');
      lines = await until(name, has('lab/'), 'the Dropbox root');
      expect(lines[1]).toMatch(/Dropbox\//);
      keys(name, 'Enter');
      await until(name, has('busybox:1.33.sif'), 'the lab folder');
      keys(name, 'Space');
      await pause();
      keys(name, 'c');
      lines = await until(name, has('Copy 1 image to the local library?'), 'the copy question');
      expect(lines.join('\n')).toContain('busybox:1.33.sif -> lab/busybox:1.33');
      keys(name, 'y');
      await until(name, has('queued'), 'the queued message');
      keys(name, 't');
      await until(name, (l) => /lab\/busybox:1\.33\s+done\s+100%/.test(l.join('\n')), 'the finished pull', 60000);
      keys(name, '1');
      lines = await until(name, (l) => /lab\s+busybox\s+1\.33/.test(l.join('\n')), 'the image in the Library');
      frameIsWhole(lines, 80, 24, 'Library');
      await quit(name, exitFile);
    });

    it('Globus: logs in, searches endpoints, opens one, pulls an image and sees it arrive in the Library', async () => {
      const { name, exitFile } = start({ SREG_SANDBOX_DIR: join(sandboxDir, 'globus') }, '--sandbox');
      await until(name, has('SANDBOX'), 'the sandbox label', 30000);
      keys(name, '2');
      await until(name, (l) => /Globus\s+not logged in/.test(l.join('\n')), 'Globus on Home');
      keys(name, 'j');
      await pause();
      keys(name, 'Enter');
      await until(name, has('the code is filled in'), 'the Globus login');
      keys(name, 'Enter');
      await until(name, has('machine):/home/sandbox/'), 'the browser on this machine');
      keys(name, 'e');
      await until(name, has('Globus endpoints'), 'the endpoint search');
      for (const ch of 'shared') keys(name, ch);
      let lines = await until(name, (l) => /› Shared Lab Data/.test(l.join('\n')), 'the search result');
      frameIsWhole(lines, 80, 24, 'Globus endpoints');
      keys(name, 'Enter');
      await until(name, has('Shared Lab Data:/'), 'the endpoint in the browser');
      keys(name, 'j');
      await pause();
      keys(name, 'Enter');
      await until(name, has('one-group.sif'), 'the images folder');
      keys(name, 'G');
      await pause();
      keys(name, 'c');
      lines = await until(name, has('Copy 1 image to the local library?'), 'the copy question');
      expect(lines.join('\n')).toContain('one-group.sif -> library/one-group:latest');
      keys(name, 'y');
      keys(name, 't');
      await until(name, (l) => /library\/one-group:latest\s+done\s+100%/.test(l.join('\n')), 'the finished Globus task', 90000);
      keys(name, '1');
      await until(name, (l) => /library\s+one-group\s+latest/.test(l.join('\n')), 'the image in the Library');
      await quit(name, exitFile);
    });
  });
});

/** Screens without a pane (the login) still keep to the terminal. */
function frameIsWholeish(lines: string[]): void {
  expect(lines[0]).toMatch(/^ sreg {2}1 Library/);
  expect(lines.length).toBeLessThan(24);
  for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
}
