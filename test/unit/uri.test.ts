import { describe, expect, it } from 'vitest';
import { BadNameError } from '../../src/core/errors.js';
import { formatImageName, formatImageUri, parseImageName, splitScheme } from '../../src/core/uri.js';

describe('parseImageName', () => {
  it('fills sregistry-cli defaults and lowercases', () => {
    expect(parseImageName('BusyBox')).toEqual({ collection: 'library', name: 'busybox', tag: 'latest' });
    expect(parseImageName('Vsoch/Hello-World:Tacos')).toEqual({ collection: 'vsoch', name: 'hello-world', tag: 'tacos' });
  });

  it('reads scheme, collection, tag and version', () => {
    expect(parseImageName('dropbox://pusheen/asaurus:blue@02c08a25')).toEqual({
      scheme: 'dropbox', collection: 'pusheen', name: 'asaurus', tag: 'blue', version: '02c08a25',
    });
    expect(parseImageName('a/b/c:1.0')).toEqual({ collection: 'a/b', name: 'c', tag: '1.0' });
  });

  it('uses the default scheme only when none is given', () => {
    expect(parseImageName('c/n', 'dropbox').scheme).toBe('dropbox');
    expect(parseImageName('globus://c/n', 'dropbox').scheme).toBe('globus');
  });

  it.each([
    ['../etc/passwd', /not allowed/],
    ['/abs/path', /absolute/],
    ['a//b', /empty collection/],
    ['a/b/', /must not end/],
    ['name:', /empty tag/],
    ['name@', /empty version/],
    ['bad\u0007name', /control character/],
    ['', /empty image name/],
    ['c/.hidden', /bad name/],
    ['c/n:t/x', /bad collection/],
    ['sp ace', /bad name/],
  ])('refuses %j', (input, message) => {
    expect(() => parseImageName(input)).toThrow(BadNameError);
    expect(() => parseImageName(input)).toThrow(message);
  });

  it('round-trips through format', () => {
    for (const s of ['library/busybox:latest', 'a/b/c:1.0@abc123', 'dropbox://x/y:z']) {
      const n = parseImageName(s);
      expect(n.scheme ? formatImageUri(n) : formatImageName(n)).toBe(s);
    }
  });

  it('splits schemes without touching the rest', () => {
    expect(splitScheme('Globus://EP/Path:With:Colons')).toEqual({ scheme: 'globus', rest: 'EP/Path:With:Colons' });
    expect(splitScheme('plain')).toEqual({ rest: 'plain' });
  });
});
