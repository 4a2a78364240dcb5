// Step 2 of the metadata chain: `singularity inspect --json …` (or apptainer) through execa, plus the
// small helpers the external-tool steps share. A missing or failing tool yields undefined and a one-line
// warning, never an exception (contracts/sif.md §4).
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { execa } from 'execa';
import type { InspectAttributes } from './types.js';

export interface ToolOptions {
  /** Environment for lookups and children (PATH, SREG_SINGULARITY); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Per-command timeout; 10 s by default. */
  timeoutMs?: number;
  /** Told, in one line, why a step gave nothing. */
  onWarning?: (message: string) => void;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/** Every section the JSON can carry; `--all` would be shorter but older releases lack it. */
export const INSPECT_FLAGS = ['--labels', '--deffile', '--runscript', '--startscript', '--test', '--environment', '--helpfile'];

/** Runs `<singularity|apptainer> inspect --json <flags> FILE`; undefined when unavailable or failing. */
export async function inspectImage(path: string, options: ToolOptions = {}): Promise<InspectAttributes | undefined> {
  const warn = options.onWarning ?? (() => {});
  const env = options.env ?? process.env;
  const binary = await findInspectBinary(env);
  if (!binary.file) {
    warn(binary.reason);
    return undefined;
  }
  const name = binary.file.split('/').pop() ?? binary.file;
  const r = await runTool(binary.file, ['inspect', '--json', ...INSPECT_FLAGS, resolve(path)], options);
  if (!r.ok) {
    warn(`${name} inspect failed: ${r.reason}`);
    return undefined;
  }
  const attributes = parseInspectJson(r.stdout);
  if (!attributes) warn(`${name} inspect printed no inspect JSON`);
  return attributes;
}

/** SREG_SINGULARITY when set (a name or a path, no fallback), else singularity, else apptainer on PATH. */
export async function findInspectBinary(env: NodeJS.ProcessEnv = process.env): Promise<{ file?: string; reason: string }> {
  const named = env.SREG_SINGULARITY?.trim();
  if (named) {
    const file = await findExecutable(named, env);
    return file ? { file, reason: '' } : { reason: `SREG_SINGULARITY=${named} is not an executable; inspect skipped` };
  }
  for (const name of ['singularity', 'apptainer']) {
    const file = await findExecutable(name, env);
    if (file) return { file, reason: '' };
  }
  return { reason: 'no singularity or apptainer on PATH; inspect skipped' };
}

/**
 * The attributes of `inspect --json` output (or of an inspect-metadata.json descriptor), keeping only
 * well-typed values. Undefined when the text holds no `{data:{attributes:{…}}}` object.
 */
export function parseInspectJson(text: string): InspectAttributes | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  let root: unknown;
  try {
    root = JSON.parse(text.slice(start));
  } catch {
    return undefined;
  }
  const attrs = (root as { data?: { attributes?: unknown } } | null)?.data?.attributes;
  if (!isObject(attrs)) return undefined;
  const out: InspectAttributes = {};
  if (isObject(attrs.labels)) out.labels = stringMap(attrs.labels);
  for (const key of ['deffile', 'runscript', 'startscript', 'test', 'helpfile'] as const) {
    const v = attrs[key];
    if (typeof v === 'string' && v !== '') out[key] = v;
  }
  // Releases before 3.5 printed the environment as one string: the 90-environment.sh text.
  if (typeof attrs.environment === 'string' && attrs.environment !== '') {
    out.environment = { '/.singularity.d/env/90-environment.sh': attrs.environment };
  } else if (isObject(attrs.environment)) {
    out.environment = stringMap(attrs.environment);
  }
  if (isObject(attrs.apps)) out.apps = attrs.apps;
  return out;
}

/** The executable's path, from a path or a bare name looked up on env.PATH; undefined when absent. */
export async function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const candidates = name.includes('/') ? [resolve(name)] : (env.PATH ?? '').split(delimiter).filter(isAbsolute).map((dir) => join(dir, name));
  for (const file of candidates) {
    try {
      await access(file, constants.X_OK);
      if ((await stat(file)).isFile()) return file;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

export type RunResult = { ok: true; stdout: string } | { ok: false; reason: string };

/** Runs a tool without a shell, with a timeout; stdout as UTF-8. Never throws for tool failures. */
export async function runTool(file: string, args: string[], options: ToolOptions = {}): Promise<RunResult> {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const r = await execa(file, args, {
    env: options.env,
    timeout,
    reject: false,
    stdin: 'ignore',
    stripFinalNewline: false,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.timedOut) return { ok: false, reason: `timed out after ${timeout} ms` };
  if (r.failed) {
    const detail = firstLine(String(r.stderr ?? '')) || firstLine(String(r.stdout ?? '')) || firstLine(r.shortMessage ?? '');
    return { ok: false, reason: r.exitCode === undefined ? detail : `exit ${r.exitCode}${detail ? `: ${detail}` : ''}` };
  }
  return { ok: true, stdout: String(r.stdout) };
}

function firstLine(s: string): string {
  return s.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringMap(o: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v !== null && v !== undefined) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}
