import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { backendFor, withServices } from './remote.js';
import { out } from './shared.js';

export function define(cmd: Command): void {
  cmd
    .argument('<uri>', 'remote image, e.g. dropbox://collection/name:tag (without a scheme: the active backend)')
    .addHelpText('after', '\nPrints a shared link (the existing one if the image is shared already).\n  sreg share dropbox://pusheen/asaurus:green')
    .action(async (uri: string) => {
      await withServices(async (s) => {
        const { backend } = await backendFor(s, uri);
        if (!backend.share) throw new UsageError(`${backend.title} cannot make shared links`);
        out(await backend.share(uri));
      });
    });
}
