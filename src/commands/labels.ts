import type { Command } from 'commander';
import { textTable } from '../core/format.js';
import { out, printJson, withLibrary } from './shared.js';

export function define(cmd: Command): void {
  cmd
    .option('-k, --key <key>', 'label key contains this')
    .option('-v, --value <value>', 'label value contains this')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nLabels come from image metadata.\n  sreg labels --key maintainer\n  sreg labels --value 1.2')
    .action(async (opts: { key?: string; value?: string; json?: boolean }) => {
      await withLibrary((lib) => {
        const rows = lib.labels(opts.key, opts.value);
        if (opts.json) return printJson(rows);
        if (rows.length === 0) return out('no labels match');
        out(textTable(rows.map((r) => [r.uri, r.key, r.value]), ['IMAGE', 'KEY', 'VALUE']));
      });
    });
}
