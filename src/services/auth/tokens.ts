// The secret store: one JSON file, mode 0600, written atomically. Tokens are never printed or logged.
// An existing sregistry-cli `~/.sregistry` file is read for import, never rewritten.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { paths, type Env } from '../config.js';
import { registerSecret } from '../log.js';

export type SecretRecord = Record<string, unknown>;
type Store = Record<string, SecretRecord>;

export class SecretStore {
  constructor(private readonly file: string = paths().secretsFile) {}

  private read(): Store {
    if (!existsSync(this.file)) return {};
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as Store;
      for (const rec of Object.values(data)) for (const v of Object.values(rec ?? {})) if (typeof v === 'string') registerSecret(v);
      return data;
    } catch {
      return {};
    }
  }

  private write(store: Store): void {
    const dir = dirname(this.file);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(store, null, 2) + '\n', { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }

  get<T extends SecretRecord = SecretRecord>(service: string): T | undefined {
    return this.read()[service] as T | undefined;
  }

  set(service: string, record: SecretRecord): void {
    for (const v of Object.values(record)) if (typeof v === 'string') registerSecret(v);
    const store = this.read();
    store[service] = record;
    this.write(store);
  }

  /** Merges fields into a service's record (e.g. a refreshed access token). */
  update(service: string, patch: SecretRecord): void {
    this.set(service, { ...(this.get(service) ?? {}), ...patch });
  }

  delete(service: string): void {
    const store = this.read();
    if (!(service in store)) return;
    delete store[service];
    this.write(store);
  }
}

/** sregistry-cli's secrets (`SREGISTRY_CREDENTIALS_CACHE` or ~/.sregistry), read-only. */
export function readSregistrySecrets(env: Env = process.env): Record<string, unknown> {
  const file = env.SREGISTRY_CREDENTIALS_CACHE || join(env.HOME || homedir(), '.sregistry');
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return data && typeof data === 'object' ? data : {};
  } catch {
    return {};
  }
}
