import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ExistsError, NotFoundError, UsageError } from '../core/errors.js';
import { formatImageName, parseImageName, type ImageName } from '../core/uri.js';
import type { ImageDetails } from '../services/library/images.js';
import type { Services } from '../services/index.js';
import { outcome, waitForJob } from './progress.js';
import { backendFor, withServices } from './remote.js';
import { note, out } from './shared.js';

interface Opts {
  name: string;
  force?: boolean;
  wait?: boolean;
}

/** library/<file stem>:latest, as sregistry-cli names a pushed file it has to add first. */
function nameFromFile(file: string): string {
  const stem = basename(file).replace(/\.(sif|simg|img)$/i, '').toLowerCase().replace(/[^a-z0-9._+-]/g, '-').replace(/^[.-]+/, '');
  return `library/${stem || 'image'}:latest`;
}

/** The library image to push: a library name, a file already in the library, or a file added now. */
async function localImage(s: Services, source: string, remote: string, plan: (path: string, name: string) => Promise<string | undefined>, force?: boolean): Promise<ImageDetails> {
  const file = resolve(source);
  if (existsSync(file) && statSync(file).isFile()) {
    const known = s.library.list().find((r) => r.image === file);
    if (known) return s.library.get({ ...parseImageName(known.uri), version: known.version ?? undefined });
    const name: ImageName = parseImageName((await plan(file, nameFromFile(file))) ?? nameFromFile(file));
    const existing = s.library.find(name);
    if (existing && !force) {
      throw new ExistsError(`the library already has ${formatImageName(name, false)}; push it by name (sreg push --name ${remote} ${formatImageName(name, false)}) or add --force to replace it with ${source}`);
    }
    const { image, warnings } = await s.library.addFile(file, name, { copy: true, force });
    for (const w of warnings) note(`warning: ${w}`);
    note(`[container][${existing ? 'update' : 'new'}] ${formatImageName(image, false)}`);
    return image;
  }
  let name: ImageName;
  try {
    name = parseImageName(source);
  } catch {
    throw new NotFoundError(`no such file or library image: ${source}`);
  }
  if (name.scheme) throw new UsageError(`push takes a file or a library image, not "${name.scheme}://…"; the destination goes in --name`);
  const found = s.library.find(name);
  if (!found) throw new NotFoundError(`no such file or library image: ${source} (see: sreg images)`);
  return found;
}

export function define(cmd: Command): void {
  cmd
    .argument('<image>', 'an image file, or a library image [collection/]name[:tag][@version]')
    .requiredOption('--name <uri>', 'destination, e.g. dropbox://collection/name:tag (without a scheme: the active backend)')
    .option('--force', 'when the file must be added to the library first, replace a library image of the same name')
    .option('--no-wait', 'return once the transfer is submitted (remote tasks such as Globus)')
    .addHelpText('after', '\nExamples:\n  sreg push --name dropbox://pusheen/asaurus:blue busybox.sif\n  SREGISTRY_CLIENT=dropbox sreg push --name pusheen/asaurus:pink library/busybox:latest')
    .action(async (source: string, opts: Opts) => {
      await withServices(async (s) => {
        const { kind, backend } = await backendFor(s, opts.name);
        const image = await localImage(
          s,
          source,
          opts.name,
          async (path, fallback) => (await backend.planPush({ path, imageName: fallback }, opts.name)).imageName,
          opts.force,
        );
        if (!image.image || !existsSync(image.image)) throw new NotFoundError(`the file of ${formatImageName(image)} is missing: ${image.image ?? 'no path'}`);
        const plan = await backend.planPush({ path: image.image, imageName: formatImageName(image, false) }, opts.name);
        const job = s.queue.enqueue({
          kind: 'push',
          backend: kind,
          source: formatImageName(image),
          destination: plan.destination,
          imageName: formatImageName(image, false),
          bytesTotal: plan.bytesTotal ?? image.size ?? undefined,
          options: plan.options,
        });
        const done = await waitForJob(s, job, { untilSubmitted: opts.wait === false });
        const result = outcome(done);
        if (done.state === 'submitted') out(`transfer #${done.id} submitted (${plan.destination}); follow it with: sreg tasks --watch`);
        else out(result || `pushed ${formatImageName(image, false)} to ${plan.destination}`);
      });
    });
}
