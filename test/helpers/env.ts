// Temp folders for a library, config and state, and a way to run the real CLI against them.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

export const REPO = resolve(import.meta.dirname, '../..');
export const SAMPLES = resolve(REPO, '../shared/sif-samples');
export const BIN = join(REPO, 'bin/sreg.js');

export interface TempEnv {
  dir: string;
  env: Record<string, string>;
  cleanup(): void;
}

export function tempEnv(prefix = 'sreg-test-'): TempEnv {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const env = {
    HOME: join(dir, 'home'),
    SREGISTRY_DATABASE: join(dir, 'db'),
    SREGISTRY_STORAGE: join(dir, 'db', 'shub'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_STATE_HOME: join(dir, 'state'),
  };
  for (const d of [env.HOME, env.SREGISTRY_DATABASE]) mkdirp(d);
  return { dir, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function mkdirp(d: string) {
  if (!existsSync(d)) mkdirSync(d, { recursive: true });
}

/** A copy of a sample SIF in `dir` (tests may consume or modify it). */
export function sample(name: string, dir: string, as = name): string {
  const dest = join(dir, as);
  copyFileSync(join(SAMPLES, name), dest);
  return dest;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/sreg.js ARGS` with only the given environment on top of PATH. */
export function runCli(args: string[], env: Record<string, string>, options: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A user error: exactly one line on stderr, `sreg: ...` matching `pattern`, no stack, this exit code. */
export function expectOneLine(r: CliResult, code: number, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^sreg: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
}

/**
 * Runs the CLI and writes one answer to its stdin (then closes it) as soon as `answer` returns one
 * for the output so far: a login that prints a URL, then reads the code.
 */
export function runAnswering(
  args: string[],
  env: Record<string, string>,
  answer: (out: { stdout: string; stderr: string }) => string | undefined,
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const seen = { stdout: '', stderr: '' };
    const offer = () => {
      if (child.stdin.writableEnded) return;
      const reply = answer(seen);
      if (reply !== undefined) child.stdin.end(reply + '\n');
    };
    child.stdout.on('data', (d) => ((seen.stdout += d), offer()));
    child.stderr.on('data', (d) => ((seen.stderr += d), offer()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, ...seen });
    });
  });
}

/** The URL a login printed on a line of its own, if it has. */
export const printedUrl = (stdout: string) => stdout.split('\n').find((l) => l.startsWith('http'))?.trim();
