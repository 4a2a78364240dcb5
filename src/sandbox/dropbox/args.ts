// Route arguments checked the way Dropbox's Stone validators check them: unknown fields, wrong
// types, pattern and timestamp violations are 400 text errors naming where the argument came from.
import { BadRequest } from './wire.js';

/** Stone's path patterns (full match), from the API spec. */
export const PATTERN = {
  readPath: '(/(.|[\\r\\n])*|id:.*)|(rev:[0-9a-f]{9,})|(ns:[0-9]+(/.*)?)',
  pathROrId: '(/(.|[\\r\\n])*)?|id:.*|(ns:[0-9]+(/.*)?)',
  writePath: '(/(.|[\\r\\n])*)|(ns:[0-9]+(/.*)?)',
  writePathOrId: '(/(.|[\\r\\n])*)|(ns:[0-9]+(/.*)?)|(id:.*)',
  rev: '[0-9a-f]+',
} as const;

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'float';
  if (typeof v === 'object') return 'dict';
  return typeof v === 'boolean' ? 'boolean' : typeof v;
}

/** Parse a JSON argument; `where` is e.g. 'request body' or 'HTTP header "Dropbox-API-Arg"'. */
export function parseArgJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest(`${where}: could not decode input as JSON`);
  }
}

export interface UnionValue {
  tag: string;
  value: Record<string, unknown>;
}

/** Reads one struct; every accessor validates and reports errors with the field's full path. */
export class ArgReader {
  private readonly obj: Record<string, unknown>;

  constructor(
    raw: unknown,
    readonly where: string,
    allowed: readonly string[],
  ) {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new BadRequest(`${where}: expected object, got ${typeName(raw)}`);
    }
    this.obj = raw as Record<string, unknown>;
    for (const key of Object.keys(this.obj)) {
      if (!allowed.includes(key)) throw new BadRequest(`${where}: unknown field '${key}'`);
    }
  }

  private fail(field: string, message: string): never {
    throw new BadRequest(`${this.where}: ${field}: ${message}`);
  }

  private present(field: string): boolean {
    return this.obj[field] !== undefined && this.obj[field] !== null;
  }

  has(field: string): boolean {
    return this.present(field);
  }

  str(field: string, opts: { pattern?: string; min?: number; max?: number }): string | undefined {
    if (!this.present(field)) return undefined;
    const v = this.obj[field];
    if (typeof v !== 'string') this.fail(field, `'${String(v)}' expected to be a string, got ${typeName(v)}`);
    if (opts.min !== undefined && v.length < opts.min) {
      this.fail(field, `'${v}' must be at least ${opts.min} characters, got ${v.length}`);
    }
    if (opts.max !== undefined && v.length > opts.max) {
      this.fail(field, `'${v}' must be at most ${opts.max} characters, got ${v.length}`);
    }
    if (opts.pattern !== undefined && !new RegExp(`^(?:${opts.pattern})$`).test(v)) {
      this.fail(field, `'${v}' did not match pattern '${opts.pattern}'`);
    }
    return v;
  }

  reqStr(field: string, opts: { pattern?: string; min?: number; max?: number } = {}): string {
    const v = this.str(field, opts);
    if (v === undefined) throw new BadRequest(`${this.where}: missing required field '${field}'`);
    return v;
  }

  bool(field: string, fallback: boolean): boolean {
    if (!this.present(field)) return fallback;
    const v = this.obj[field];
    if (typeof v !== 'boolean') this.fail(field, `'${String(v)}' expected to be a boolean, got ${typeName(v)}`);
    return v;
  }

  uint(field: string, opts: { min?: number; max?: number } = {}): number | undefined {
    if (!this.present(field)) return undefined;
    const v = this.obj[field];
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.fail(field, `'${String(v)}' expected to be an integer, got ${typeName(v)}`);
    }
    const min = opts.min ?? 0;
    if (v < min) this.fail(field, `${v} is not greater than or equal to ${min}`);
    if (opts.max !== undefined && v > opts.max) this.fail(field, `${v} is not less than or equal to ${opts.max}`);
    return v;
  }

  reqUint(field: string, opts: { min?: number; max?: number } = {}): number {
    const v = this.uint(field, opts);
    if (v === undefined) throw new BadRequest(`${this.where}: missing required field '${field}'`);
    return v;
  }

  timestamp(field: string): string | undefined {
    const v = this.str(field, {});
    if (v !== undefined && !TIMESTAMP.test(v)) {
      this.fail(field, `time data '${v}' does not match format '%Y-%m-%dT%H:%M:%SZ'`);
    }
    return v;
  }

  /** A union: the bare string "x" or {".tag":"x", …}. */
  union(field: string, tags: readonly string[]): UnionValue | undefined {
    if (!this.present(field)) return undefined;
    const v = this.obj[field];
    if (typeof v === 'string') {
      if (!tags.includes(v)) this.fail(field, `unknown tag '${v}'`);
      return { tag: v, value: {} };
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      this.fail(field, `expected object or string, got ${typeName(v)}`);
    }
    const o = v as Record<string, unknown>;
    const t = o['.tag'];
    if (typeof t !== 'string') this.fail(field, `missing '.tag' key`);
    if (!tags.includes(t)) this.fail(field, `unknown tag '${t}'`);
    return { tag: t, value: o };
  }

  struct(field: string, allowed: readonly string[]): ArgReader | undefined {
    if (!this.present(field)) return undefined;
    return new ArgReader(this.obj[field], `${this.where}: ${field}`, allowed);
  }

  reqStruct(field: string, allowed: readonly string[]): ArgReader {
    const s = this.struct(field, allowed);
    if (!s) throw new BadRequest(`${this.where}: missing required field '${field}'`);
    return s;
  }

  list(field: string, opts: { max?: number } = {}): unknown[] | undefined {
    if (!this.present(field)) return undefined;
    const v = this.obj[field];
    if (!Array.isArray(v)) this.fail(field, `expected list, got ${typeName(v)}`);
    if (opts.max !== undefined && v.length > opts.max) {
      this.fail(field, `has more than ${opts.max} items`);
    }
    return v;
  }

  /** For a field we accept but ignore: it must still be present in the allowed list. */
  raw(field: string): unknown {
    return this.obj[field];
  }
}

