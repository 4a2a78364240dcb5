import type { Command } from 'commander';
import { formatBytes, formatDate, textTable } from '../core/format.js';
import { out, printJson, withLibrary } from './shared.js';

export function define(cmd: Command): void {
  cmd
    .argument('[query]', 'show only images whose collection/name:tag, uri or client contains this')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  sreg images\n  sreg images busybox --json')
    .action(async (query: string | undefined, opts: { json?: boolean }) => {
      await withLibrary((lib) => {
        if (opts.json) {
          // Compact for pipes (scripts, jq); indented for a person at a terminal.
          if (process.stdout.isTTY) return printJson(JSON.parse(lib.listJson(query)));
          for (const piece of lib.listJsonChunks(query)) process.stdout.write(piece);
          return out();
        }
        const rows = lib.list(query);
        if (rows.length === 0) return out(query ? `no images match "${query}"` : 'the library is empty (add one: sreg add FILE --name collection/name:tag)');
        out(
          textTable(
            rows.map((r) => [String(r.id), r.collection, r.name, r.tag, formatBytes(r.size), formatDate(r.createdAt), r.client, (r.version ?? '').slice(0, 12)]),
            ['ID', 'COLLECTION', 'NAME', 'TAG', 'SIZE', 'ADDED', 'CLIENT', 'VERSION'],
          ),
        );
      });
    });
}
