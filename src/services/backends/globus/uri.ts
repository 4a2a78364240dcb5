// Globus addresses: `globus://<endpoint-id>/<path>` (sreg's form) and `<endpoint-id>:<path>`
// (sregistry-cli's form). Paths are kept verbatim: colons, spaces and `%` are ordinary characters in
// a Globus path, and sregistry-cli broke on the first colon of the path; we split on the first one only.
import { BadNameError } from '../../../core/errors.js';

export const SCHEME = 'globus';
/** Home folder on an endpoint, as the Transfer API spells it. */
export const HOME = '/~/';

export interface GlobusLocation {
  endpoint: string;
  /** Absolute endpoint path (`/data/x`) or home-relative (`/~/x`); undefined when none was given. */
  path?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isEndpointId(s: string): boolean {
  return UUID.test(s);
}

function checkEndpoint(id: string, input: string): string {
  if (!isEndpointId(id)) {
    throw new BadNameError(
      `"${id || input}" is not a Globus endpoint id (a UUID such as 6881ae2e-db26-11e5-9772-22000b9da45e); find one with: sreg search globus://QUERY`,
    );
  }
  return id.toLowerCase();
}

function checkPath(path: string, input: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) throw new BadNameError(`Globus path contains a control character: ${JSON.stringify(input)}`);
}

/** `~`, `~/x`, `x` (home-relative, as sregistry-cli meant it) and `/x` (absolute) to a Transfer path. */
export function normalizeRelative(path: string): string {
  if (path === '' || path === '~' || path === '~/' || path === '/~' || path === '/~/') return HOME;
  if (path.startsWith('/~/')) return path;
  if (path.startsWith('~/')) return '/' + path;
  if (path.startsWith('/')) return path;
  return HOME + path;
}

/**
 * Parses `globus://EP[/PATH]`, `EP:PATH` or a bare `EP`. In the URI form the path after the first `/`
 * is absolute unless it starts with `~`; in the sregistry-cli form a path without `/` is home-relative.
 */
export function parseGlobusUri(input: string): GlobusLocation {
  const s = input.trim();
  checkPath(s, input);
  const m = /^globus:\/\//i.exec(s);
  if (m) {
    const rest = s.slice(m[0].length);
    const slash = rest.indexOf('/');
    if (slash < 0) return { endpoint: checkEndpoint(rest, input) };
    const endpoint = checkEndpoint(rest.slice(0, slash), input);
    const raw = rest.slice(slash); // keeps the leading "/"
    if (raw === '/~' || raw.startsWith('/~/')) return { endpoint, path: raw === '/~' ? HOME : raw };
    return { endpoint, path: raw };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) throw new BadNameError(`not a Globus address: ${input} (expected globus://ENDPOINT/PATH)`);
  const colon = s.indexOf(':');
  if (colon < 0) return { endpoint: checkEndpoint(s, input) };
  const endpoint = checkEndpoint(s.slice(0, colon), input);
  const path = s.slice(colon + 1);
  return path === '' ? { endpoint } : { endpoint, path: normalizeRelative(path) };
}

export function formatGlobusUri(endpoint: string, path?: string): string {
  if (path === undefined) return `${SCHEME}://${endpoint}`;
  return `${SCHEME}://${endpoint}${path.startsWith('/') ? path : '/' + path}`;
}

/** Ensures one trailing slash (how Transfer spells folders). */
export function asFolder(path: string): string {
  return path.endsWith('/') ? path : path + '/';
}

export function joinPath(folder: string, name: string): string {
  return asFolder(folder) + name;
}

/** Last segment of a path, ignoring a trailing slash. */
export function baseName(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** The folder holding `path` (with a trailing slash), or undefined at `/`. `/~/` goes up to `/`. */
export function parentPath(path: string): string | undefined {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '' || trimmed === '/') return undefined;
  if (trimmed === '/~') return '/';
  const i = trimmed.lastIndexOf('/');
  return i <= 0 ? '/' : trimmed.slice(0, i + 1);
}

/** Human form for breadcrumbs and messages: `EP:path` with `~` for home. */
export function displayPath(path: string): string {
  if (path === HOME) return '~';
  if (path.startsWith(HOME)) return '~/' + path.slice(HOME.length);
  return path;
}
