import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { checkKind, withServices } from './remote.js';
import { note, out } from './shared.js';

export function define(cmd: Command): void {
  cmd
    .argument('[backend]', 'dropbox or globus (default: the active backend)')
    .addHelpText('after', '\nRevokes the saved login and forgets it.\n  sreg logout dropbox')
    .action(async (name: string | undefined) => {
      await withServices(async (s) => {
        const kind = name ? checkKind(name) : s.activeBackend();
        if (!kind) throw new UsageError('which backend? sreg logout dropbox (or globus)');
        const backend = await s.backend(kind);
        await backend.logout();
        out(`logged out of ${backend.title}`);
        const after = await backend.status().catch(() => undefined);
        if (after?.loggedIn) note(`still signed in: ${after.detail ?? after.who ?? ''}`);
      });
    });
}
