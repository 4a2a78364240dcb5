// Shared bench helpers: timing child processes, medians, temp dirs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(REPO, 'bin/sreg.js');
export const SAMPLES = resolve(REPO, '../shared/sif-samples');

export function tempDir(prefix = 'sreg-bench-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Wall time in seconds of a command, run `n` times; returns all samples. */
export function timeRuns(cmd, args, { n = 10, env = process.env, check = true } = {}) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    if (check && r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
    out.push(dt);
  }
  return out;
}

export const fmt = (s) => `${(s * 1000).toFixed(1)} ms`;
