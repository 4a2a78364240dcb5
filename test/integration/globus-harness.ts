// Shared set-up for the Globus integration tests: a sandbox with "this machine" as a Globus Connect
// Personal endpoint whose root is the test's temp folder (so the library storage is reachable through
// it), services opened on temp folders, and a login done the way a person does it (open URL, paste code).
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSandboxEndpoints, seedGlobusSandbox, startGlobusSandbox, type GlobusSandbox, type GlobusSandboxOptions } from '../../src/sandbox/globus.js';
import type { GlobusBackend } from '../../src/services/backends/globus/index.js';
import { openServices, type Services } from '../../src/services/index.js';
import { SAMPLES, tempEnv, type TempEnv } from '../helpers/env.js';

export const LOCAL_ID = '0d3c5e7a-1b2f-4a6c-9e8d-7f1a2b3c4d5e';
export const SAMPLE = 'busybox_amd64.sif';

export interface Harness {
  t: TempEnv;
  sandbox: GlobusSandbox;
  env: Record<string, string>;
  services: Services;
  globus: GlobusBackend;
  login(scopes?: string[]): Promise<string>;
  /** The code the sandbox hands out for an authorize URL (what the person would paste). */
  approve(url: string): string;
  reopen(): Promise<Services>;
  close(): Promise<void>;
}

export async function harness(options: GlobusSandboxOptions & { poll?: [number, number] } = {}): Promise<Harness> {
  const t = tempEnv('sreg-globus-');
  process.env.XDG_STATE_HOME = t.env.XDG_STATE_HOME; // the request log goes to the temp folder
  const sandbox = await startGlobusSandbox({
    dataDir: join(t.dir, 'sandbox'),
    persist: false,
    ...options,
    endpoints: [
      ...defaultSandboxEndpoints(),
      {
        id: LOCAL_ID, display_name: 'test laptop (this machine)', entity_type: 'GCP_mapped_collection',
        root: t.dir, scopes: ['my-endpoints'], gcp_connected: true,
      },
      ...(options.endpoints ?? []),
    ],
  });
  const sample = join(t.dir, SAMPLE);
  copyFileSync(join(SAMPLES, SAMPLE), sample);
  seedGlobusSandbox(sandbox, [sample]);
  const [initial, max] = options.poll ?? [50, 200];
  const env: Record<string, string> = { ...t.env, ...sandbox.env, SREG_GLOBUS_POLL_MS: String(initial), SREG_GLOBUS_POLL_MAX_MS: String(max) };
  mkdirSync(env.SREGISTRY_STORAGE!, { recursive: true });
  const open = async () => {
    const s = await openServices({ env, adoptAll: true });
    s.settings.set('globusLocal', { endpointId: LOCAL_ID, localPrefix: t.dir, remotePrefix: '/' });
    return s;
  };
  const services = await open();
  const globus = (await services.backend('globus')) as GlobusBackend;
  const approve = (url: string) => {
    const q = new URL(url).searchParams;
    return sandbox.approveAuthorization({
      client_id: q.get('client_id') ?? '', code_challenge: q.get('code_challenge') ?? '', code_challenge_method: q.get('code_challenge_method') ?? undefined,
      scope: q.get('scope') ?? '', redirect_uri: q.get('redirect_uri') ?? '', access_type: q.get('access_type') ?? undefined, state: q.get('state') ?? undefined,
    });
  };
  const h: Harness = {
    t, sandbox, env, services, globus, approve,
    login: async (scopes) => {
      const flow = h.globus.login({ scopes });
      const start = await flow.start();
      return (await flow.finish(approve(start.url!))).who;
    },
    reopen: async () => open(),
    close: async () => {
      await h.services.close().catch(() => {});
      await sandbox.close();
      t.cleanup();
    },
  };
  return h;
}
