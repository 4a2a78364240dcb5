import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { GlobusBackend, LocalStatus } from '../services/backends/globus/index.js';
import { withServices } from './remote.js';
import { out, printJson } from './shared.js';

function show(st: LocalStatus): void {
  if (!st.endpoint) {
    out(st.problem ?? 'no Globus endpoint is "this machine"');
    return;
  }
  const e = st.endpoint;
  out(`this machine: ${st.displayName ?? e.endpointId} (${e.endpointId}, from ${e.source})`);
  out(`  paths:   ${e.localPrefix} here = ${e.remotePrefix} on the endpoint`);
  if (st.online !== undefined) out(`  status:  ${st.connection ?? (st.online ? 'online' : 'offline')}`);
  out(`  library: ${st.storageReachable ? 'reachable through it' : 'NOT reachable through it'}`);
  if (st.problem) out(`  fix:     ${st.problem}`);
}

export function define(cmd: Command): void {
  cmd
    .argument('[endpoint]', 'a Globus collection id (or globus://ID) to use as this machine')
    .argument('[local-path]', 'a folder here that the collection exposes (e.g. your home or scratch)')
    .argument('[endpoint-path]', 'the same folder as the collection sees it', '/')
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      `
Globus moves files between endpoints, so sreg needs an endpoint on this machine: a Globus Connect
Personal found in ~/.globusonline, or a collection of your institution that exposes this file system.
Without arguments, shows which one is used and whether the library folder is reachable through it.
  sreg local
  sreg local 6881ae2e-db26-11e5-9772-22000b9da45e /home/$USER /~/`,
    )
    .action(async (endpoint: string | undefined, localPath: string | undefined, endpointPath: string, opts: { json?: boolean }) => {
      if (endpoint && !localPath) throw new UsageError('give the local folder the collection exposes: sreg local ENDPOINT LOCAL-PATH [ENDPOINT-PATH]');
      await withServices(async (s) => {
        const backend = (await s.backend('globus')) as unknown as GlobusBackend;
        let st: LocalStatus;
        if (endpoint) {
          const { chooseLocalEndpoint } = await import('../services/backends/globus/index.js');
          st = await chooseLocalEndpoint(backend, s, { endpointId: endpoint, localPrefix: localPath!, remotePrefix: endpointPath });
        } else {
          st = await backend.localStatus();
        }
        if (opts.json) return printJson(st);
        show(st);
      });
    });
}
