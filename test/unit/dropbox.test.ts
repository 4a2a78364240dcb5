// Pure parts of the Dropbox backend: addresses and layout, error classification, and the share
// fallback when shared_link_already_exists carries no metadata (the sandbox always sends it).
import { describe, expect, it } from 'vitest';
import { AuthRequiredError } from '../../src/core/errors.js';
import type { DropboxApi } from '../../src/services/backends/dropbox/api.js';
import { classify, DropboxApiError, tagChain, toUserError } from '../../src/services/backends/dropbox/errors.js';
import { DropboxBackend } from '../../src/services/backends/dropbox/index.js';
import { fileFor, nameForPath, parentOf, toLocation, toPath } from '../../src/services/backends/dropbox/paths.js';
import { dropboxTimestamp, headerJson } from '../../src/services/backends/dropbox/client.js';

describe('dropbox addresses', () => {
  it('maps image names to the sregistry-cli layout and back', () => {
    expect(fileFor('dropbox://pusheen/asaurus:blue')).toBe('/pusheen/asaurus:blue.sif');
    expect(fileFor('Pusheen/Asaurus')).toBe('/pusheen/asaurus:latest.sif');
    expect(fileFor('dropbox://Apps/X/odd name.simg')).toBe('/Apps/X/odd name.simg');
    expect(nameForPath('/pusheen/asaurus:blue.sif')).toMatchObject({ collection: 'pusheen', name: 'asaurus', tag: 'blue' });
    expect(nameForPath('/a/b/c:d.sif')).toMatchObject({ collection: 'a/b', name: 'c', tag: 'd' });
    expect(nameForPath('/top.sif')).toMatchObject({ collection: 'library', name: 'top', tag: 'latest' });
    expect(() => nameForPath('/x/odd name.sif')).toThrow(/give one with --name/);
  });

  it('turns locations into Dropbox paths: root is "", no trailing slash, no ..', () => {
    for (const root of ['', 'dropbox://', 'dropbox:///', '/']) expect(toPath(root)).toBe('');
    expect(toPath('dropbox://a/b/')).toBe('/a/b');
    expect(toLocation('/a/b')).toBe('dropbox://a/b');
    expect(parentOf('/a/b')).toBe('/a');
    expect(parentOf('/a')).toBe('');
    expect(parentOf('')).toBeUndefined();
    expect(() => toPath('dropbox://a/../b')).toThrow(/not a valid Dropbox path/);
    expect(() => toPath('globus://x/y')).toThrow(/not a Dropbox address/);
  });

  it('formats timestamps and header JSON as Dropbox wants them', () => {
    expect(dropboxTimestamp(new Date('2024-05-01T12:00:00.123Z'))).toBe('2024-05-01T12:00:00Z');
    expect(headerJson({ path: '/ü/😀' })).toBe('{"path":"/\\u00fc/\\ud83d\\ude00"}');
  });
});

describe('dropbox errors', () => {
  it('reads tag chains from nested unions and inlined structs, never error_summary', () => {
    expect(tagChain({ '.tag': 'path', path: { '.tag': 'not_found' } })).toEqual(['path', 'not_found']);
    expect(tagChain({ '.tag': 'path', reason: { '.tag': 'conflict', conflict: { '.tag': 'file' } }, upload_session_id: 'x' })).toEqual(['path', 'conflict', 'file']);
    expect(tagChain({ '.tag': 'lookup_failed', lookup_failed: { '.tag': 'incorrect_offset', correct_offset: 8 } })).toEqual(['lookup_failed', 'incorrect_offset']);
  });

  it('classifies 429 (header or body), 5xx, resets, and maps 401 and 409 to one line', () => {
    const headers = { get: (n: string) => (n === 'retry-after' ? '3' : null) };
    expect(classify({ status: 429, headers, error: { error_summary: 'x', error: { reason: { '.tag': 'too_many_requests' }, retry_after: 300 } } })).toMatchObject({ status: 429, retryAfterMs: 3000, tags: ['too_many_requests'] });
    expect(classify({ status: 429, headers: {}, error: { error: { reason: { '.tag': 'too_many_requests' }, retry_after: 2 } } }).retryAfterMs).toBe(2000);
    expect(classify(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).network).toBe(true);
    const expired = classify({ status: 401, headers: {}, error: { error_summary: 'expired_access_token/..', error: { '.tag': 'expired_access_token' } } });
    const e401 = toUserError(null, expired, 'download');
    expect(e401).toBeInstanceOf(AuthRequiredError);
    expect(e401.message).toBe('your Dropbox login has expired; log in again: sreg login dropbox');
    const gone = classify({ status: 409, headers: {}, error: { error_summary: 'path/not_found/...', error: { '.tag': 'path', path: { '.tag': 'not_found' } } } });
    expect(toUserError(null, gone, 'get_metadata', '/a/b.sif').message).toBe('not found on Dropbox: /a/b.sif');
    const text400 = classify({ status: 400, headers: {}, error: 'Error in call to API function "files/upload": bad\nmore' });
    expect(toUserError(null, text400, 'upload').message).toBe('Dropbox rejected upload: Error in call to API function "files/upload": bad');
  });
});

describe('dropbox share', () => {
  it('falls back to list_shared_links when shared_link_already_exists carries no metadata', async () => {
    const routes: string[] = [];
    const api = {
      async call(what: string) {
        routes.push(what);
        if (what === 'create_shared_link') {
          throw new DropboxApiError('exists', 409, { '.tag': 'shared_link_already_exists' }, ['shared_link_already_exists']);
        }
        return { links: [{ url: 'https://www.dropbox.com/scl/fi/x/a.sif?dl=0' }], has_more: false };
      },
    } as unknown as DropboxApi;
    expect(await new DropboxBackend(api).share('dropbox://c/a:b')).toBe('https://www.dropbox.com/scl/fi/x/a.sif?dl=0');
    expect(routes).toEqual(['create_shared_link', 'list_shared_links']);
  });
});

describe('dropbox upload content_hash', () => {
  it('is right whatever offsets the pieces started at (gaps are read back from the file)', async () => {
    const { BlockDigests } = await import('../../src/services/backends/dropbox/files.js');
    const { dropboxContentHash } = await import('../../src/core/hash.js');
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { randomBytes } = await import('node:crypto');
    const dir = mkdtempSync(join(tmpdir(), 'sreg-blocks-'));
    try {
      const data = randomBytes(10 * 1024 * 1024 + 123);
      const file = join(dir, 'f');
      writeFileSync(file, data);
      const d = new BlockDigests(data.length);
      const feed = (from: number, to: number) =>
        new Promise<void>((resolve) => {
          const t = d.tap(from, () => {});
          t.on('data', () => {}).on('end', () => resolve());
          for (let o = from; o < to; o += 300_000) t.write(data.subarray(o, Math.min(to, o + 300_000)));
          t.end();
        });
      await feed(0, 3_000_000); // a piece cut short inside the first block
      await feed(3_000_000, data.length); // resumed at an unaligned correct_offset
      expect(await d.contentHash(file)).toBe(dropboxContentHash(data));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
