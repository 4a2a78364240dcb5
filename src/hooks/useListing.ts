// A remote folder for the Browser: starts at the backend's home when no location is given, cancels the
// previous request when the location changes, and keeps the error's kind (auth, consent) so the
// screen can offer the right way out.
import { useEffect, useState } from 'react';
import { ConsentRequiredError, messageOf, SregError } from '../core/errors.js';
import type { BackendKind, Listing } from './types.js';
import { useServices } from './useServices.js';

export interface ListingError {
  message: string;
  kind: string;
  /** ConsentRequired: the scopes a new login must ask for. */
  scopes?: string[];
}

export interface ListingView {
  listing?: Listing;
  loading: boolean;
  error?: ListingError;
  title: string;
  canShare: boolean;
  canRemove: boolean;
  canMkdir: boolean;
}

export function toListingError(e: unknown): ListingError {
  if (e instanceof ConsentRequiredError) return { message: e.message, kind: e.kind, scopes: e.requiredScopes };
  return { message: messageOf(e), kind: e instanceof SregError ? e.kind : 'failure' };
}

export function useListing(kind: string, location: string | undefined, options: { showHidden: boolean; epoch?: number }): ListingView {
  const services = useServices();
  const [view, setView] = useState<ListingView>({ loading: true, title: kind, canShare: false, canRemove: false, canMkdir: false });
  useEffect(() => {
    const controller = new AbortController();
    setView((v) => ({ ...v, loading: true, error: undefined }));
    (async () => {
      const backend = await services.backend(kind as BackendKind);
      const meta = { title: backend.title, canShare: !!backend.share, canRemove: !!backend.remove, canMkdir: !!backend.mkdir };
      setView((v) => ({ ...v, ...meta }));
      const where = location ?? (await backend.home());
      const listing = await backend.list(where, { showHidden: options.showHidden, signal: controller.signal });
      if (!controller.signal.aborted) setView({ ...meta, listing, loading: false });
    })().catch((e) => {
      if (!controller.signal.aborted) setView((v) => ({ ...v, loading: false, error: toListingError(e) }));
    });
    return () => controller.abort();
  }, [services, kind, location, options.showHidden, options.epoch]);
  return view;
}
