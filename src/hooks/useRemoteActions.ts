// What the Browser asks of services besides listing: plan copies (the Confirm shows the plans, the
// queue gets them only after "yes"), share a file, bookmark a folder.
import { useCallback, useMemo } from 'react';
import { SregError } from '../core/errors.js';
import { formatImageName, parseImageName } from '../core/uri.js';
import type { BackendKind, ImageRecord, NewTransfer, RemoteEntry } from './types.js';
import { useServices } from './useServices.js';

export interface CopyPlan {
  jobs: NewTransfer[];
  /** One line per image: source → destination, with notes (replaces, already there). */
  lines: string[];
}

export interface RemoteActions {
  planPulls(kind: string, entries: RemoteEntry[]): Promise<CopyPlan>;
  /** `shown`: the entries of the open folder, so a push onto one of them says it replaces it. */
  planPushes(kind: string, location: string, images: ImageRecord[], shown?: RemoteEntry[]): Promise<CopyPlan>;
  share(kind: string, location: string): Promise<string>;
}

/** Dropbox keeps sregistry-cli's layout (`/<collection>/<name>:<tag>.sif`), so pushes go to the root; others to the open folder. */
function pushTarget(kind: string, location: string): string {
  return kind === 'dropbox' ? 'dropbox://' : location;
}

export function useRemoteActions(): RemoteActions {
  const services = useServices();
  const backend = useCallback((kind: string) => services.backend(kind as BackendKind), [services]);
  const planPulls = useCallback(
    async (kind: string, entries: RemoteEntry[]): Promise<CopyPlan> => {
      const b = await backend(kind);
      const plan: CopyPlan = { jobs: [], lines: [] };
      for (const e of entries) {
        const p = await b.planPull(e.location, {});
        const exists = !!services.library.find({ ...parseImageName(p.imageName), version: undefined });
        plan.jobs.push({
          kind: 'pull', backend: b.kind, source: p.source, destination: p.imageName, imageName: p.imageName, bytesTotal: p.bytesTotal,
          options: { ...p.options, ...(exists ? { force: true } : {}) },
        });
        plan.lines.push(`${e.name} -> ${p.imageName}${exists ? ' (replaces the library copy)' : ''}`);
      }
      return plan;
    },
    [backend, services],
  );
  const planPushes = useCallback(
    async (kind: string, location: string, images: ImageRecord[], shown: RemoteEntry[] = []): Promise<CopyPlan> => {
      const b = await backend(kind);
      const plan: CopyPlan = { jobs: [], lines: [] };
      // Dropbox paths are case-insensitive; Globus paths are not.
      const key = (l: string) => (kind === 'dropbox' ? l.toLowerCase() : l);
      const there = new Set(shown.filter((e) => e.kind !== 'dir').map((e) => key(e.location)));
      for (const img of images) {
        const name = `${img.collection}/${img.name}:${img.tag}`;
        if (!img.image) throw new SregError(`${name} has no file in the library`);
        const p = await b.planPush({ path: img.image, imageName: name }, pushTarget(kind, location));
        const source = formatImageName({ collection: img.collection, name: img.name, tag: img.tag, version: img.version ?? undefined });
        plan.jobs.push({ kind: 'push', backend: b.kind, source, destination: p.destination, imageName: name, bytesTotal: p.bytesTotal ?? img.size ?? undefined, options: p.options });
        plan.lines.push(`${name} -> ${p.destination}${there.has(key(p.destination)) ? ' (replaces the file there)' : ''}`);
      }
      return plan;
    },
    [backend],
  );
  const share = useCallback(
    async (kind: string, location: string) => {
      const b = await backend(kind);
      if (!b.share) throw new SregError(`${b.title} cannot share links`);
      return b.share(location);
    },
    [backend],
  );
  return useMemo(() => ({ planPulls, planPushes, share }), [planPulls, planPushes, share]);
}
