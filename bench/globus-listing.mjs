// Listing a 100,000-entry Globus folder (sandbox, in this process): backend.list() wall time, time to
// first rows on screen, and keypress-to-frame latency while scrolling the Browser at 80x24, each next to
// a 100-entry folder measured in the same run. Target: under 50 ms per key at the 95th percentile.
// Prints figures, asserts nothing. Needs the compiled code: npm run build (or npx tsc -p tsconfig.json).
// Env: BENCH_ENTRIES (100000), BENCH_KEYS (300), BENCH_RUNS (3), BENCH_REACT=development (default: the
// production React build, as bin/sreg.js uses on a terminal), BENCH_FPS (default: the binary's frame rate).
import { EventEmitter } from 'node:events';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as immediate, setTimeout as sleep } from 'node:timers/promises';
import { median, tempDir } from './lib.mjs';

// Set before Ink, chalk and React load (they read these once): Ink would hold every frame until exit
// when it thinks it runs in CI, chalk would drop the styles a user's terminal shows, and the binary
// runs React's production build (src/app/run.ts).
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
process.env.FORCE_COLOR ??= '3';
process.env.NODE_ENV = process.env.BENCH_REACT === 'development' ? 'development' : 'production';

const BIG = Number(process.env.BENCH_ENTRIES) || 100_000;
const SMALL = 100;
const KEYS = Number(process.env.BENCH_KEYS) || 300;
const RUNS = Number(process.env.BENCH_RUNS) || 3;
const SPACING_MS = 30;
const COLUMNS = 80;
const ROWS = 24;
const ENDPOINT = '5b0e3c1a-7f2d-4c8e-9a61-3d4f5e6a7b8c';
const EXTS = ['sif', 'simg', 'img', 'def', 'txt', 'log', 'tar.gz'];

const { startGlobusSandbox } = await import('../dist/sandbox/globus.js');
const { openServices } = await import('../dist/services/index.js');
const { App } = await import('../dist/app/App.js');
const { createTheme } = await import('../dist/app/theme.js');
const { frameRate } = await import('../dist/app/run.js');
const { render } = await import('ink');
const FPS = Number(process.env.BENCH_FPS) || frameRate({});
const React = await import('react');

// --- a terminal of 80x24 that timestamps every frame, and a keyboard --------------------------------

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;

class FakeStdout extends EventEmitter {
  isTTY = true;
  columns = COLUMNS;
  rows = ROWS;
  /** Frames as written: { t, data }. Parsing waits until after the write (it would count as render time). */
  frames = [];
  wake = null;
  write = (data) => {
    // Ink writes a frame in one piece; cursor hiding and synchronized-output brackets have no newline.
    if (typeof data === 'string' && data.includes('\n')) {
      this.frames.push({ t: performance.now(), data });
      const w = this.wake;
      this.wake = null;
      w?.();
    }
    return true;
  };
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  queued = null;
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
  send(data) {
    this.queued = data;
    this.emit('readable');
  }
}

const KEY = { down: '\x1b[B', up: '\x1b[A', pagedown: '\x1b[6~', G: 'G', g: 'g' };

/** The index of the remote entry under the cursor in a frame (names are img-NNNNNN.ext, 1-based). */
function cursorOf(frame) {
  if (frame.cursor === undefined) {
    const m = /›\S?\s?img-(\d{6})/.exec(frame.data.replace(ANSI, ''));
    frame.cursor = m ? Number(m[1]) - 1 : null;
  }
  return frame.cursor;
}

