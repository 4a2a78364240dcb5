import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { BackendStatus } from '../services/backends/backend.js';
import { BACKEND_KINDS, type Services } from '../services/index.js';
import { checkKind, withServices } from './remote.js';
import { out, printJson } from './shared.js';

async function statusOf(s: Services, kind: string): Promise<BackendStatus> {
  try {
    return await (await s.backend(checkKind(kind))).status();
  } catch (e) {
    return { loggedIn: false, detail: `unavailable: ${(e as Error).message.split('\n')[0]}` };
  }
}

export function define(cmd: Command): void {
  cmd
    .argument('<action>', 'list, status or activate')
    .argument('[name]', 'backend to activate: dropbox or globus')
    .option('--json', 'print as JSON (list, status)')
    .addHelpText('after', '\nA URI without a scheme goes to the active backend; SREGISTRY_CLIENT overrides the activated one.\n  sreg backend activate dropbox\n  sreg backend status')
    .action(async (action: string, name: string | undefined, opts: { json?: boolean }) => {
      if (!['list', 'status', 'activate'].includes(action)) throw new UsageError(`unknown action "${action}": use list, status or activate NAME`);
      if (action === 'activate' && !name) throw new UsageError('which backend? sreg backend activate dropbox (or globus)');
      if (action !== 'activate' && name) throw new UsageError(`"backend ${action}" takes no name`);
      await withServices(async (s) => {
        const stored = s.settings.get('activeBackend');
        const override = s.env.SREGISTRY_CLIENT;
        if (action === 'activate') {
          const kind = checkKind(name!);
          s.settings.set('activeBackend', kind);
          out(`[activate] ${kind}`);
          if (override && override.toLowerCase() !== kind) out(`note: SREGISTRY_CLIENT=${override} is set and takes precedence in this shell`);
          return;
        }
        const active = s.activeBackend();
        const rows = [];
        for (const kind of BACKEND_KINDS) {
          const st = action === 'status' ? await statusOf(s, kind) : undefined;
          rows.push({ name: kind, active: kind === active, ...(st ? { status: st } : {}) });
        }
        if (opts.json) return printJson({ active: active ?? null, activated: stored ?? null, sregistryClient: override ?? null, backends: rows });
        if (action === 'list') {
          for (const r of rows) out(`${r.active ? '*' : ' '} ${r.name}`);
          return;
        }
        out('[backend status]');
        out(`active: ${active ?? '(none: sreg backend activate NAME)'}`);
        if (override) out(`SREGISTRY_CLIENT=${override} overrides the activated backend (${stored ?? 'none'})`);
        for (const r of rows) {
          const st = r.status!;
          out(`${r.name}: ${st.loggedIn ? 'logged in' : 'not logged in'}${st.who ? ' as ' + st.who : ''}${st.detail ? ' (' + st.detail + ')' : ''}`);
        }
      });
    });
}
