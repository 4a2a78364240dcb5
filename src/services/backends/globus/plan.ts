// Turning "push this image there" / "pull that file" into what a Globus task needs: which endpoint and
// path on each side (the local side mapped through "this machine"), the remote file name, the library
// name, and the checks that should fail before anything is queued (no local endpoint, storage not
// shared, name taken, no such remote file). An offline local endpoint does not fail: the task waits.
import { promises as fsp } from 'node:fs';
import { join, resolve } from 'node:path';
import { NotFoundError, SregError, UsageError } from '../../../core/errors.js';
import { DEFAULT_COLLECTION, DEFAULT_TAG, formatImageName, parseImageName, type ImageName } from '../../../core/uri.js';
import type { Env, Settings } from '../../config.js';
import type { Library } from '../../library/images.js';
import { IMAGE_EXTENSIONS, looksLikeImage, type PullPlan, type PushPlan } from '../backend.js';
import { checkReachable, connectionOf, findLocalEndpoint, isInside, NO_LOCAL_ENDPOINT, offlineMessage, requireReachable, type LocalEndpoint } from './local.js';
import type { TransferApi } from './transfer.js';
import { asFolder, baseName, formatGlobusUri, joinPath, parentPath, parseGlobusUri } from './uri.js';

/** sregistry-cli's default folder on the remote side, created when missing. */
export const DEFAULT_REMOTE_FOLDER = '/~/.singularity/shub/';
/** Pulled files land here (inside storage: same file system, so the import is a rename). */
export const STAGING_DIR = '.sreg-staging';

export interface PushOptions {
  globus: 'push';
  localEndpoint: string;
  localPath: string;
  /** Endpoint path of the file on the local endpoint. */
  sourcePath: string;
  destEndpoint: string;
  destPath: string;
  destFolder: string;
  label: string;
  /** Why the task may wait (local endpoint offline), for the command and the Transfers screen. */
  note?: string;
  /** Set when Globus cannot read the file through this machine's endpoint: what to change. */
  unreachable?: string;
}

export interface PullOptions {
  globus: 'pull';
  sourceEndpoint: string;
  sourcePath: string;
  localEndpoint: string;
  /** Endpoint path of the staging folder on the local endpoint. */
  stagingRemote: string;
  name: string;
  force?: boolean;
  label: string;
  note?: string;
}

export interface PlanDeps {
  env: Env;
  settings: { get<K extends keyof Settings>(key: K): Settings[K] };
  library: Library;
  api: TransferApi;
}

export function localEndpointOf(deps: Pick<PlanDeps, 'env' | 'settings'>): LocalEndpoint {
  const local = findLocalEndpoint(deps.env, { globusLocal: deps.settings.get('globusLocal') });
  if (!local) throw new SregError(NO_LOCAL_ENDPOINT, { kind: 'globus-no-local-endpoint' });
  return local;
}

/** Globus labels: at most 128 characters; we keep a conservative character set. */
export function taskLabel(verb: string, what: string): string {
  return `sreg ${verb} ${what}`.replace(/[^A-Za-z0-9 _.,:@/+-]/g, '_').slice(0, 128);
}

