// Where things live, and the environment variables that move them. Read on every call (not cached at
// import) so that sandbox mode and tests can point everything elsewhere before the first use.
import { mkdirSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export type Env = Record<string, string | undefined>;

export interface Paths {
  /** Folder holding sregistry.db (SREGISTRY_DATABASE names a folder, as in sregistry-cli). */
  databaseDir: string;
  databaseFile: string;
  /** Image storage (SREGISTRY_STORAGE). */
  storageDir: string;
  /** sreg's settings and secrets (XDG_CONFIG_HOME/sreg). */
  configDir: string;
  secretsFile: string;
  /** Logs (XDG_STATE_HOME/sreg). */
  stateDir: string;
  logFile: string;
}

export function paths(env: Env = process.env): Paths {
  const home = env.HOME || homedir();
  const databaseDir = env.SREGISTRY_DATABASE || join(home, '.singularity');
  const storageDir = env.SREGISTRY_STORAGE || join(home, '.singularity', 'shub');
  const configDir = join(env.XDG_CONFIG_HOME || join(home, '.config'), 'sreg');
  const stateDir = join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'sreg');
  return {
    databaseDir,
    databaseFile: join(databaseDir, 'sregistry.db'),
    storageDir,
    configDir,
    secretsFile: join(configDir, 'secrets.json'),
    stateDir,
    logFile: join(stateDir, 'sreg.log'),
  };
}

/** Default number of concurrent transfers: SREG_CONCURRENCY, else SREGISTRY_PYTHON_THREADS, else 4. */
export function concurrency(env: Env = process.env): number {
  for (const v of [env.SREG_CONCURRENCY, env.SREGISTRY_PYTHON_THREADS]) {
    const n = Number(v);
    if (v && Number.isInteger(n) && n > 0) return Math.min(n, 32);
  }
  return 4;
}

export function isSandbox(env: Env = process.env): boolean {
  return env.SREG_SANDBOX === '1' || env.SREG_SANDBOX === 'true';
}

/** The sandbox's own folder: shared by this user's sandbox runs, under the system temp folder. */
export function sandboxDir(env: Env = process.env): string {
  return env.SREG_SANDBOX_DIR || join(tmpdir(), `sreg-sandbox-${userInfo().uid}`);
}

/**
 * Points library, config and state at the sandbox folder (a throw-away library), and forgets the
 * variables that would reach a real account. Idempotent; library commands need only this, not the servers.
 */
export function applySandboxPaths(env: Env = process.env): string {
  const dir = sandboxDir(env);
  const library = join(dir, 'library');
  mkdirSync(join(library, 'shub'), { recursive: true });
  Object.assign(env, {
    SREGISTRY_DATABASE: library,
    SREGISTRY_STORAGE: join(library, 'shub'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_STATE_HOME: join(dir, 'state'),
  });
  delete env.SREGISTRY_DROPBOX_TOKEN;
  delete env.SREGISTRY_CLIENT;
  return dir;
}

/** Lazily created settings store (conf), kept in the config folder. */
export async function openSettings(env: Env = process.env) {
  const { default: Conf } = await import('conf');
  return new Conf<Settings>({ projectName: 'sreg', cwd: paths(env).configDir, configName: 'settings' });
}

export interface Bookmark {
  label: string;
  uri: string;
}

export interface Settings {
  activeBackend?: string;
  globusClientId?: string;
  /** The Globus collection that is "this machine", and how its paths map to local paths. */
  globusLocal?: { endpointId: string; localPrefix: string; remotePrefix: string };
  bookmarks?: Bookmark[];
  dropboxAppKey?: string;
}