/** Mounts the App on the Browser at `location`; `mode` app = the options run.ts uses, unthrottled = tests'. */
function mount(services, location, mode) {
  const stdout = new FakeStdout();
  const stdin = new FakeStdin();
  const stderr = new FakeStdout();
  const started = performance.now();
  const instance = render(
    React.createElement(App, { services, theme: createTheme(), initialRoute: { screen: 'browser', backend: 'globus', location } }),
    {
      stdout, stdin, stderr, exitOnCtrlC: false, patchConsole: false,
      ...(mode === 'app' ? { incrementalRendering: false, maxFps: FPS } : { debug: true }),
    },
  );
  let seen = 0;
  const app = {
    started,
    stdout,
    /** First frame at or after `since` that satisfies `pred`, or undefined after timeoutMs. */
    async frameAfter(since, pred, timeoutMs = 5000) {
      const end = performance.now() + timeoutMs;
      for (let i = 0; ; ) {
        for (; i < stdout.frames.length; i++) {
          const f = stdout.frames[i];
          if (f.t >= since && pred(f)) return f;
        }
        const left = end - performance.now();
        if (left <= 0) return undefined;
        await new Promise((ok) => {
          const timer = setTimeout(ok, left);
          stdout.wake = () => {
            clearTimeout(timer);
            ok();
          };
        });
      }
    },
    /** Writes a key; returns the time just before the write. */
    send(key) {
      const t = performance.now();
      stdin.send(KEY[key] ?? key);
      return t;
    },
    /** Sends a key and waits for the frame with the cursor on `index` (closed loop); latency in ms. */
    async press(key, index, timeoutMs = 5000) {
      const t = app.send(key);
      const f = await app.frameAfter(t, (fr) => cursorOf(fr) === index, timeoutMs);
      return f ? f.t - t : Infinity;
    },
    /** Keeps only frames after now (memory), leaving the last one to read the cursor from. */
    trim() {
      seen = stdout.frames.length;
      if (seen > 1) stdout.frames.splice(0, seen - 1);
    },
    cursor() {
      const f = stdout.frames[stdout.frames.length - 1];
      return f ? cursorOf(f) : null;
    },
    unmount() {
      instance.unmount();
      instance.cleanup?.();
    },
  };
  return app;
}

// --- measurements --------------------------------------------------------------------------------

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const stats = (xs) => ({ n: xs.length, p50: pct(xs, 50), p95: pct(xs, 95), max: Math.max(...xs), lost: xs.filter((x) => !Number.isFinite(x)).length });

async function toTop(app) {
  if (app.cursor() === 0) return;
  await app.press('g', 0);
  await sleep(40);
}

/** `down` KEYS times, one every SPACING_MS (after the frame when a key takes longer); ping-pong in a small folder. */
async function spacedDowns(app, count) {
  await toTop(app);
  const out = [];
  let pos = 0;
  let dir = 1;
  for (let i = 0; i < KEYS; i++) {
    if (pos + dir < 0 || pos + dir >= count) dir = -dir;
    pos += dir;
    const t0 = performance.now();
    out.push(await app.press(dir > 0 ? 'down' : 'up', pos));
    const rest = SPACING_MS - (performance.now() - t0);
    if (rest > 0) await sleep(rest);
    if (i % 50 === 49) app.trim();
  }
  return out;
}

/**
 * `down` as fast as they can be written (one write per turn of the event loop), faster than the App
 * takes them (one key per turn, see src/app/keys.ts), so the latencies are mostly queueing: each key's is
 * the first frame showing the cursor at or past where that key puts it. The drain time, first write to
 * the frame with the last key's effect, divided by the keys, is the figure to compare.
 */
async function burstDowns(app) {
  await toTop(app);
  app.trim();
  const n = Math.min(KEYS, SMALL - 1); // the same run of keys in both folders
  const sent = [];
  for (let i = 0; i < n; i++) {
    sent.push(app.send('down'));
    await immediate();
  }
  const last = await app.frameAfter(sent[0], (f) => cursorOf(f) === n, 60_000);
  const frames = app.stdout.frames;
  const lat = sent.map((t, i) => {
    const f = frames.find((fr) => fr.t >= t && cursorOf(fr) !== null && cursorOf(fr) >= i + 1);
    return f ? f.t - t : Infinity;
  });
  const drain = last ? last.t - sent[0] : Infinity;
  await sleep(50);
  app.trim();
  return { lat, drain, perKey: drain / n, n };
}

/** PageDown, spaced; back to the top (unmeasured) when the cursor reaches the bottom. */
async function pageDowns(app, count, n = 30) {
  await toTop(app);
  const out = [];
  for (let i = 0; i < n; i++) {
    if (app.cursor() === count - 1) await toTop(app);
    const before = app.cursor();
    const t = app.send('pagedown');
    const f = await app.frameAfter(t, (fr) => cursorOf(fr) !== null && cursorOf(fr) !== before);
    out.push(f ? f.t - t : Infinity);
    await sleep(60);
  }
  app.trim();
  return out;
}

