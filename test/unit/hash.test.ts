// Dropbox's content_hash, checked against the worked examples in contracts/dropbox.md §5.
import { describe, expect, it } from 'vitest';
import { DROPBOX_BLOCK, DropboxContentHasher, dropboxContentHash } from '../../src/core/hash.js';

describe('dropboxContentHash', () => {
  it('matches the contract examples', () => {
    expect(dropboxContentHash(new Uint8Array())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(dropboxContentHash(Buffer.from('hello'))).toBe('9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50');
    const data = Buffer.alloc(DROPBOX_BLOCK + 1);
    data[DROPBOX_BLOCK] = 1;
    expect(dropboxContentHash(data)).toBe('fdee2e9e8f42a65603723c99dcba71faf154b2c0a1379c82e98ece4816be2ee4');
  });

  it('gives the same hash whatever the chunking, across block edges', () => {
    const data = Buffer.alloc(DROPBOX_BLOCK * 2 + 12345, 7);
    const whole = dropboxContentHash(data);
    for (const step of [1 << 20, 4096 * 3 + 1, DROPBOX_BLOCK, DROPBOX_BLOCK + 1]) {
      const h = new DropboxContentHasher();
      for (let off = 0; off < data.length; off += step) h.update(data.subarray(off, off + step));
      expect(h.digest()).toBe(whole);
    }
  });

  it('forks are independent of their parent', () => {
    const h = new DropboxContentHasher().update(Buffer.from('hel'));
    const f = h.fork();
    f.update(Buffer.from('lo'));
    expect(f.digest()).toBe(dropboxContentHash(Buffer.from('hello')));
    h.update(Buffer.from('p'));
    expect(h.digest()).toBe(dropboxContentHash(Buffer.from('help')));
  });
});
