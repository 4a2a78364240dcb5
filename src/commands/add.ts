import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { formatBytes } from '../core/format.js';
import { formatImageName, parseImageName } from '../core/uri.js';
import { note, out, printJson, withLibrary } from './shared.js';

export function define(cmd: Command): void {
  cmd
    .argument('<file>', 'a SIF (or legacy .simg) image file')
    .requiredOption('--name <uri>', 'library name: [collection/]name[:tag]')
    .option('--copy', 'copy the file into storage (default: move it, as sregistry does)')
    .option('--force', 'replace an image that already has this name')
    .option('--json', 'print the new record as JSON')
    .addHelpText('after', '\nExamples:\n  sreg add busybox.sif --name library/busybox:1.36\n  sreg add ~/build/app.sif --name lab/app:dev --copy')
    .action(async (file: string, opts: { name: string; copy?: boolean; force?: boolean; json?: boolean }) => {
      const name = parseImageName(opts.name);
      if (name.scheme) throw new UsageError(`--name is a library name; drop "${name.scheme}://"`);
      if (name.version) throw new UsageError('--name must not carry @version: the version is the sha256 of the file');
      await withLibrary(async (lib) => {
        const { image, replaced, warnings } = await lib.addFile(file, name, { copy: opts.copy, force: opts.force });
        for (const w of warnings) note(`warning: ${w}`);
        if (opts.json) return printJson(image);
        out(`${replaced ? 'replaced' : 'added'} ${formatImageName(image)} (${formatBytes(image.size)})`);
        out(image.image ?? '');
      });
    });
}
