// The Browser over the Globus sandbox: `d` on a file asks, then deletes it with a Globus DELETE task.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SANDBOX_LAB_ID } from '../../src/sandbox/globus.js';
import { harness, type Harness } from '../integration/globus-harness.js';
import { frameFits, makeServices, renderApp, type TestServices } from '../helpers/tui.js';

let h: Harness;
let services: TestServices;
beforeAll(async () => {
  h = await harness();
  await h.login();
  services = await makeServices({ backends: { globus: h.globus } });
});
afterAll(async () => {
  await services.cleanup();
  await h.close();
});

it('d on a Globus file asks, then deletes it there', async () => {
  mkdirSync(h.sandbox.endpointPath(SANDBOX_LAB_ID, '/trash'), { recursive: true });
  const file = h.sandbox.endpointPath(SANDBOX_LAB_ID, '/trash/old.sif');
  writeFileSync(file, 'sif');
  const r = renderApp(services, { route: { screen: 'browser', backend: 'globus', location: `globus://${SANDBOX_LAB_ID}/trash/` } });
  try {
    await r.waitFor('old.sif');
    await r.press('d');
    await r.waitFor('Delete 1 item on Globus?');
    frameFits(r);
    await r.press('y');
    await r.waitFor('deleted 1 item on Globus', 10_000);
    expect(existsSync(file)).toBe(false);
    await r.waitFor(() => !r.text().includes('old.sif'));
  } finally {
    r.unmount();
  }
});
