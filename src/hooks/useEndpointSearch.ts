// Globus endpoint search as you type: waits 250 ms after the last key, cancels the request a newer
// query makes stale, and keeps the last results on screen while the next ones load.
import { useEffect, useState } from 'react';
import { messageOf, SregError } from '../core/errors.js';
import type { SearchHit } from './types.js';
import { useServices } from './useServices.js';

export const DEBOUNCE_MS = 250;

/** Scopes in Tab order; `undefined` is Globus's default (mine, shared, recent; or all when there are words). */
export const SEARCH_SCOPES: Array<{ id?: string; label: string }> = [
  { label: 'mine, shared, recent' },
  { id: 'my-endpoints', label: 'my endpoints' },
  { id: 'shared-with-me', label: 'shared with me' },
  { id: 'recently-used', label: 'recently used' },
  { id: 'all', label: 'all endpoints' },
];

export interface EndpointSearchView {
  hits: SearchHit[];
  loading: boolean;
  error?: string;
  /** The query the hits are for. */
  shown?: string;
}

export function useEndpointSearch(query: string, scope: string | undefined, kind = 'globus'): EndpointSearchView {
  const services = useServices();
  const [view, setView] = useState<EndpointSearchView>({ hits: [], loading: true });
  useEffect(() => {
    const controller = new AbortController();
    setView((v) => ({ ...v, loading: true }));
    const timer = setTimeout(() => {
      (async () => {
        if (scope === 'all' && !query.trim()) {
          setView({ hits: [], loading: false, shown: query, error: 'type words to search all endpoints' });
          return;
        }
        const backend = await services.backend(kind as never);
        if (!backend.search) throw new SregError(`${backend.title} has no endpoint search`);
        const hits = await backend.search(query, { scope, signal: controller.signal });
        if (!controller.signal.aborted) setView({ hits, loading: false, shown: query });
      })().catch((e) => {
        if (!controller.signal.aborted) setView((v) => ({ ...v, loading: false, error: messageOf(e) }));
      });
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [services, query, scope, kind]);
  return view;
}
