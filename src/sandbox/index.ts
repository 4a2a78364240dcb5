// `sreg --sandbox`: starts the Dropbox and Globus fakes in this process on loopback, seeded with a few
// real SIF images, and points sreg at them with its own throw-away library and config. The folder is
// shared by every sandbox run of this user (under the system temp folder), so a push in one command
// can be pulled by the next; delete it to start over.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applySandboxPaths, openSettings, type Env } from '../services/config.js';
import type { SandboxHandle } from '../services/index.js';
import { startDropboxSandbox } from './dropbox.js';
import { SANDBOX_LAPTOP_ID, defaultSandboxEndpoints, seedGlobusSandbox, startGlobusSandbox } from './globus.js';

export const SANDBOX_DROPBOX_APP_KEY = 'sreg-sandbox-app';
const IMAGES = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../assets/sandbox-images');

export async function startSandbox(env: Env = process.env): Promise<SandboxHandle> {
  const dir = applySandboxPaths(env);
  env.SREG_DROPBOX_APP_KEY = env.SREG_DROPBOX_APP_KEY || SANDBOX_DROPBOX_APP_KEY;

  // "This machine" is a Globus Connect Personal endpoint whose "/" is the sandbox folder, so a pull
  // lands next to the library storage exactly as it would on a real laptop.
  const endpoints = defaultSandboxEndpoints().map((e) => (e.id === SANDBOX_LAPTOP_ID ? { ...e, root: dir } : e));
  const [dropbox, globus] = await Promise.all([
    startDropboxSandbox({ dataDir: join(dir, 'dropbox'), appKey: env.SREG_DROPBOX_APP_KEY, pageSize: 50 }),
    startGlobusSandbox({ dataDir: join(dir, 'globus'), endpoints }),
  ]);
  env.SREG_DROPBOX_URL = dropbox.url;
  env.GLOBUS_SDK_SERVICE_URL_AUTH = globus.url;
  env.GLOBUS_SDK_SERVICE_URL_TRANSFER = globus.url;

  const images = existsSync(IMAGES) ? readdirSync(IMAGES).filter((f) => f.endsWith('.sif')).map((f) => join(IMAGES, f)) : [];
  const marker = join(dir, '.seeded');
  if (!existsSync(marker)) {
    const layout: Array<[string, string]> = [
      ['/library/busybox:latest.sif', 'busybox_amd64.sif'],
      ['/library/busybox:arm64.sif', 'busybox_arm64.sif'],
      ['/lab/groups:v1.sif', 'one-group.sif'],
      ['/lab/busybox:1.33.sif', 'busybox_amd64.sif'],
    ];
    for (const [path, file] of layout) if (existsSync(join(IMAGES, file))) await dropbox.seed(path, join(IMAGES, file));
    writeFileSync(marker, new Date().toISOString() + '\n');
  }
  seedGlobusSandbox(globus, images);
  await seedLocalEndpointSetting(env, dir);

  return {
    dir,
    async approve(url: string) {
      const u = new URL(url);
      const q = Object.fromEntries(u.searchParams);
      if (u.pathname.endsWith('/v2/oauth2/authorize')) {
        return globus.approveAuthorization({
          client_id: q.client_id ?? '', code_challenge: q.code_challenge ?? '', code_challenge_method: q.code_challenge_method,
          scope: q.scope ?? '', redirect_uri: q.redirect_uri ?? '', access_type: q.access_type, state: q.state,
        });
      }
      if (u.pathname.endsWith('/oauth2/authorize') && q.code_challenge) {
        return dropbox.approveAuthorization(q.code_challenge, {
          appKey: q.client_id, method: (q.code_challenge_method as 'S256' | 'plain') ?? 'S256', redirectUri: q.redirect_uri,
        });
      }
      return undefined;
    },
    async close() {
      await Promise.all([dropbox.close(), globus.close()]);
    },
  };
}

/** Tells the Globus backend that the sandbox laptop endpoint is "this machine" (root = sandbox folder). */
async function seedLocalEndpointSetting(env: Env, dir: string): Promise<void> {
  const settings = await openSettings(env);
  if (!settings.get('globusLocal')) settings.set('globusLocal', { endpointId: SANDBOX_LAPTOP_ID, localPrefix: dir, remotePrefix: '/' });
}
