import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { backendFor, withServices } from './remote.js';
import { confirm, note, out } from './shared.js';

export function define(cmd: Command): void {
  cmd
    .argument('<uri>', 'remote image, e.g. dropbox://collection/name:tag (without a scheme: the active backend)')
    .option('-f, --force', 'do not ask (required when not on a terminal)')
    .addHelpText('after', '\nDeletes the remote file; the local library is not touched (see: sreg rm).\n  sreg delete dropbox://pusheen/asaurus:old --force\n  sreg delete globus://ENDPOINT-ID/~/old.sif --force   (a Globus folder ends with /: deleted with everything in it)')
    .action(async (uri: string, opts: { force?: boolean }) => {
      await withServices(async (s) => {
        const { backend } = await backendFor(s, uri);
        if (!backend.remove) throw new UsageError(`${backend.title} does not support deleting`);
        if (!(await confirm(`delete ${uri} from ${backend.title}?`, opts.force))) {
          note('nothing deleted');
          process.exitCode = 1;
          return;
        }
        await backend.remove(uri);
        out(`deleted ${uri}`);
      });
    });
}
