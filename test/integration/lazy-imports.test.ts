// `sreg --version` and `sreg images` must start fast: they load neither Ink, React nor any SDK.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BIN, REPO, tempEnv, type TempEnv } from '../helpers/env.js';

let t: TempEnv;
beforeEach(() => (t = tempEnv()));
afterEach(() => t.cleanup());

function loaded(args: string[]): string[] {
  const trace = join(t.dir, 'trace.txt');
  const r = spawnSync(process.execPath, ['--import', join(REPO, 'test/fixtures/trace-imports.mjs'), BIN, ...args], {
    env: { ...process.env, ...t.env, SREG_TRACE_IMPORTS: trace },
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(trace, 'utf8').split('\n');
}

const HEAVY = /node_modules\/(ink|react|react-reconciler|@globus|dropbox|ink-select-input|qrcode)\//;

it.each([[['--version']], [['images']], [['images', '--json']], [['get', '--help']]])('sreg %j loads no UI or SDK module', (args) => {
  const urls = loaded(args);
  expect(urls.some((u) => u.includes('/bin/sreg.js'))).toBe(true); // the trace works
  expect(urls.filter((u) => HEAVY.test(u))).toEqual([]);
});
