// Small things every command shares: JSON output, confirmation, and the library handle.
import { UsageError } from '../core/errors.js';
import { openLibrary } from '../services/library/index.js';
import type { Library } from '../services/library/images.js';

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function out(line = ''): void {
  process.stdout.write(line + '\n');
}

/** Warnings and notes go to stderr so stdout stays clean for pipes. */
export function note(line: string): void {
  process.stderr.write(line + '\n');
}

/**
 * Asks before something destructive. `--force` skips the question; without a terminal we refuse
 * rather than guess.
 */
export async function confirm(question: string, force: boolean | undefined): Promise<boolean> {
  if (force) return true;
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new UsageError(`${question.replace(/\?$/, '')}: refusing without a terminal to confirm; add --force`);
  }
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
    return answer === 'y' || answer === 'yes';
  } finally {
    rl.close();
  }
}

/** Runs `fn` with the library open, closing it afterwards. */
export async function withLibrary<T>(fn: (lib: Library) => Promise<T> | T): Promise<T> {
  const lib = openLibrary();
  try {
    return await fn(lib);
  } finally {
    lib.close();
  }
}
