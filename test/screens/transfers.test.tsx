// Transfers at 80x24: one row per job with direction, name, state, %, rate and time left; x cancels,
// r retries; the summary shows in the status bar on other screens while jobs run.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError, SregError } from '../../src/core/errors.js';
import type { RunContext } from '../../src/services/transfers/types.js';
import { frameFits, makeServices, renderApp, type Rendered, type TestServices } from '../helpers/tui.js';

let services: TestServices;
let r: Rendered | undefined;
/** Jobs named "slow..." move 10 MiB a second until cancelled; "bad..." fail; the rest finish at once. */
async function run(ctx: RunContext): Promise<void> {
  const total = 100 * 1024 * 1024;
  if (ctx.job.destination.startsWith('bad')) throw new SregError('the remote said no (409 path/not_found)');
  if (!ctx.job.destination.startsWith('slow')) return ctx.progress(total, total);
  for (let done = 0; ; done += 1024 * 1024) {
    if (ctx.signal.aborted) throw new CancelledError();
    ctx.progress(Math.min(done, total / 2), total);
    await new Promise((res) => setTimeout(res, 100));
  }
}

beforeEach(async () => {
  services = await makeServices({ runners: { dropbox: { run } } });
});
afterEach(async () => {
  r?.unmount();
  r = undefined;
  await services.cleanup();
});

const enqueue = (destination: string, kind: 'pull' | 'push' = 'pull') =>
  services.queue.enqueue({ kind, backend: 'dropbox', source: `dropbox://lab/${destination}.sif`, destination, imageName: destination, bytesTotal: 100 * 1024 * 1024 });

describe('Transfers screen', () => {
  it('lists jobs with direction, state, percent, rate and time left; the selected one shows its reason', async () => {
    enqueue('done/one:latest');
    enqueue('bad/two:latest', 'push');
    enqueue('slow/three:latest');
    r = renderApp(services, { route: { screen: 'transfers' } });
    await r.waitFor(/slow\/three:latest\s+running\s+\d+%\s+[\d.]+ MiB\/s\s+\d+s/, 8000);
    frameFits(r);
    const text = r.text();
    expect(text).toMatch(/↓ pull done\/one:latest\s+done\s+100%/);
    expect(text).toMatch(/↑ push bad\/two:latest\s+failed/);
    expect(text).toMatch(/1 transfer \d+%/);
    await r.press('j');
    await r.waitFor('why: the remote said no (409 path/not_found)');
    frameFits(r);
  });

  it('x cancels the selected job and r queues a failed one again', async () => {
    const slow = enqueue('slow/four:latest');
    r = renderApp(services, { route: { screen: 'transfers' } });
    await r.waitFor(/running/);
    await r.press('x');
    await r.waitFor(/slow\/four:latest\s+cancelled/);
    expect(services.queue.get(slow.id).state).toBe('cancelled');
    await r.press('r');
    await r.waitFor(`transfer ${slow.id} queued again`);
    await r.waitFor(/slow\/four:latest\s+running/);
    await r.press('x');
    await r.waitFor(/cancelled/);
  });

  it('shows a one-line summary in the status bar while browsing other screens, and q asks before quitting', async () => {
    enqueue('slow/five:latest');
    r = renderApp(services);
    await r.waitFor(/1 transfer \d+%/);
    frameFits(r);
    await r.press('q');
    await r.waitFor('Quit with 1 transfer unfinished?');
    await r.press('n');
    await r.press('3');
    await r.waitFor('Transfers');
    await r.press('x');
  });
});
