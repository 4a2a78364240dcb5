// Renders the TUI into a fake terminal of a chosen size (ink-testing-library's stdout is fixed at 100
// columns with no rows), and builds temp-dir services with real sample images for screen tests.
import chalk from 'chalk';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { render } from 'ink';
import { createElement, type ReactElement } from 'react';
import { App } from '../../src/app/App.js';
import type { Route } from '../../src/app/store.js';
import { createTheme, type Theme } from '../../src/app/theme.js';
import type { TuiServices } from '../../src/hooks/useServices.js';
import type { BackendKind, RemoteBackend } from '../../src/services/backends/backend.js';
import { openSettings } from '../../src/services/config.js';
import { openLibrary } from '../../src/services/index.js';
import type { Library } from '../../src/services/library/images.js';
import { TransferQueue } from '../../src/services/transfers/queue.js';
import type { TransferRunner } from '../../src/services/transfers/types.js';
import { parseImageName } from '../../src/core/uri.js';

// The test process has no terminal, so chalk would drop every style; a user's terminal has colour.
chalk.level = 3;

import { SAMPLES } from './env.js';
export { SAMPLES };

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;
export const stripAnsi = (s: string) => s.replace(ANSI, '');

class FakeStdout extends EventEmitter {
  frames: string[] = [];
  isTTY = true;
  constructor(public columns: number, public rows: number) {
    super();
  }
  write = (data: string) => {
    this.frames.push(data);
    return true;
  };
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  private queued: string | null = null;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => {
    const d = this.queued;
    this.queued = null;
    return d;
  };
  send(data: string) {
    this.queued = data;
    this.emit('readable');
  }
}

export const KEYS: Record<string, string> = {
  up: '\x1b[A', down: '\x1b[B', right: '\x1b[C', left: '\x1b[D', enter: '\r', escape: '\x1b', tab: '\t',
  backspace: '\x7f', pageup: '\x1b[5~', pagedown: '\x1b[6~', home: '\x1b[H', end: '\x1b[F', space: ' ', 'ctrl+c': '\x03',
  'ctrl+u': '\x15', 'ctrl+t': '\x14', 'ctrl+f': '\x06', 'ctrl+b': '\x02',
};

const tick = (ms = 15) => new Promise((r) => setTimeout(r, ms));

export interface Rendered {
  /** The last frame, ANSI codes kept. */
  raw(): string;
  /** The last frame as plain text lines (ANSI stripped, trailing empty lines dropped). */
  lines(): string[];
  text(): string;
  press(...keys: string[]): Promise<void>;
  type(text: string): Promise<void>;
  resize(columns: number, rows: number): Promise<void>;
  waitFor(what: string | RegExp | (() => boolean), timeoutMs?: number): Promise<void>;
  unmount(): void;
  /** Writes raw bytes to the app's stdin without waiting (timing tests). */
  send(data: string): void;
  stdout: FakeStdout;
}

