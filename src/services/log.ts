// The request and transfer log: one line per event under the XDG state folder, secrets redacted.
// `sreg --debug` mirrors lines to stderr; the Log screen reads the tail.
import { appendFileSync, mkdirSync, readFileSync, statSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { paths } from './config.js';

const SECRET_KEYS = /("?(?:access_token|refresh_token|id_token|code_verifier|code|token|client_secret|password)"?\s*[:=]\s*"?)([^"&\s,}]+)/gi;
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi;

/** Removes anything that looks like a credential from a line of text. */
export function redact(text: string): string {
  return text.replace(BEARER, '$1[redacted]').replace(SECRET_KEYS, '$1[redacted]');
}

let debugToStderr = process.env.SREG_DEBUG === '1';
const secrets = new Set<string>();

export function setDebug(on: boolean): void {
  debugToStderr = on;
}

/** Exact secret values to strip from every line (tokens we hold), whatever their context. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 8) secrets.add(value);
}

function scrub(line: string): string {
  let out = redact(line);
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[redacted]');
  return out;
}

const MAX_LOG = 5 * 1024 * 1024;

export function log(category: string, message: string): void {
  const line = scrub(`${new Date().toISOString()} ${category} ${message}`);
  if (debugToStderr) process.stderr.write(line + '\n');
  const file = paths().logFile;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    try {
      if (statSync(file).size > MAX_LOG) renameSync(file, file + '.1');
    } catch {
      /* no log yet */
    }
    appendFileSync(file, line + '\n', { mode: 0o600 });
  } catch {
    // Logging must never break the operation it describes.
  }
}

/** The last `n` lines of the log (for the Log screen). */
export function tailLog(n = 200): string[] {
  try {
    const text = readFileSync(paths().logFile, 'utf8');
    const lines = text.split('\n').filter(Boolean);
    return lines.slice(-n);
  } catch {
    return [];
  }
}
