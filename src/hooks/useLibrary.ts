// Local images for the Library screen and the Browser's right pane. Reads are synchronous SQLite
// queries; `epoch` (bumped by the store after a change) makes them run again.
import { useMemo } from 'react';
import { messageOf } from '../core/errors.js';
import { paths } from '../services/config.js';
import type { ImageDetails, ImageRecord } from './types.js';
import { useServices } from './useServices.js';

export interface LibraryView {
  images: ImageRecord[];
  total: number;
  error?: string;
  /** Where the library lives, for the status bar. */
  location: string;
}

export function useLibrary(filter: string, epoch = 0): LibraryView {
  const { library, env } = useServices();
  const location = useMemo(() => tildify(paths(env).databaseDir, env.HOME), [env]);
  const all = useMemo(() => {
    try {
      return { images: library.list() };
    } catch (e) {
      return { images: [] as ImageRecord[], error: messageOf(e) };
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [library, epoch]);
  return useMemo(() => {
    if (!filter || all.error) return { images: all.images, total: all.images.length, error: all.error, location };
    try {
      return { images: library.list(filter), total: all.images.length, location };
    } catch (e) {
      return { images: [], total: all.images.length, error: messageOf(e), location };
    }
  }, [library, all, filter, location]);
}

export function useImage(uri: string, epoch = 0): { image?: ImageDetails; error?: string } {
  const { library } = useServices();
  return useMemo(() => {
    try {
      const image = library.find(uri);
      return image ? { image } : { error: `no image ${uri} in the library` };
    } catch (e) {
      return { error: messageOf(e) };
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [library, uri, epoch]);
}

function tildify(p: string, home?: string): string {
  return home && p.startsWith(home + '/') ? '~' + p.slice(home.length) : p;
}
