// Image names and URIs: `[scheme://][collection/]name[:tag][@version]`.
// Defaults and lowercasing follow sregistry-cli (collection `library`, tag `latest`), but unlike it we
// refuse anything that cannot be stored safely as a path: `..`, absolute paths, empty parts, control
// characters, and characters outside a conservative set.
import { BadNameError } from './errors.js';

export const DEFAULT_COLLECTION = 'library';
export const DEFAULT_TAG = 'latest';

export interface ImageName {
  /** Backend scheme (`dropbox`, `globus`, `registry`), or undefined for "the active one / local". */
  scheme?: string;
  collection: string;
  name: string;
  tag: string;
  version?: string;
}

const PART = /^[a-z0-9_][a-z0-9._+-]*$/;
const TAG = /^[a-z0-9_][a-z0-9._+-]*$/;
const VERSION = /^[a-z0-9][a-z0-9._:+-]*$/;
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** Splits `scheme://rest`; scheme is lowercased, rest is untouched. */
export function splitScheme(input: string): { scheme?: string; rest: string } {
  const m = SCHEME.exec(input);
  if (!m) return { rest: input };
  return { scheme: m[1]!.toLowerCase(), rest: input.slice(m[0].length) };
}

function refuseUnsafe(input: string): void {
  if (input.trim() === '') throw new BadNameError('empty image name');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(input)) throw new BadNameError(`image name contains a control character: ${JSON.stringify(input)}`);
}

function checkPart(what: string, value: string, pattern: RegExp, whole: string): void {
  if (value === '') throw new BadNameError(`empty ${what} in "${whole}"`);
  if (value === '.' || value === '..') throw new BadNameError(`"${value}" is not allowed as ${what} in "${whole}"`);
  if (!pattern.test(value)) {
    throw new BadNameError(`bad ${what} "${value}" in "${whole}": use letters, digits and . _ + - (not starting with . or -)`);
  }
}

/**
 * Parses an image name. `defaultScheme` fills a missing scheme (for SREGISTRY_CLIENT).
 * Throws BadNameError with a one-line message on anything unsafe.
 */
export function parseImageName(input: string, defaultScheme?: string): ImageName {
  refuseUnsafe(input);
  const { scheme, rest } = splitScheme(input.trim());
  let s = rest.toLowerCase();
  if (s.startsWith('/')) throw new BadNameError(`image name must not be an absolute path: "${input}"`);
  if (s.endsWith('/')) throw new BadNameError(`image name must not end with "/": "${input}"`);

  let version: string | undefined;
  const at = s.indexOf('@');
  if (at >= 0) {
    version = s.slice(at + 1);
    s = s.slice(0, at);
    checkPart('version', version, VERSION, input);
  }
  const slash = s.lastIndexOf('/');
  const path = slash >= 0 ? s.slice(0, slash) : '';
  let nameTag = slash >= 0 ? s.slice(slash + 1) : s;
  let tag = DEFAULT_TAG;
  const colon = nameTag.indexOf(':');
  if (colon >= 0) {
    tag = nameTag.slice(colon + 1);
    nameTag = nameTag.slice(0, colon);
    checkPart('tag', tag, TAG, input);
  }
  checkPart('name', nameTag, PART, input);
  let collection = DEFAULT_COLLECTION;
  if (slash >= 0) {
    const parts = path.split('/');
    for (const p of parts) checkPart('collection', p, PART, input);
    collection = parts.join('/');
  }
  const out: ImageName = { collection, name: nameTag, tag };
  const sch = scheme ?? defaultScheme;
  if (sch) out.scheme = sch;
  if (version) out.version = version;
  return out;
}

/** `collection/name:tag[@version]`, the form sregistry-cli stores in the `uri` column. */
export function formatImageName(
  n: Pick<ImageName, 'collection' | 'name' | 'tag'> & { version?: string | null },
  withVersion = true,
): string {
  const base = `${n.collection}/${n.name}:${n.tag}`;
  return withVersion && n.version ? `${base}@${n.version}` : base;
}

/** With the scheme, e.g. `dropbox://c/n:t`. */
export function formatImageUri(n: ImageName, withVersion = true): string {
  const body = formatImageName(n, withVersion);
  return n.scheme ? `${n.scheme}://${body}` : body;
}
