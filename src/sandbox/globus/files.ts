// File operations on an endpoint's folder: ls, mkdir and stat with Transfer's documents and errors.
import { lstatSync, mkdirSync, readdirSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { badRequest, endpointFailureText, requestId, transferError } from './errors.js';
import type { EndpointRegistry } from './endpoints.js';
import type { SandboxEndpoint } from './types.js';

const LS_MAX = 100000;

/** "2020-09-23 18:53:12+00:00": ls, stat and mkdir speak this form (with a space). */
export function listingTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('T', ' ').replace('.000Z', '+00:00');
}

function typeOf(st: Stats): string {
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  if (st.isCharacterDevice()) return 'chr';
  if (st.isBlockDevice()) return 'blk';
  if (st.isFIFO()) return 'pipe';
  return 'other';
}

const perms = (st: Stats) => (st.mode & 0o7777).toString(8).padStart(4, '0');

/** One entry of a file_list, or a stat result. A working symlink shows its target plus link_*. */
export function fileDoc(reg: EndpointRegistry, ep: SandboxEndpoint, disk: string, name: string): Record<string, unknown> {
  const lst = lstatSync(disk);
  const base = {
    DATA_TYPE: 'file',
    name,
    link_target: null as string | null,
    link_size: null as number | null,
    link_user: null as string | null,
    link_group: null as string | null,
    link_last_modified: null as string | null,
  };
  let st = lst;
  let type: string;
  if (lst.isSymbolicLink()) {
    const raw = readlinkSync(disk);
    const targetDisk = resolve(dirname(disk), raw);
    base.link_target = reg.toVirtual(ep, targetDisk) ?? raw;
    base.link_size = lst.size;
    base.link_user = ep.localUser;
    base.link_group = ep.localUser;
    base.link_last_modified = listingTime(lst.mtimeMs);
    try {
      st = statSync(disk);
      type = reg.toVirtual(ep, targetDisk) === null ? 'invalid_symlink' : typeOf(st);
      if (type === 'invalid_symlink') st = lst;
    } catch {
      type = 'invalid_symlink';
    }
  } else {
    type = typeOf(lst);
  }
  return {
    ...base,
    type,
    size: st.size,
    permissions: perms(st),
    last_modified: listingTime(st.mtimeMs),
    user: ep.localUser,
    group: ep.localUser,
  };
}

function flag(v: string | undefined, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  return !['false', '0', 'no', 'off'].includes(v.toLowerCase());
}

type Entry = Record<string, unknown>;

/** `filter` clauses joined by "/": name:~glob, name:=x, name:!~glob, type:file,dir, size:>=n. */
function compileFilter(expr: string, resource: string): (e: Entry) => boolean {
  const tests: Array<(e: Entry) => boolean> = [];
  for (const clause of expr.split('/').filter(Boolean)) {
    const m = /^(name|type|size|permissions|user|group|last_modified):(.*)$/.exec(clause);
    if (!m) throw badRequest(`Invalid filter clause '${clause}'`, resource);
    const [, field, rest] = m;
    if (field === 'type') {
      const types = rest.split(',');
      tests.push((e) => types.includes(String(e.type)));
    } else if (field === 'name') {
      const op = /^(!?[~=]?)(.*)$/.exec(rest) as RegExpExecArray;
      const neg = op[1].startsWith('!');
      const globbing = op[1].endsWith('~');
      const values = op[2].split(',');
      const match = (n: string) =>
        values.some((v) => (globbing ? globToRegExp(v).test(n) : v === n));
      tests.push((e) => match(String(e.name)) !== neg);
    } else if (field === 'size') {
      const sm = /^(<=|>=|<|>|=|!=)?(\d+)$/.exec(rest);
      if (!sm) throw badRequest(`Invalid filter clause '${clause}'`, resource);
      const n = Number(sm[2]);
      const cmp: Record<string, (a: number) => boolean> = {
        '<': (a) => a < n, '>': (a) => a > n, '<=': (a) => a <= n, '>=': (a) => a >= n, '!=': (a) => a !== n, '=': (a) => a === n,
      };
      tests.push((e) => cmp[sm[1] ?? '='](Number(e.size)));
    } else if (field === 'last_modified') {
      const [from, to] = rest.split(',');
      tests.push((e) => {
        const t = String(e.last_modified).slice(0, 19).replace(' ', 'T');
        return (!from || t >= from) && (!to || t < to);
      });
    } else {
      const values = rest.replace(/^=/, '').split(',');
      tests.push((e) => values.includes(String(e[field])));
    }
  }
  return (e) => tests.every((t) => t(e));
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** `orderby`: "name", "type,name", "size DESC", "last_modified ASC"... */
function compileOrder(expr: string, resource: string): (a: Entry, b: Entry) => number {
  const keys = expr.split(',').map((k) => {
    const [field, dir = 'ASC'] = k.trim().split(/\s+/);
    if (!['name', 'type', 'size', 'last_modified', 'permissions', 'user', 'group'].includes(field) || !/^(ASC|DESC)$/i.test(dir)) {
      throw badRequest(`Invalid orderby '${expr}'`, resource);
    }
    return { field, sign: /^DESC$/i.test(dir) ? -1 : 1 };
  });
  return (a, b) => {
    for (const { field, sign } of keys) {
      const x = a[field] as string | number;
      const y = b[field] as string | number;
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
      if (c) return c * sign;
    }
    return 0;
  };
}

function intParam(v: string | undefined, dflt: number, name: string, max: number, resource: string): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > max) throw badRequest(`Invalid ${name} '${v}'`, resource);
  return n;
}