/** G (bottom) from the top, then g back (unmeasured), n times. */
async function bottoms(app, count, n = 10) {
  await toTop(app);
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(await app.press('G', count - 1));
    await sleep(60);
    await toTop(app);
  }
  app.trim();
  return out;
}

/** Mount to the first frame with the first entry; `listed`: when the App's backend.list() call resolved. */
async function firstRows(services, location, mode, listed) {
  listed.at = undefined;
  const app = mount(services, location, mode);
  const f = await app.frameAfter(0, (fr) => cursorOf(fr) === 0, 120_000);
  if (!f) throw new Error(`no rows on screen for ${location}:\n${app.stdout.frames.at(-1)?.data.replace(ANSI, '')}`);
  return { app, ms: f.t - app.started, afterList: listed.at === undefined ? NaN : f.t - listed.at };
}

// --- set-up: sandbox, folders, login -------------------------------------------------------------

const dir = tempDir('sreg-bench-listing-');
let sandbox;
let services;
try {
  const env = {
    HOME: join(dir, 'home'), SREGISTRY_DATABASE: join(dir, 'db'), SREGISTRY_STORAGE: join(dir, 'db', 'shub'),
    XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state'),
  };
  for (const d of [env.HOME, env.SREGISTRY_STORAGE]) mkdirSync(d, { recursive: true });
  process.env.XDG_STATE_HOME = env.XDG_STATE_HOME; // sreg's request log goes to the temp folder
  const root = join(dir, 'endpoint');
  sandbox = await startGlobusSandbox({
    dataDir: join(dir, 'sandbox'), persist: false,
    endpoints: [{ id: ENDPOINT, display_name: 'bench listing', entity_type: 'GCP_mapped_collection', root, scopes: ['my-endpoints'], gcp_connected: true }],
  });
  const t0 = performance.now();
  const fill = (folder, n) => {
    const disk = sandbox.endpointPath(ENDPOINT, `/${folder}/`);
    mkdirSync(disk, { recursive: true });
    for (let i = 1; i <= n; i++) {
      writeFileSync(join(disk, `img-${String(i).padStart(6, '0')}.${EXTS[i % EXTS.length]}`), i % 3 ? '' : 'x'.repeat(i % 97));
    }
    return `globus://${ENDPOINT}/${folder}/`;
  };
  const small = fill('small', SMALL);
  const big = fill('big', BIG);
  const setupMs = performance.now() - t0;

  Object.assign(env, sandbox.env);
  services = await openServices({ env });
  const globus = await services.backend('globus');
  const flow = globus.login();
  const start = await flow.start();
  const q = new URL(start.url).searchParams;
  await flow.finish(sandbox.approveAuthorization({
    client_id: q.get('client_id') ?? '', code_challenge: q.get('code_challenge') ?? '', code_challenge_method: q.get('code_challenge_method') ?? undefined,
    scope: q.get('scope') ?? '', redirect_uri: q.get('redirect_uri') ?? '', access_type: q.get('access_type') ?? undefined, state: q.get('state') ?? undefined,
  }));

  // (a) backend.list(): the whole path (HTTP, the sandbox's ls, JSON, rows), and the sandbox's share.
  const listTimes = async (location, n) => {
    const wall = [];
    const server = [];
    await globus.list(location); // warm: endpoint document cached, connection open
    for (let i = 0; i < n; i++) {
      sandbox.requests.length = 0;
      const t = performance.now();
      const l = await globus.list(location);
      wall.push(performance.now() - t);
      server.push(sandbox.requests.filter((r) => r.path.endsWith('/ls')).reduce((s, r) => s + r.ms, 0));
      if (l.entries.length !== (location === big ? BIG : SMALL)) throw new Error(`listed ${l.entries.length} entries`);
    }
    return { wall: median(wall), server: median(server) };
  };
  const list = { small: await listTimes(small, 10), big: await listTimes(big, RUNS) };

  // The App gets this same backend object; note when its listing arrives, to split time to first rows.
  const listed = {};
  const realList = globus.list.bind(globus);
  globus.list = async (...args) => {
    const l = await realList(...args);
    listed.at = performance.now();
    return l;
  };

  // (b) first rows and (c) keys, in both render modes, after one unmeasured mount (the JIT warms up).
  (await firstRows(services, small, 'app', listed)).app.unmount();
  const results = {};
  for (const mode of ['app', 'unthrottled']) {
    results[mode] = {};
    for (const [name, location, count] of [['small', small, SMALL], ['big', big, BIG]]) {
      const runs = mode === 'app' ? RUNS : 1;
      const first = [];
      const afterList = [];
      let app;
      for (let r = 0; r < runs; r++) {
        app?.unmount();
        ({ app, ms: first[r], afterList: afterList[r] } = await firstRows(services, location, mode, listed));
      }
      await sleep(100);
      app.trim();
      const res = { first: median(first), afterList: median(afterList) };
      res.down = stats(await spacedDowns(app, count));
      const b = await burstDowns(app);
      res.burst = { ...stats(b.lat), drain: b.drain, perKey: b.perKey, n: b.n };
      res.pagedown = stats(await pageDowns(app, count));
      res.G = stats(await bottoms(app, count));
      app.unmount();
      results[mode][name] = res;
    }
  }

  // --- the table ---
  const ms = (x) => (Number.isFinite(x) ? (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`) : 'lost');
  const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}x` : '-');
  const line = (what, s, b, note = '') => console.log(what.padEnd(40), s.padStart(22), b.padStart(24), note.padStart(14));
  const trio = (x) => `${ms(x.p50)} / ${ms(x.p95)} / ${ms(x.max)}`.replace(/ ms/g, '');
  console.log(`Globus listing: ${BIG} entries vs ${SMALL} (sandbox in this process, React ${process.env.NODE_ENV}, ${COLUMNS}x${ROWS}); folders made in ${ms(setupMs)}`);
  line('', `${SMALL} entries`, `${BIG} entries`, 'ratio');
  line('backend.list() median', ms(list.small.wall), ms(list.big.wall), ratio(list.big.wall, list.small.wall));
  line('  of which the sandbox answering ls', ms(list.small.server), ms(list.big.server), ratio(list.big.server, list.small.server));
  for (const mode of ['app', 'unthrottled']) {
    const { small: s, big: b } = results[mode];
    console.log(mode === 'app'
      ? `\nApp as bin/sreg.js renders it (maxFps ${FPS}, full frames); key latency = write to stdin -> frame showing it, p50 / p95 / max ms`
      : '\nUnthrottled render (debug: true, as the screen tests render): the work per key without the frame-rate cap');
    line(`first rows on screen (median of ${mode === 'app' ? RUNS : 1})`, ms(s.first), ms(b.first), ratio(b.first, s.first));
    line('  of which listing arrived -> rows drawn', ms(s.afterList), ms(b.afterList), ratio(b.afterList, s.afterList));
    line(`down, ${SPACING_MS} ms apart (${KEYS} keys)`, trio(s.down), trio(b.down), `p95 ${ratio(b.down.p95, s.down.p95)}`);
    line(`down, burst (${b.burst.n} keys)`, trio(s.burst), trio(b.burst), `p95 ${ratio(b.burst.p95, s.burst.p95)}`);
    line('  burst: ms per key until drained', ms(s.burst.perKey), ms(b.burst.perKey), ratio(b.burst.perKey, s.burst.perKey));
    line(`PageDown (${s.pagedown.n} keys)`, trio(s.pagedown), trio(b.pagedown), `p95 ${ratio(b.pagedown.p95, s.pagedown.p95)}`);
    line(`G, to the bottom (${s.G.n} keys)`, trio(s.G), trio(b.G), `p95 ${ratio(b.G.p95, s.G.p95)}`);
    const lost = ['down', 'burst', 'pagedown', 'G'].reduce((n, k) => n + s[k].lost + b[k].lost, 0);
    if (lost) console.log(`  ${lost} key(s) never showed on screen within the timeout`);
  }
  const p95 = results.app.big.down.p95;
  console.log(`\ntarget: down p95 under 50 ms in the ${BIG}-entry folder: ${ms(p95)} (${p95 < 50 ? 'met' : 'MISSED'})`);
} finally {
  await services?.close().catch(() => {});
  await sandbox?.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}
