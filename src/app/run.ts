// `sreg` on a terminal: open the services, switch to the alternate screen, render the App, and put
// the terminal back however we leave (q, Ctrl-C, a signal, a crash).
import { writeSync } from 'node:fs';
import { messageOf } from '../core/errors.js';

const ENTER_ALT = '\x1b[?1049h\x1b[H\x1b[2J';
const LEAVE_ALT = '\x1b[?25h\x1b[?1049l';

/**
 * Frames per second: fewer over SSH, where each frame crosses a slow link. Ink's cap (es-toolkit's
 * throttle) pushes its trailing frame back on every call and draws early only on a call a whole window
 * after the first one it held, so a held arrow key repeating a little faster than the window (every
 * 30 ms against 30 fps's 34 ms) waited up to two windows for its frame: p95 near 50 ms, max 60-100 ms
 * in bench/globus-listing.mjs. At 60 fps (17 ms) each repeat draws at once. Over SSH 30 fps halves the
 * bytes sent while scrolling and keeps a key's frame within about 50 ms (10 fps cost some 130 ms).
 */
export function frameRate(env: NodeJS.ProcessEnv = process.env): number {
  return env.SSH_CONNECTION || env.SSH_CLIENT || env.SSH_TTY ? 30 : 60;
}

export async function runTui(): Promise<number> {
  // Ink buffers every frame until exit, and chalk drops all styles, when they think they run in CI.
  // The TUI only starts on a real terminal, so that guess is wrong here; clear it before they load.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  // React's development build checks every element; a user's terminal wants the production one.
  process.env.NODE_ENV ??= 'production';

  let inAlt = false;
  const leave = () => {
    if (!inAlt) return;
    inAlt = false;
    try {
      writeSync(1, LEAVE_ALT);
    } catch {
      /* the terminal is gone */
    }
  };
  // Take the screen and the keyboard at once: loading Ink and the database takes a moment on a busy
  // login node, and keys typed meanwhile should wait for us instead of echoing on the screen.
  process.stdout.write(ENTER_ALT + 'sreg: opening the library...');
  inAlt = true;
  process.on('exit', leave);
  process.stdin.setRawMode?.(true);

  const [{ openServices }, { log }, { render }, React, { App }, { themeFromEnv }] = await Promise.all([
    import('../services/index.js'),
    import('../services/log.js'),
    import('ink'),
    import('react'),
    import('./App.js'),
    import('./theme.js'),
  ]);
  let services: Awaited<ReturnType<typeof openServices>>;
  try {
    services = await openServices({ adoptAll: true });
  } catch (e) {
    leave();
    process.stdin.setRawMode?.(false);
    process.stderr.write(`sreg: ${messageOf(e)}\n`);
    return 1;
  }
  void services.library.sweep().catch(() => undefined);
  services.queue.schedule();
  process.stdout.write('\x1b[2J\x1b[H');

  const instance = render(React.createElement(App, { services, theme: themeFromEnv() }), {
    exitOnCtrlC: true,
    patchConsole: false,
    // Ink 6.8's incremental mode puts every updated line one row too low when the frame ends with a
    // newline (our frame is rows - 1 high, so it always does); the e2e test catches it. Full frames
    // are written inside synchronized-output brackets, so they do not flicker.
    incrementalRendering: false,
    maxFps: frameRate(),
  });

  let code = 0;
  const onSignal = (n: number) => () => {
    code = 128 + n;
    instance.unmount();
  };
  const handlers: Array<[NodeJS.Signals, () => void]> = [
    ['SIGINT', onSignal(2)],
    ['SIGTERM', onSignal(15)],
    ['SIGHUP', onSignal(1)],
  ];
  for (const [s, h] of handlers) process.on(s, h);
  const crash = (e: unknown) => {
    instance.unmount();
    leave();
    process.stderr.write(`sreg: unexpected error: ${messageOf(e)}\n`);
    if (process.env.SREG_DEBUG === '1') process.stderr.write(String((e as Error)?.stack) + '\n');
    process.exit(1);
  };
  // A promise someone forgot to catch (a background token refresh, say) is logged, not fatal: the
  // screen that started the work shows its own error.
  const stray = (e: unknown) => log('tui', `unhandled rejection: ${messageOf(e)}`);
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', stray);

  try {
    await instance.waitUntilExit();
  } catch (e) {
    leave();
    process.stderr.write(`sreg: ${messageOf(e)}\n`);
    code = 1;
  } finally {
    leave();
    for (const [s, h] of handlers) process.off(s, h);
    process.off('uncaughtException', crash);
    process.off('unhandledRejection', stray);
    await services.close().catch(() => undefined);
    process.stdin.unref?.();
    // Transfers stay in the database and resume next time; do not let a stuck socket hold the exit.
    setTimeout(() => process.exit(code), 1500).unref();
  }
  return code;
}