export function listDirectory(
  reg: EndpointRegistry,
  ep: SandboxEndpoint,
  q: Record<string, string>,
  resource: string,
): Record<string, unknown> {
  const raw = q.path ?? ep.default_directory ?? '/~/';
  const path = raw.endsWith('/') ? raw : `${raw}/`;
  const limit = intParam(q.limit, LS_MAX, 'limit', LS_MAX, resource);
  const offset = intParam(q.offset, 0, 'offset', Number.MAX_SAFE_INTEGER, resource);
  const showHidden = flag(q.show_hidden, true);
  const resolved = reg.resolvePath(ep, raw);
  let st: Stats;
  try {
    if (!reg.contains(ep, resolved.disk)) throw new Error('outside');
    st = statSync(resolved.disk);
  } catch {
    throw transferError(404, 'ClientError.NotFound', `Directory '${path}' not found on endpoint '${ep.display_name}'`, resource);
  }
  if (!st.isDirectory()) {
    throw transferError(502, 'ExternalError.DirListingFailed.NotDirectory',
      endpointFailureText('list', ep.display_name, ep.id, 'Fatal FTP Response', `500 Command failed : Path '${resolved.virtual}' is not a directory`),
      resource);
  }
  let entries: Entry[] = [];
  for (const n of readdirSync(resolved.disk)) {
    if (!showHidden && n.startsWith('.')) continue;
    try {
      entries.push(fileDoc(reg, ep, `${resolved.disk}/${n}`, n));
    } catch {
      // Removed while we listed (a task or a test at work): the listing simply lacks it.
    }
  }
  if (q.filter) entries = entries.filter(compileFilter(q.filter, resource));
  entries.sort(compileOrder(q.orderby || 'name ASC', resource));
  const page = entries.slice(offset, offset + limit);
  return {
    DATA_TYPE: 'file_list',
    endpoint: ep.id,
    path,
    absolute_path: resolved.absolutePath,
    length: page.length,
    total: entries.length,
    rename_supported: true,
    symlink_supported: true,
    DATA: page,
  };
}

export function statPath(reg: EndpointRegistry, ep: SandboxEndpoint, q: Record<string, string>, resource: string) {
  if (!q.path) throw badRequest("Missing required parameter 'path'", resource);
  const resolved = reg.resolvePath(ep, q.path);
  try {
    lstatSync(resolved.disk);
  } catch {
    throw transferError(404, 'NotFound',
      endpointFailureText('list', ep.display_name, ep.id, 'Path not found', `Error: '${q.path}' not found`), resource);
  }
  const name = resolved.virtual === '/' ? '/' : resolved.virtual.split('/').pop() as string;
  return fileDoc(reg, ep, resolved.disk, name);
}

export function makeDirectory(reg: EndpointRegistry, ep: SandboxEndpoint, body: Record<string, unknown>, resource: string) {
  if (body.DATA_TYPE !== undefined && body.DATA_TYPE !== 'mkdir') throw badRequest(`Invalid DATA_TYPE '${String(body.DATA_TYPE)}'`, resource);
  if (typeof body.path !== 'string' || !body.path) throw badRequest("Missing required field 'path'", resource);
  const resolved = reg.resolvePath(ep, body.path);
  const fail = (status: number, code: string, summary: string, detail: string) =>
    transferError(status, code, endpointFailureText('mkdir', ep.display_name, ep.id, summary, `550-GlobusError: v=1 c=${detail}`), resource);
  if (!ep.writable) throw fail(403, 'ExternalError.MkdirFailed.PermissionDenied', 'Permission denied', 'PERMISSION_DENIED\\r\\n550-GridFTP-Errno: 13\\r\\n550-GridFTP-Error-String: Permission denied');
  let exists = false;
  try {
    lstatSync(resolved.disk);
    exists = true;
  } catch {
    /* absent: create below */
  }
  if (exists) {
    throw transferError(502, 'ExternalError.MkdirFailed.Exists',
      `Path already exists, Error Path '${body.path}' already exists\n`, resource);
  }
  try {
    mkdirSync(resolved.disk);
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code;
    const why = errno === 'ENOTDIR' ? 'Not a directory' : 'No such file or directory';
    throw fail(502, 'ExternalError.MkdirFailed', 'Fatal FTP Response',
      `PATH_NOT_FOUND\\r\\n550-GridFTP-Errno: 2\\r\\n550-GridFTP-Reason: System error in mkdir\\r\\n550-GridFTP-Error-String: ${why}`);
  }
  return {
    DATA_TYPE: 'mkdir_result',
    code: 'DirectoryCreated',
    message: 'The directory was created successfully',
    request_id: requestId(),
    resource,
  };
}
