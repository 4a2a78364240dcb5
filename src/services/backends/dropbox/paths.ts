// Addresses: sregistry-cli's layout puts `collection/name:tag` at `/<collection>/<name>:<tag>.sif` in the
// app folder. A location is `dropbox://<path>` (or a bare path); an address without an image extension
// names an image (`dropbox://c/n:t`), one with an extension names the file itself.
import { BadNameError, UsageError } from '../../../core/errors.js';
import { formatImageName, parseImageName, splitScheme, type ImageName } from '../../../core/uri.js';
import { IMAGE_EXTENSIONS, looksLikeImage } from '../backend.js';

export const SCHEME = 'dropbox';

/** The rest of an address after an optional `dropbox://`; other schemes are refused. */
function rest(address: string): string {
  const { scheme, rest: r } = splitScheme(address.trim());
  if (scheme && scheme !== SCHEME) throw new UsageError(`not a Dropbox address: ${address}`);
  return r;
}

/** A folder or file location as a Dropbox path: `""` for the root, else `/a/b` (no trailing slash). */
export function toPath(location: string): string {
  const r = rest(location).replace(/\/+$/, '');
  if (r === '' || r === '/') return '';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(r)) throw new BadNameError(`Dropbox path contains a control character: ${JSON.stringify(location)}`);
  const p = r.startsWith('/') ? r : '/' + r;
  if (p.split('/').some((seg, i) => i > 0 && (seg === '' || seg === '.' || seg === '..'))) throw new BadNameError(`not a valid Dropbox path: ${location}`);
  return p;
}

export function toLocation(path: string): string {
  return `${SCHEME}://${path.replace(/^\//, '')}`;
}

export function hasImageExtension(address: string): boolean {
  return looksLikeImage(rest(address));
}

/** Where an image lives: `/<collection>/<name>:<tag>.sif`. */
export function imagePath(n: Pick<ImageName, 'collection' | 'name' | 'tag'>): string {
  return `/${n.collection}/${n.name}:${n.tag}.sif`;
}

/** A file path for an image address: the file itself when it has an extension, else the layout path. */
export function fileFor(address: string): string {
  if (hasImageExtension(address)) return toPath(address);
  const n = parseImageName(rest(address));
  if (n.version) throw new UsageError(`Dropbox keeps one file per tag; drop "@${n.version}" from ${address}`);
  return imagePath(n);
}

/** The library name a Dropbox file gets: `/c/d/n:t.sif` → c/d/n:t; a file at the root → library/n:t. */
export function nameForPath(path: string): ImageName {
  const p = path.replace(/^\//, '');
  const ext = IMAGE_EXTENSIONS.find((e) => p.toLowerCase().endsWith(e));
  const stem = ext ? p.slice(0, -ext.length) : p;
  try {
    return parseImageName(stem);
  } catch (e) {
    if (e instanceof BadNameError) throw new BadNameError(`cannot name ${path} in the library (${e.message}); give one with --name`);
    throw e;
  }
}

/** `dropbox://c/n:t` for an image. */
export function imageUri(n: Pick<ImageName, 'collection' | 'name' | 'tag'>): string {
  return `${SCHEME}://${formatImageName(n, false)}`;
}

export function parentOf(path: string): string | undefined {
  if (path === '') return undefined;
  const i = path.lastIndexOf('/');
  return i <= 0 ? '' : path.slice(0, i);
}