export const COMMIT_FIELDS = ['path', 'mode', 'autorename', 'client_modified', 'mute', 'property_groups', 'strict_conflict'];

export interface CommitArgs {
  path: string;
  mode: 'add' | 'overwrite' | 'update';
  updateRev?: string;
  autorename: boolean;
  clientModified?: string;
  strictConflict: boolean;
}

/** CommitInfo (files/upload's arg and upload_session/finish's `commit`). */
export function readCommit(r: ArgReader): CommitArgs {
  const path = r.reqStr('path', { pattern: PATTERN.writePathOrId });
  const mode = r.union('mode', ['add', 'overwrite', 'update']);
  let updateRev: string | undefined;
  if (mode?.tag === 'update') {
    const rev = mode.value.update;
    if (typeof rev !== 'string' || rev.length < 9 || !/^[0-9a-f]+$/.test(rev)) {
      throw new BadRequest(`${r.where}: mode: update: '${String(rev)}' did not match pattern '${PATTERN.rev}'`);
    }
    updateRev = rev;
  }
  r.bool('mute', false);
  r.list('property_groups');
  return {
    path,
    mode: (mode?.tag ?? 'add') as CommitArgs['mode'],
    updateRev,
    autorename: r.bool('autorename', false),
    clientModified: r.timestamp('client_modified'),
    strictConflict: r.bool('strict_conflict', false),
  };
}

/** An optional content_hash argument (Sha256HexHash: exactly 64 characters). */
export function readContentHash(r: ArgReader): string | undefined {
  return r.str('content_hash', { min: 64, max: 64 });
}
