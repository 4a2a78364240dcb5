import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { formatBytes, formatDate, textTable } from '../core/format.js';
import { splitScheme } from '../core/uri.js';
import type { Listing, SearchHit } from '../services/backends/backend.js';
import { backendFor, withServices } from './remote.js';
import { out, printJson } from './shared.js';

interface Opts {
  endpoint?: string;
  scope?: string;
  json?: boolean;
}

const color = () => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const highlight = (s: string) => (color() ? `\x1b[35m${s}\x1b[0m` : s);

function printHits(hits: SearchHit[]): void {
  if (hits.length === 0) return out('no matches');
  const groups = new Map<string, SearchHit[]>();
  for (const h of hits) groups.set(h.kind, [...(groups.get(h.kind) ?? []), h]);
  const titles: Record<string, string> = { collection: 'Collections', image: 'Images', endpoint: 'Endpoints', dir: 'Folders', file: 'Files' };
  let first = true;
  for (const [kind, list] of groups) {
    if (!first) out();
    first = false;
    out(titles[kind] ?? kind);
    const rows = list.map((h, i) => {
      const size = typeof h.fields?.size === 'number' ? formatBytes(h.fields.size) : '';
      const when = typeof h.fields?.modified === 'string' ? formatDate(h.fields.modified) : '';
      const title = kind === 'image' ? highlight(h.title) : h.title;
      return [String(i + 1), title, ...(size || when ? [size, when] : []), h.detail && h.detail !== h.title ? h.detail : ''];
    });
    out(textTable(rows));
  }
}

function printListing(l: Listing): void {
  out(`Listing ${l.breadcrumb}`);
  const rows = l.entries.map((e, i) => [String(i + 1), e.kind === 'dir' ? 'dir' : 'file', e.permissions ?? '', e.kind === 'dir' ? '' : formatBytes(e.size), e.isImage ? highlight(e.name) : e.name]);
  out(rows.length ? textTable(rows, ['', 'type', 'perm', 'size', 'name']) : '(empty)');
}

/** `ID[:PATH]`: the path starts after the first colon and may hold more colons. */
export function splitEndpoint(arg: string): { id: string; path?: string } {
  const i = arg.indexOf(':');
  const id = (i < 0 ? arg : arg.slice(0, i)).trim();
  if (!id) throw new UsageError('--endpoint needs an endpoint id: --endpoint ID[:PATH]');
  return i < 0 ? { id } : { id, path: arg.slice(i + 1) };
}

export function define(cmd: Command): void {
  cmd
    .argument('[query]', 'words to look for, or a URI such as dropbox://pusheen (empty: list everything)')
    .option('--endpoint <id[:path]>', 'list a Globus endpoint folder instead of searching')
    .option('--scope <scope>', 'where to search, for backends that have scopes (Globus: my-endpoints, shared-with-me, all)')
    .option('--json', 'print the results as JSON')
    .addHelpText('after', '\nExamples:\n  sreg search dropbox://\n  sreg search dropbox://pusheen\n  SREGISTRY_CLIENT=dropbox sreg search green\n  sreg search --endpoint 6881ae2e-db26-11e5-9772-22000b9da45e:.singularity/shub')
    .action(async (query: string | undefined, opts: Opts) => {
      if (opts.endpoint !== undefined && query) throw new UsageError('give either a query or --endpoint, not both');
      await withServices(async (s) => {
        if (opts.endpoint !== undefined) {
          const { id, path } = splitEndpoint(opts.endpoint);
          const listing = await (await s.backend('globus')).list(path === undefined ? id : `${id}:${path}`);
          return opts.json ? printJson(listing) : printListing(listing);
        }
        const { backend } = await backendFor(s, query);
        if (!backend.search) throw new UsageError(`${backend.title} has no search; browse it with the TUI or list a folder`);
        const hits = await backend.search(splitScheme(query ?? '').rest, { scope: opts.scope });
        if (opts.json) printJson(hits);
        else printHits(hits);
      });
    });
}
