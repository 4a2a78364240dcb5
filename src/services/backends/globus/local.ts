// "This machine" for Globus: the endpoint through which Globus reads and writes the library's files.
// Either the collection the user chose (settings.globusLocal, with a local→endpoint path mapping, as on
// clusters whose institutional collection exposes home and scratch), or a Globus Connect Personal
// endpoint found in ~/.globusonline/lta (client-id.txt holds its id; config-paths lists the shared
// folders as `path,sharing,writable`; GCP shows local paths unchanged). Nothing here talks to Globus.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { SregError } from '../../../core/errors.js';
import type { Env, Settings } from '../../config.js';
import { isEndpointId } from './uri.js';

export interface ConfigPath {
  /** Absolute local folder. */
  path: string;
  sharing: boolean;
  writable: boolean;
}

export interface LocalEndpoint {
  endpointId: string;
  source: 'settings' | 'gcp';
  /** Local folder that `remotePrefix` shows. */
  localPrefix: string;
  /** Endpoint path of `localPrefix`. */
  remotePrefix: string;
  /** GCP only: the shared folders, and the file they come from. */
  configPaths?: ConfigPath[];
  configFile?: string;
}

export function ltaDir(env: Env): string {
  return env.SREG_GLOBUS_LTA_DIR || join(env.HOME || homedir(), '.globusonline', 'lta');
}

function expandHome(p: string, env: Env): string {
  const home = env.HOME || homedir();
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return p;
}

/** Parses config-paths. GCP shares the home folder read-write when the file is absent or empty. */
export function readConfigPaths(env: Env): { file: string; paths: ConfigPath[] } {
  const file = join(ltaDir(env), 'config-paths');
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    /* absent: default below */
  }
  const paths: ConfigPath[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    // The path may itself contain commas: the flags are the last two fields.
    const parts = line.split(',');
    const writable = parts.length >= 3 ? parts.pop()!.trim() === '1' : false;
    const sharing = parts.length >= 2 ? parts.pop()!.trim() === '1' : false;
    const p = parts.join(',').trim();
    if (!p) continue;
    paths.push({ path: resolve(expandHome(p, env)), sharing, writable });
  }
  if (paths.length === 0) paths.push({ path: resolve(env.HOME || homedir()), sharing: false, writable: true });
  return { file, paths };
}

/** The GCP endpoint id of this machine, from client-id.txt (as globus-sdk's LocalGlobusConnectPersonal reads it). */
export function gcpEndpointId(env: Env): string | undefined {
  for (const name of ['client-id.txt', 'endpoint-id.txt']) {
    const f = join(ltaDir(env), name);
    if (!existsSync(f)) continue;
    const id = readFileSync(f, 'utf8').trim();
    if (isEndpointId(id)) return id.toLowerCase();
  }
  return undefined;
}

/** Finds "this machine": the user's explicit choice first, then a local Globus Connect Personal. */
export function findLocalEndpoint(env: Env, settings: Pick<Settings, 'globusLocal'>): LocalEndpoint | undefined {
  const chosen = settings.globusLocal;
  if (chosen?.endpointId) {
    return {
      endpointId: chosen.endpointId.toLowerCase(),
      source: 'settings',
      localPrefix: resolve(expandHome(chosen.localPrefix || '/', env)),
      remotePrefix: chosen.remotePrefix || '/',
    };
  }
  const id = gcpEndpointId(env);
  if (!id) return undefined;
  const { file, paths } = readConfigPaths(env);
  return { endpointId: id, source: 'gcp', localPrefix: '/', remotePrefix: '/', configPaths: paths, configFile: file };
}

export function isInside(folder: string, p: string): boolean {
  const rel = relative(folder, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The endpoint path of a local file or folder, or undefined when the mapping does not cover it. */
export function toEndpointPath(local: LocalEndpoint, localPath: string): string | undefined {
  const abs = resolve(localPath);
  if (!isInside(local.localPrefix, abs)) return undefined;
  const rel = relative(local.localPrefix, abs).split(sep).filter(Boolean).join('/');
  const prefix = local.remotePrefix.endsWith('/') ? local.remotePrefix : local.remotePrefix + '/';
  return rel ? prefix + rel : prefix;
}

export interface Reachability {
  ok: boolean;
  /** Endpoint path of the folder, when reachable. */
  endpointPath?: string;
  /** What to change, in one line, when not. */
  fix?: string;
}

/**
 * Can Globus reach `folder` (the storage folder) through this machine's endpoint, with write access
 * when `write`? When not, says exactly which config-paths line or path mapping would make it so.
 */
export function checkReachable(local: LocalEndpoint, folder: string, write: boolean): Reachability {
  const abs = resolve(folder);
  if (local.source === 'gcp') {
    const covering = (local.configPaths ?? []).filter((c) => isInside(c.path, abs)).sort((a, b) => b.path.length - a.path.length)[0];
    const restart = 'then restart Globus Connect Personal (globusconnectpersonal -stop; globusconnectpersonal -start &)';
    if (!covering) {
      return { ok: false, fix: `Globus Connect Personal does not share ${abs}: add the line "${abs},0,1" to ${local.configFile}, ${restart}` };
    }
    if (write && !covering.writable) {
      return { ok: false, fix: `Globus Connect Personal shares ${covering.path} read-only: change its line in ${local.configFile} to "${covering.path},${covering.sharing ? 1 : 0},1" (or add "${abs},0,1"), ${restart}` };
    }
    return { ok: true, endpointPath: toEndpointPath(local, abs) };
  }
  const endpointPath = toEndpointPath(local, abs);
  if (!endpointPath) {
    return {
      ok: false,
      fix: `the library folder ${abs} is outside the local prefix ${local.localPrefix} of "this machine" (collection ${local.endpointId}); choose a path mapping whose local prefix contains ${abs} (and the collection path where that folder appears)`,
    };
  }
  return { ok: true, endpointPath };
}

/** Throws the one-line fix when the folder is not reachable; returns its endpoint path otherwise. */
export function requireReachable(local: LocalEndpoint, folder: string, write: boolean): string {
  const r = checkReachable(local, folder, write);
  if (!r.ok) throw new SregError(r.fix!, { kind: 'globus-local-unreachable' });
  return r.endpointPath!;
}

export const NO_LOCAL_ENDPOINT =
  'no Globus endpoint for this machine: install and start Globus Connect Personal (https://docs.globus.org/how-to/), ' +
  'or choose a collection as "this machine" with a path mapping (Globus settings in sreg)';

/** How an endpoint document's connection state reads, and whether transfers through it can move now. */
export function connectionOf(doc: { gcp_connected?: boolean | null; gcp_paused?: boolean | null; non_functional?: boolean | null }): {
  online: boolean;
  label: 'connected' | 'disconnected' | 'paused' | 'ready' | 'non-functional';
} {
  if (doc.gcp_connected === false) return { online: false, label: 'disconnected' };
  if (doc.gcp_paused) return { online: false, label: 'paused' };
  if (doc.gcp_connected === true) return { online: true, label: 'connected' };
  if (doc.non_functional) return { online: false, label: 'non-functional' };
  return { online: true, label: 'ready' };
}

/** The seed's "No activated local endpoints online! Go online to transfer", with what to do about it. */
export function offlineMessage(name: string, id: string, paused: boolean): string {
  return paused
    ? `the local Globus endpoint "${name}" (${id}) is paused: resume Globus Connect Personal; the transfer waits in the queue until then`
    : `no local Globus endpoint online: "${name}" (${id}) is disconnected; start Globus Connect Personal (globusconnectpersonal -start &) and the transfer continues`;
}
