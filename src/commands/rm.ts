import type { Command } from 'commander';
import { formatImageName } from '../core/uri.js';
import { confirm, note, out, withLibrary } from './shared.js';

export function define(cmd: Command): void {
  cmd
    .argument('<uri>', 'image name: [collection/]name[:tag][@version]')
    .option('-f, --force', 'do not ask (required when not on a terminal)')
    .addHelpText('after', '\nRemoves the database row and the image file.\n  sreg rm library/busybox:old --force')
    .action(async (uri: string, opts: { force?: boolean }) => {
      await withLibrary(async (lib) => {
        const img = lib.get(uri);
        const label = formatImageName(img);
        if (!(await confirm(`remove ${label} and delete ${img.image ?? 'its record'}?`, opts.force))) {
          note('nothing removed');
          process.exitCode = 1;
          return;
        }
        await lib.remove({ collection: img.collection, name: img.name, tag: img.tag, version: img.version ?? undefined });
        out(`removed ${label}`);
      });
    });
}
