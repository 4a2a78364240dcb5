// Step 3 of the metadata chain: read `.singularity.d/` files straight out of a squashfs file system
// (a SIF partition at an offset, or a legacy image) with `unsquashfs -o OFFSET -cat`. No runtime,
// no mount, no root. `-cat` does not follow symlinks, so the listing (-lls) is used to resolve them.
import { posix, resolve } from 'node:path';
import { findExecutable, runTool, type ToolOptions } from './inspect.js';
import type { InspectAttributes } from './types.js';

const SECTION_FILES: Array<[file: string, key: 'runscript' | 'startscript' | 'test' | 'helpfile' | 'deffile']> = [
  ['runscript', 'runscript'],
  ['startscript', 'startscript'],
  ['test', 'test'],
  ['runscript.help', 'helpfile'],
  ['Singularity', 'deffile'],
];
/** The env files `inspect` reports: env/10-docker*.sh and env/9*-environment.sh. */
const ENV_FILE = /^\.singularity\.d\/env\/(10-docker[^/]*|9[^/]*-environment)\.sh$/;

interface Entry {
  kind: string;
  target?: string;
}

/** Labels, scripts, def file and environment from the squashfs at `offset`; undefined when unreadable. */
export async function readSquashfsMetadata(file: string, offset: number, options: ToolOptions = {}): Promise<InspectAttributes | undefined> {
  const path = resolve(file); // never mistaken for an option
  const warn = options.onWarning ?? (() => {});
  const unsquashfs = await findExecutable('unsquashfs', options.env ?? process.env);
  if (!unsquashfs) {
    warn('no unsquashfs on PATH; squashfs metadata skipped');
    return undefined;
  }
  const base = offset > 0 ? ['-o', String(offset)] : [];
  const listed = await runTool(unsquashfs, [...base, '-lls', path, '.singularity.d'], options);
  if (!listed.ok) {
    warn(`unsquashfs failed: ${listed.reason}`);
    return undefined;
  }
  const entries = parseListing(listed.stdout);
  if (!entries.has('.singularity.d')) {
    warn('image has no .singularity.d folder; no labels or scripts');
    return undefined;
  }
  const cat = async (rel: string): Promise<string | undefined> => {
    const real = resolveLink(entries, rel);
    if (real === undefined) return undefined;
    const r = await runTool(unsquashfs, [...base, '-cat', path, real], options);
    return r.ok ? r.stdout : undefined;
  };

  const out: InspectAttributes = {};
  const [labelsText, ...texts] = await Promise.all([
    cat('.singularity.d/labels.json'),
    ...SECTION_FILES.map(([file]) => cat(`.singularity.d/${file}`)),
  ]);
  if (labelsText !== undefined) {
    const labels = parseLabels(labelsText);
    if (labels && Object.keys(labels).length > 0) out.labels = labels;
    else warn('.singularity.d/labels.json is not a JSON object; labels skipped');
  }
  SECTION_FILES.forEach(([, key], i) => {
    const text = trimEnd(texts[i]);
    if (text) out[key] = text;
  });
  const envFiles = [...entries.keys()].filter((p) => ENV_FILE.test(p)).sort();
  const envTexts = await Promise.all(envFiles.map(cat));
  envFiles.forEach((p, i) => {
    const text = trimEnd(envTexts[i]);
    if (text) (out.environment ??= {})[`/${p}`] = text;
  });
  return out;
}

/** `unsquashfs -lls` lines → path (relative to the root) → kind and symlink target. */
export function parseListing(text: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  for (const line of text.split('\n')) {
    const m = /^([-dlcbps])\S{9}\s+\S+\s+\S+\s+\S+\s+\S+\s+squashfs-root\/(.+)$/.exec(line);
    if (!m) continue;
    const [, kind, rest] = m as unknown as [string, string, string];
    if (kind === 'l') {
      const arrow = rest.indexOf(' -> ');
      if (arrow > 0) entries.set(rest.slice(0, arrow), { kind, target: rest.slice(arrow + 4) });
    } else {
      entries.set(rest, { kind });
    }
  }
  return entries;
}

/** Follows symlinks inside the listing (a few hops); paths outside it are tried as they are. */
function resolveLink(entries: Map<string, Entry>, rel: string): string | undefined {
  let current = rel;
  for (let hop = 0; hop < 8; hop++) {
    const e = entries.get(current);
    if (!e) return current.startsWith('.singularity.d/') ? undefined : current;
    if (e.kind === '-') return current;
    if (e.kind !== 'l' || e.target === undefined) return undefined;
    const next = e.target.startsWith('/') ? e.target : posix.join(posix.dirname(current), e.target);
    current = posix.normalize(next).replace(/^\/+/, '');
    if (current.startsWith('..')) return undefined;
  }
  return undefined;
}

function parseLabels(text: string): Record<string, string> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]));
  } catch {
    return undefined;
  }
}

/** inspect-metadata.json stores sections with trailing newlines trimmed; match it. */
function trimEnd(text: string | undefined): string | undefined {
  return text?.replace(/\n+$/, '');
}
