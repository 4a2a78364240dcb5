import type { Command } from 'commander';
import { NotFoundError } from '../core/errors.js';
import { out, withLibrary } from './shared.js';

export function define(cmd: Command): void {
  cmd
    .argument('<uri>', 'image name: [collection/]name[:tag][@version]')
    .addHelpText('after', '\nPrints the path of the image file, for use in scripts:\n  singularity run $(sreg get library/busybox:latest)')
    .action(async (uri: string) => {
      await withLibrary((lib) => {
        const img = lib.get(uri);
        if (!img.image) throw new NotFoundError(`${img.uri} has no local file`);
        out(img.image);
      });
    });
}
