// Carries out what a confirmed dialog asked for. Returns the line for the status bar and what to
// reload; errors come back as SregError messages, never stacks.
import { useCallback } from 'react';
import type { PendingAction } from '../app/store.js';
import { messageOf } from '../core/errors.js';
import type { BackendKind } from './types.js';
import { useServices } from './useServices.js';
import { counted } from '../core/format.js';

export interface ActionResult {
  message: string;
  level: 'info' | 'error';
  refresh: string[];
}

export function useActions(): (action: PendingAction) => Promise<ActionResult> {
  const services = useServices();
  return useCallback(
    async (action) => {
      try {
        switch (action.kind) {
          case 'delete-image': {
            const img = await services.library.remove(action.uri);
            return { message: `deleted ${img.collection}/${img.name}:${img.tag}`, level: 'info', refresh: ['library'] };
          }
          case 'enqueue': {
            const jobs = action.jobs.map((j) => services.queue.enqueue(j));
            const n = jobs.length;
            return { message: `${counted(n, 'transfer')} queued (t shows them)`, level: 'info', refresh: ['transfers'] };
          }
          case 'remote-remove': {
            const backend = await services.backend(action.backend as BackendKind);
            if (!backend.remove) return { message: `${backend.title} cannot delete files`, level: 'error', refresh: [] };
            for (const loc of action.locations) await backend.remove(loc);
            const n = action.locations.length;
            return { message: `deleted ${counted(n, 'item')} on ${backend.title}`, level: 'info', refresh: ['listing'] };
          }
          case 'remove-bookmark': {
            const marks = (services.settings.get('bookmarks') ?? []).filter((b) => b.uri !== action.uri);
            services.settings.set('bookmarks', marks);
            return { message: 'bookmark removed', level: 'info', refresh: ['home'] };
          }
          case 'mkdir': {
            const backend = await services.backend(action.backend as BackendKind);
            const name = (action.name ?? '').trim();
            if (!backend.mkdir) return { message: `${backend.title} cannot make folders`, level: 'error', refresh: [] };
            if (!name || name.includes('/')) return { message: 'give a folder name without "/"', level: 'error', refresh: [] };
            const location = action.parent.endsWith('://') ? action.parent + name : `${action.parent.replace(/\/+$/, '')}/${name}`;
            await backend.mkdir(location);
            return { message: `made folder ${name}`, level: 'info', refresh: ['listing'] };
          }
          case 'quit':
            return { message: '', level: 'info', refresh: [] };
        }
      } catch (e) {
        return { message: messageOf(e), level: 'error', refresh: ['library', 'listing'] };
      }
    },
    [services],
  );
}
