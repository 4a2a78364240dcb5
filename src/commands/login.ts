import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { checkKind, readLine, withServices } from './remote.js';
import { note, out } from './shared.js';

/** The URL as a QR code on stderr, for a phone; only on a terminal, and never fatal. */
async function showQr(url: string): Promise<void> {
  if (!process.stderr.isTTY) return;
  try {
    const { default: QRCode } = await import('qrcode');
    note(await QRCode.toString(url, { type: 'terminal', small: true }));
  } catch {
    /* the URL is printed anyway */
  }
}

export function define(cmd: Command): void {
  cmd
    .argument('[backend]', 'dropbox or globus (default: the active backend)')
    .option('--token', 'paste an access token instead of the browser sign-in')
    .option('--app-key <key>', 'Dropbox: your app key for the browser sign-in (saved in settings)')
    .option('--client-id <id>', 'Globus: your native-app client id (saved in settings)')
    .addHelpText(
      'after',
      '\nPrints the sign-in URL on a line of its own (and a QR code on a terminal), then reads the code or token\nfrom stdin, so it can be scripted:\n  sreg login dropbox\n  sreg login dropbox --token < token.txt\n  sreg login dropbox --app-key YOUR_APP_KEY',
    )
    .action(async (name: string | undefined, opts: { token?: boolean; appKey?: string; clientId?: string }) => {
      await withServices(async (s) => {
        const kind = name ? checkKind(name) : s.activeBackend();
        if (!kind) throw new UsageError('which backend? sreg login dropbox (or globus)');
        if (opts.appKey && kind !== 'dropbox') throw new UsageError('--app-key is for dropbox');
        if (opts.clientId && kind !== 'globus') throw new UsageError('--client-id is for globus');
        if (opts.appKey) s.settings.set('dropboxAppKey', opts.appKey.trim());
        if (opts.clientId) s.settings.set('globusClientId', opts.clientId.trim());
        const backend = await s.backend(kind);
        const flow = backend.login({ token: opts.token });
        const start = await flow.start();
        for (const line of start.instructions) note(line);
        if (start.url) {
          out(start.url);
          await showQr(start.url);
        }
        const pasted = await readLine(start.expects === 'token' ? 'Token: ' : 'Code: ');
        if (!pasted) throw new UsageError(`no ${start.expects} given`);
        const { who } = await flow.finish(pasted);
        out(`logged in to ${backend.title} as ${who}`);
      });
    });
}
