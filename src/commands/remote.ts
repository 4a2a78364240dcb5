// What the remote commands share: opening the services, choosing the backend for an address (its
// scheme, else SREGISTRY_CLIENT or the activated backend), and reading one line the user pastes.
import { createInterface } from 'node:readline';
import { UsageError } from '../core/errors.js';
import { splitScheme } from '../core/uri.js';
import type { BackendKind, RemoteBackend } from '../services/backends/backend.js';
import { BACKEND_KINDS, openServices, type Services } from '../services/index.js';

export async function withServices<T>(fn: (s: Services) => Promise<T>, options: { adoptAll?: boolean } = {}): Promise<T> {
  const s = await openServices(options);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

export function checkKind(name: string): BackendKind {
  const k = name.toLowerCase();
  if (!(BACKEND_KINDS as string[]).includes(k)) throw new UsageError(`unknown backend "${name}" (known: ${BACKEND_KINDS.join(', ')})`);
  return k as BackendKind;
}

/** The backend an address goes to; throws a usage error naming the ways to choose one. */
export function kindFor(s: Services, address: string | undefined): BackendKind {
  const { scheme } = splitScheme(address ?? '');
  if (scheme) {
    if (!(BACKEND_KINDS as string[]).includes(scheme)) throw new UsageError(`unknown backend "${scheme}://" (known: ${BACKEND_KINDS.map((k) => k + '://').join(', ')})`);
    return scheme as BackendKind;
  }
  const active = s.activeBackend();
  if (active) return active;
  throw new UsageError(
    `${address ? `no backend for "${address}"` : 'which backend? none is active'}: write it as ${BACKEND_KINDS.map((k) => k + '://…').join(' or ')}, set SREGISTRY_CLIENT, or run: sreg backend activate NAME`,
  );
}

export async function backendFor(s: Services, address: string | undefined): Promise<{ kind: BackendKind; backend: RemoteBackend }> {
  const kind = kindFor(s, address);
  return { kind, backend: await s.backend(kind) };
}

/** One line from stdin: a prompt on a terminal, else the next line of piped input (scriptable). */
export function readLine(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const tty = process.stdin.isTTY;
    const rl = createInterface({ input: process.stdin, output: tty ? process.stderr : undefined, terminal: tty });
    let done = false;
    rl.once('line', (line) => {
      done = true;
      rl.close();
      resolve(line.trim());
    });
    rl.once('close', () => {
      if (!done) reject(new UsageError('no input: expected a line on stdin'));
    });
    if (tty) {
      rl.setPrompt(prompt);
      rl.prompt();
    }
  });
}
