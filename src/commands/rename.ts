import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { formatImageName, parseImageName } from '../core/uri.js';
import { out, withLibrary } from './shared.js';

export function define(cmd: Command): void {
  cmd
    .argument('<uri>', 'current name')
    .argument('<newuri>', 'new name: [collection/]name[:tag]')
    .option('--force', 'replace an image that already has the new name')
    .addHelpText('after', '\nExample:\n  sreg rename library/pancakes:latest sherlock/better-pancakes:v1')
    .action(async (uri: string, newUri: string, opts: { force?: boolean }) => {
      const to = parseImageName(newUri);
      if (to.scheme || to.version) throw new UsageError('the new name is a library name without scheme or @version');
      await withLibrary(async (lib) => {
        const img = await lib.rename(uri, to, opts);
        out(`renamed to ${formatImageName(img)}`);
        out(img.image ?? '');
      });
    });
}
