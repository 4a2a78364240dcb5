// Home's data: each backend with its login state, and the bookmarks from settings.
import { useEffect, useMemo, useState } from 'react';
import { messageOf } from '../core/errors.js';
import { BACKEND_KINDS } from '../services/index.js';
import type { BackendKind, BackendStatus, Bookmark } from './types.js';
import { useServices } from './useServices.js';

export interface RemoteRow {
  kind: BackendKind;
  title: string;
  status?: BackendStatus;
  /** The backend could not be loaded or asked (not installed, broken config, offline). */
  error?: string;
  loading: boolean;
}

const TITLES: Record<string, string> = { dropbox: 'Dropbox', globus: 'Globus', registry: 'Registry' };

export function useRemotes(epoch = 0): RemoteRow[] {
  const services = useServices();
  const kinds = services.kinds ?? BACKEND_KINDS;
  const [rows, setRows] = useState<RemoteRow[]>(() => kinds.map((kind) => ({ kind, title: TITLES[kind] ?? kind, loading: true })));
  useEffect(() => {
    let live = true;
    const set = (kind: BackendKind, patch: Partial<RemoteRow>) => live && setRows((rs) => rs.map((r) => (r.kind === kind ? { ...r, ...patch } : r)));
    for (const kind of kinds) {
      set(kind, { loading: true });
      services
        .backend(kind)
        .then(async (b) => {
          set(kind, { title: b.title });
          set(kind, { status: await b.status(), loading: false, error: undefined });
        })
        .catch((e) => set(kind, { error: messageOf(e), loading: false }));
    }
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [services, epoch]);
  return rows;
}

export function useBookmarks(epoch = 0): { bookmarks: Bookmark[]; add(b: Bookmark): boolean } {
  const { settings } = useServices();
  const [bump, setBump] = useState(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const bookmarks = useMemo(() => settings.get('bookmarks') ?? [], [settings, epoch, bump]);
  return {
    bookmarks,
    add: (b) => {
      const current = settings.get('bookmarks') ?? [];
      if (current.some((x) => x.uri === b.uri)) return false;
      settings.set('bookmarks', [...current, b]);
      setBump((n) => n + 1);
      return true;
    },
  };
}

/** The backend a remote address belongs to (`globus://…` → globus). */
export function kindOf(uri: string): BackendKind | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri);
  const k = m?.[1]?.toLowerCase();
  return (BACKEND_KINDS as string[]).includes(k ?? '') ? (k as BackendKind) : undefined;
}
