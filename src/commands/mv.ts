import type { Command } from 'commander';
import { out, withLibrary } from './shared.js';

export function define(cmd: Command): void {
  cmd
    .argument('<uri>', 'image name')
    .argument('<dest>', 'a folder, or a new file path')
    .addHelpText('after', "\nMoves the image file; the library follows it.\n  sreg mv library/busybox:latest /scratch/$USER/images/")
    .action(async (uri: string, dest: string) => {
      await withLibrary(async (lib) => {
        const img = await lib.move(uri, dest);
        out(img.image ?? '');
      });
    });
}
