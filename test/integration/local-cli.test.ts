// `sreg local`: which Globus endpoint is "this machine", and choosing one with a path mapping that
// sreg proves (a probe file must show up through Globus) before saving it. Runs on the sandbox.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, tempEnv, type TempEnv, runAnswering } from '../helpers/env.js';

const LAPTOP = 'c5f1a7a2-5b3e-11ee-8c99-0242ac120002';
let t: TempEnv;
let env: Record<string, string>;
beforeAll(() => {
  t = tempEnv();
  env = { ...t.env, SREG_SANDBOX_DIR: join(t.dir, 'sandbox') };
});
afterAll(() => t.cleanup());

/** `sreg --sandbox login globus` without a terminal: the sandbox prints the code a browser would show. */
const sandboxLogin = async () => (await runAnswering(['--sandbox', 'login', 'globus'], env, (o) => /code to paste is (\S+)/.exec(o.stderr)?.[1])).code;

const settings = () => JSON.parse(readFileSync(join(t.dir, 'sandbox/config/sreg/settings.json'), 'utf8'));

it('shows the sandbox laptop as this machine, refuses a wrong mapping, accepts a proven one', async () => {
  const loggedOut = JSON.parse((await runCli(['--sandbox', 'local', '--json'], env)).stdout);
  expect(loggedOut).toMatchObject({ endpoint: { endpointId: LAPTOP }, storageReachable: true, problem: expect.stringMatching(/sreg login globus/) });
  expect(await sandboxLogin()).toBe(0);
  const shown = await runCli(['--sandbox', 'local', '--json'], env);
  expect(shown.code, shown.stderr).toBe(0);
  const st = JSON.parse(shown.stdout);
  expect(st).toMatchObject({ endpoint: { endpointId: LAPTOP }, online: true, storageReachable: true });

  const before = settings().globusLocal;
  const wrong = await runCli(['--sandbox', 'local', LAPTOP, join(t.dir, 'sandbox'), '/elsewhere'], env);
  expect(wrong.code).toBe(1);
  expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
  expect(wrong.stderr).toMatch(/^sreg: Globus cannot list \/elsewhere\/library\/shub/);
  expect(settings().globusLocal).toEqual(before);

  const usage = await runCli(['--sandbox', 'local', LAPTOP], env);
  expect(usage.code).toBe(2);

  const right = await runCli(['--sandbox', 'local', `globus://${LAPTOP}`, join(t.dir, 'sandbox'), '/'], env);
  expect(right.code, right.stderr).toBe(0);
  expect(right.stdout).toMatch(/library: reachable through it/);
  expect(settings().globusLocal).toEqual({ endpointId: LAPTOP, localPrefix: join(t.dir, 'sandbox'), remotePrefix: '/' });
});
