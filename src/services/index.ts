// Wiring: builds the services both faces use (library, secrets, settings, backends, transfer queue).
// Backends are imported lazily so commands that do not need an SDK never load one.
import { UsageError } from '../core/errors.js';
import { SecretStore } from './auth/tokens.js';
import type { BackendKind, RemoteBackend } from './backends/backend.js';
import { concurrency, isSandbox, openSettings, paths, type Env, type Settings } from './config.js';
import type { Library } from './library/images.js';
import { openLibrary } from './library/index.js';
import { TransferQueue } from './transfers/queue.js';
import type { TransferRunner } from './transfers/types.js';

export { openLibrary };

export const BACKEND_KINDS: BackendKind[] = ['dropbox', 'globus'];

/** What a backend module needs from the rest of sreg. */
export interface BackendContext {
  env: Env;
  secrets: SecretStore;
  settings: Awaited<ReturnType<typeof openSettings>>;
  library: Library;
  /** Present in sandbox mode: the in-process fakes, for hints such as the code to paste. */
  sandbox?: SandboxHandle;
}

export interface SandboxHandle {
  dir: string;
  /** Returns the code the user would paste after approving `url` in a browser. */
  approve(url: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export interface BackendModule {
  createBackend(ctx: BackendContext): { backend: RemoteBackend; runner: TransferRunner };
}

const LOADERS: Record<string, () => Promise<BackendModule>> = {
  dropbox: () => import('./backends/dropbox/index.js'),
  globus: () => import('./backends/globus/index.js'),
};

export interface Services {
  env: Env;
  library: Library;
  secrets: SecretStore;
  settings: Awaited<ReturnType<typeof openSettings>>;
  queue: TransferQueue;
  sandbox?: SandboxHandle;
  backend(kind: BackendKind): Promise<RemoteBackend>;
  runner(kind: BackendKind): Promise<TransferRunner>;
  /** The backend a scheme-less URI goes to: SREGISTRY_CLIENT, else the activated one. */
  activeBackend(): BackendKind | undefined;
  close(): Promise<void>;
}

export async function openServices(options: { adoptAll?: boolean; env?: Env } = {}): Promise<Services> {
  const env = options.env ?? process.env;
  let sandbox: SandboxHandle | undefined;
  if (isSandbox(env)) {
    const { startSandbox } = await import('../sandbox/index.js');
    sandbox = await startSandbox(env);
  }
  const library = openLibrary(env);
  const secrets = new SecretStore(paths(env).secretsFile);
  const settings = await openSettings(env);
  const ctx: BackendContext = { env, secrets, settings, library, sandbox };
  const loaded = new Map<string, Promise<ReturnType<BackendModule['createBackend']>>>();
  const load = (kind: BackendKind) => {
    const loader = LOADERS[kind];
    if (!loader) throw new UsageError(`unknown backend "${kind}" (known: ${BACKEND_KINDS.join(', ')})`);
    let p = loaded.get(kind);
    if (!p) {
      p = loader().then((m) => withSandboxHint(m.createBackend(ctx), sandbox));
      loaded.set(kind, p);
    }
    return p;
  };
  const queue = new TransferQueue(library.db, async (kind) => (await load(kind as BackendKind)).runner, {
    concurrency: concurrency(env),
    adoptAll: options.adoptAll,
  });
  return {
    env,
    library,
    secrets,
    settings,
    queue,
    sandbox,
    backend: async (kind) => (await load(kind)).backend,
    runner: async (kind) => (await load(kind)).runner,
    activeBackend: () => activeBackend(env, settings.store),
    close: async () => {
      queue.stop();
      await queue.settle();
      await sandbox?.close();
      library.close();
    },
  };
}

/**
 * Sandbox mode: nobody can approve a login at a browser, so every login says which code the fake
 * service would show (the CLI prints it; the TUI pre-fills it).
 */
function withSandboxHint<T extends { backend: RemoteBackend }>(made: T, sandbox: SandboxHandle | undefined): T {
  if (!sandbox) return made;
  const login = made.backend.login.bind(made.backend);
  made.backend.login = (options) => {
    const flow = login(options);
    return {
      start: async () => {
        const start = await flow.start();
        const code = start.url ? await sandbox.approve(start.url).catch(() => undefined) : undefined;
        return code ? { ...start, sandboxCode: code, instructions: [...start.instructions, `Sandbox: the code to paste is ${code}`] } : start;
      },
      finish: (pasted) => flow.finish(pasted),
    };
  };
  return made;
}

export function activeBackend(env: Env, settings: Settings): BackendKind | undefined {
  const v = (env.SREGISTRY_CLIENT || settings.activeBackend || '').toLowerCase();
  return (BACKEND_KINDS as string[]).includes(v) ? (v as BackendKind) : undefined;
}