/** `vsoch/hello-world:latest` → `vsoch-hello-world:latest.sif` (sregistry-cli's layout, minus @version). */
export function remoteFileName(n: ImageName, localPath?: string): string {
  const ext = IMAGE_EXTENSIONS.find((e) => localPath?.toLowerCase().endsWith(e)) ?? '.sif';
  const prefix = n.collection === DEFAULT_COLLECTION ? '' : n.collection.replace(/\//g, '-') + '-';
  return `${prefix}${n.name}:${n.tag}${ext}`;
}

/** A library name from a remote file name: `pancakes.simg` → library/pancakes:latest. */
export function nameFromFile(file: string): ImageName {
  let stem = file;
  for (const e of IMAGE_EXTENSIONS) if (stem.toLowerCase().endsWith(e)) stem = stem.slice(0, -e.length);
  stem = stem.replace(/@.*$/, '').toLowerCase();
  const clean = (s: string) => s.replace(/[^a-z0-9._+-]+/g, '-').replace(/^[.-]+|[.-]+$/g, '');
  const colon = stem.indexOf(':');
  const name = clean(colon >= 0 ? stem.slice(0, colon) : stem) || 'image';
  const tag = (colon >= 0 && clean(stem.slice(colon + 1))) || DEFAULT_TAG;
  return parseImageName(`${DEFAULT_COLLECTION}/${name}:${tag}`);
}

/** The local endpoint's state, as a note when transfers through it would wait. Never throws on it. */
async function localNote(api: TransferApi, local: LocalEndpoint, signal?: AbortSignal): Promise<string | undefined> {
  const doc = await api.endpoint(local.endpointId, { signal });
  const c = connectionOf(doc);
  return c.online ? undefined : offlineMessage(doc.display_name ?? local.endpointId, local.endpointId, c.label === 'paused');
}

export async function planPush(deps: PlanDeps, local: { path: string; imageName: string }, remote: string): Promise<PushPlan> {
  const loc = parseGlobusUri(remote);
  const file = resolve(local.path);
  const st = await fsp.stat(file).catch(() => null);
  if (!st?.isFile()) throw new NotFoundError(`no such file: ${local.path}`);
  const image = parseImageName(local.imageName);
  const le = localEndpointOf(deps);
  // A file outside storage that Globus cannot read is fine at this point when the command is about to
  // add it to the library (then it plans again with the library's copy); the runner refuses it otherwise.
  const reach = checkReachable(le, file, false);
  if (!reach.ok && isInside(deps.library.storageDir, file)) throw new SregError(reach.fix!, { kind: 'globus-local-unreachable' });
  const fileName = remoteFileName(image, file);
  let destFolder: string;
  let destPath: string;
  if (loc.path === undefined) {
    destFolder = DEFAULT_REMOTE_FOLDER;
    destPath = joinPath(destFolder, fileName);
  } else if (!loc.path.endsWith('/') && looksLikeImage(baseName(loc.path))) {
    destPath = loc.path;
    destFolder = parentPath(loc.path) ?? '/';
  } else {
    destFolder = asFolder(loc.path);
    destPath = joinPath(destFolder, fileName);
  }
  // The folder is made here rather than in the runner so that a missing consent (ConsentRequired on a
  // mapped collection) surfaces before anything is queued, where the UI can log in again and retry.
  const [note] = await Promise.all([localNote(deps.api, le), deps.api.ensureFolder(loc.endpoint, destFolder)]);
  const options: PushOptions = {
    globus: 'push', localEndpoint: le.endpointId, localPath: file, sourcePath: reach.endpointPath ?? '', ...(reach.ok ? {} : { unreachable: reach.fix }), destEndpoint: loc.endpoint, destPath, destFolder,
    label: taskLabel('push', formatImageName(image, false)), ...(note ? { note } : {}),
  };
  return { destination: formatGlobusUri(loc.endpoint, destPath), bytesTotal: st.size, options: options as unknown as Record<string, unknown> };
}

export async function planPull(deps: PlanDeps, remote: string, opts: { name?: string; force?: boolean } = {}): Promise<PullPlan> {
  const loc = parseGlobusUri(remote);
  if (!loc.path || loc.path.endsWith('/')) throw new UsageError(`give the path of an image file, e.g. globus://${loc.endpoint}/~/.singularity/shub/image.sif`);
  let name: ImageName;
  if (opts.name) {
    name = parseImageName(opts.name);
    if (name.scheme) throw new UsageError(`--name is a library name; drop "${name.scheme}://"`);
    if (name.version) throw new UsageError('--name must not carry @version: the version is the sha256 of the file');
  } else {
    name = nameFromFile(baseName(loc.path));
  }
  const le = localEndpointOf(deps);
  const stagingRemote = asFolder(requireReachable(le, deps.library.storageDir, true)) + STAGING_DIR + '/';
  const [doc, note] = await Promise.all([deps.api.stat(loc.endpoint, loc.path), localNote(deps.api, le)]);
  if (doc.type === 'dir') throw new UsageError(`${loc.path} is a folder; give the path of an image file`);
  const options: PullOptions = {
    globus: 'pull', sourceEndpoint: loc.endpoint, sourcePath: loc.path, localEndpoint: le.endpointId, stagingRemote,
    name: formatImageName(name, false), ...(opts.force ? { force: true } : {}), label: taskLabel('pull', formatImageName(name, false)),
    ...(note ? { note } : {}),
  };
  return { source: formatGlobusUri(loc.endpoint, loc.path), imageName: formatImageName(name, false), bytesTotal: doc.size, options: options as unknown as Record<string, unknown> };
}

/** Where a pull job's file lands, locally and as the local endpoint sees it. */
export function stagingFor(library: Library, stagingRemote: string, jobId: number, sourcePath: string): { local: string; remote: string } {
  const file = `globus-${jobId}-${baseName(sourcePath).replace(/[^A-Za-z0-9._:@+-]/g, '_')}`;
  return { local: join(library.storageDir, STAGING_DIR, file), remote: stagingRemote + file };
}