export function renderFrame(element: ReactElement, size: { columns?: number; rows?: number } = {}): Rendered {
  const stdout = new FakeStdout(size.columns ?? 80, size.rows ?? 24);
  const stdin = new FakeStdin();
  const stderr = new FakeStdout(size.columns ?? 80, size.rows ?? 24);
  const instance = render(element, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const raw = () => stdout.frames[stdout.frames.length - 1] ?? '';
  const lines = () => {
    const l = stripAnsi(raw()).split('\n');
    while (l.length && l[l.length - 1] === '') l.pop();
    return l;
  };
  // Waits until no frame has been written for a while: the App takes one key per event-loop turn, and
  // a busy machine (tmux tests in the other fork) stretches those turns.
  const settle = async (min: number) => {
    await tick(min);
    let seen = stdout.frames.length;
    for (let quiet = 0, i = 0; quiet < 2 && i < 50; i++) {
      await tick(10);
      quiet = stdout.frames.length === seen ? quiet + 1 : 0;
      seen = stdout.frames.length;
    }
  };
  const r: Rendered = {
    raw,
    lines,
    text: () => lines().join('\n'),
    press: async (...keys) => {
      for (const k of keys) {
        stdin.send(KEYS[k] ?? k);
        await settle(k === 'escape' ? 30 : 10);
      }
    },
    type: async (text) => {
      for (const ch of text) {
        stdin.send(ch);
        await tick(5);
      }
      await settle(10);
    },
    resize: async (columns, rows) => {
      stdout.columns = columns;
      stdout.rows = rows;
      stdout.emit('resize');
      await tick(100);
    },
    waitFor: async (what, timeoutMs = 3000) => {
      const ok = () => (typeof what === 'function' ? what() : typeof what === 'string' ? r.text().includes(what) : what.test(r.text()));
      const end = Date.now() + timeoutMs;
      while (!ok()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${String(what)}; frame:\n${r.text()}`);
        await tick(20);
      }
    },
    unmount: () => instance.unmount(),
    send: (data) => stdin.send(data),
    stdout,
  };
  return r;
}

export interface TestServices extends TuiServices {
  dir: string;
  library: Library;
  cleanup(): Promise<void>;
}

/** Temp library, settings and queue; `backends` are test doubles (or sandbox-backed) remotes. */
export async function makeServices(options: { backends?: Partial<Record<BackendKind, RemoteBackend>>; runners?: Partial<Record<BackendKind, TransferRunner>> } = {}): Promise<TestServices> {
  const dir = mkdtempSync(join(tmpdir(), 'sreg-tui-'));
  const env = {
    HOME: dir,
    SREGISTRY_DATABASE: join(dir, 'db'),
    SREGISTRY_STORAGE: join(dir, 'shub'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_STATE_HOME: join(dir, 'state'),
  };
  mkdirSync(env.SREGISTRY_DATABASE, { recursive: true });
  const library = openLibrary(env);
  const settings = await openSettings(env);
  const runners = options.runners ?? {};
  const queue = new TransferQueue(
    library.db,
    async (kind) => {
      const r = runners[kind as BackendKind];
      if (!r) throw new Error(`no runner for ${kind} in this test`);
      return r;
    },
    { concurrency: 2 },
  );
  return {
    dir,
    env,
    library,
    settings,
    queue,
    kinds: ['dropbox', 'globus'],
    backend: async (kind) => {
      const b = options.backends?.[kind];
      if (!b) throw new Error(`${kind} is not available in this test`);
      return b;
    },
    cleanup: async () => {
      queue.stop();
      // Stop what still runs before the database goes away under it.
      const live = queue.list({ all: true }).filter((j) => !['done', 'failed', 'cancelled'].includes(j.state));
      for (const j of live) queue.cancel(j.id);
      await Promise.race([Promise.all(live.map((j) => queue.wait(j.id).catch(() => undefined))), new Promise((res) => setTimeout(res, 3000))]);
      library.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Adds a file to the library. Uses Library.addFile; while the metadata reader is still a placeholder
 * that cannot tell a SIF, falls back to Library.commitTemp with the metrics given here.
 */
export async function addImage(library: Library, file: string, name: string, metrics: Record<string, unknown> = {}): Promise<void> {
  const n = parseImageName(name);
  const base = { data: { attributes: {} }, type: 'container', format: 'sif', source: 'header', ...metrics };
  if (Object.keys(metrics).length === 0) {
    try {
      await library.addFile(file, n, { copy: true });
      return;
    } catch (e) {
      if ((e as { kind?: string }).kind !== 'not-an-image') throw e;
    }
  }
  const bytes = readFileSync(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const tmp = join(library.storageDir, `.sreg-tmp-test-${process.pid}-${Math.random().toString(16).slice(2)}.part`);
  mkdirSync(library.storageDir, { recursive: true });
  copyFileSync(file, tmp);
  await library.commitTemp(tmp, sha256, statSync(tmp).size, n, { client: 'local' }, base as never);
}

/** Every sample SIF as `samples/<file name>:latest`, plus one image with labels, deffile and environment. */
export async function addSamples(library: Library): Promise<string[]> {
  const names: string[] = [];
  for (const f of readdirSync(SAMPLES).filter((x) => x.endsWith('.sif')).sort()) {
    const name = `samples/${basename(f, '.sif').replace(/_/g, '-')}:latest`;
    await addImage(library, join(SAMPLES, f), name);
    names.push(name);
  }
  await addImage(library, join(SAMPLES, 'busybox_amd64.sif'), 'tools/busybox:1.36', {
    data: {
      attributes: {
        labels: { 'org.label-schema.build-arch': 'amd64', maintainer: 'hpc-team@example.org' },
        deffile: 'Bootstrap: docker\nFrom: busybox:1.36\n\n%runscript\n    exec /bin/sh "$@"\n',
        runscript: '#!/bin/sh\nexec /bin/sh "$@"\n',
        environment: { '/.singularity.d/env/90-environment.sh': 'export PATH=/bin:/usr/bin\nexport LC_ALL=C' },
      },
    },
  });
  names.push('tools/busybox:1.36');
  return names;
}

export function renderApp(services: TuiServices, options: { columns?: number; rows?: number; theme?: Theme; route?: Route } = {}): Rendered {
  return renderFrame(createElement(App, { services, theme: options.theme ?? createTheme(), initialRoute: options.route }), options);
}

/** Checks every screen test makes: no line wider than the terminal, frame shorter than its rows. */
export function frameFits(r: Rendered, columns = 80, rows = 24): { widest: number; height: number } {
  const lines = r.lines();
  const widest = Math.max(0, ...lines.map((l) => [...l].length));
  if (widest > columns) throw new Error(`a line is ${widest} columns wide (max ${columns}):\n${r.text()}`);
  if (lines.length >= rows) throw new Error(`frame is ${lines.length} lines (max ${rows - 1}):\n${r.text()}`);
  return { widest, height: lines.length };
}
