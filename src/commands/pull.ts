import type { Command } from 'commander';
import { ExistsError } from '../core/errors.js';
import { formatImageName, parseImageName } from '../core/uri.js';
import { outcome, waitForJob } from './progress.js';
import { backendFor, withServices } from './remote.js';
import { note, out } from './shared.js';

interface Opts {
  force?: boolean;
  name?: string;
  wait?: boolean;
}

export function define(cmd: Command): void {
  cmd
    .argument('<remote>', 'remote image, e.g. dropbox://collection/name:tag (without a scheme: the active backend)')
    .option('--force', 'replace the library image of the same name')
    .option('--name <name>', 'library name to give it: [collection/]name[:tag]')
    .option('--no-wait', 'return once the transfer is submitted (remote tasks such as Globus); byte transfers still finish first')
    .addHelpText('after', '\nExamples:\n  sreg pull dropbox://pusheen/asaurus:red\n  sreg pull --force dropbox://pusheen/asaurus:red\n  SREGISTRY_CLIENT=dropbox sreg pull pusheen/asaurus:blue --name lab/asaurus:blue')
    .action(async (remote: string, opts: Opts) => {
      await withServices(async (s) => {
        const { kind, backend } = await backendFor(s, remote);
        const plan = await backend.planPull(remote, { name: opts.name });
        const name = parseImageName(plan.imageName);
        const existing = s.library.find({ ...name, version: undefined });
        if (existing && !opts.force) {
          throw new ExistsError(`Image exists! ${formatImageName(name, false)} is in the library; remove it first, or use --force to overwrite`);
        }
        await s.library.sweep(); // temp files of pulls that were killed
        const job = s.queue.enqueue({
          kind: 'pull',
          backend: kind,
          source: plan.source,
          destination: plan.imageName,
          imageName: plan.imageName,
          bytesTotal: plan.bytesTotal,
          options: { ...plan.options, force: Boolean(opts.force) },
        });
        const done = await waitForJob(s, job, { untilSubmitted: opts.wait === false });
        outcome(done);
        if (done.state === 'submitted') {
          out(`transfer #${done.id} submitted (${plan.source} → ${plan.imageName}); follow it with: sreg tasks --watch`);
          return;
        }
        const image = s.library.get(name);
        note(`[container][${existing ? 'update' : 'new'}] ${formatImageName(image, false)}`);
        out(`Success! ${image.image ?? ''}`);
      });
    });
}
