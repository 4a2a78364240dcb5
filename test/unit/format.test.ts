// Dates and sizes as every listing shows them.
import { describe, expect, it } from 'vitest';
import { counted, formatBytes, formatDate, textTable } from '../../src/core/format.js';

describe('formatDate', () => {
  it('shows SQLite and SQLAlchemy datetime text (UTC) as it is, to the minute', () => {
    expect(formatDate('2026-11-25 16:37:49')).toBe('2026-11-25 16:37');
    expect(formatDate('2019-03-01 08:05:09.123456')).toBe('2019-03-01 08:05'); // sregistry-cli's rows
    expect(formatDate('2026-11-25 16:37')).toBe('2026-11-25 16:37');
  });

  it('converts ISO strings with an offset, Dates and unix seconds to UTC', () => {
    expect(formatDate('2026-11-25T18:37:49+02:00')).toBe('2026-11-25 16:37');
    expect(formatDate('2026-11-25T16:37:49Z')).toBe('2026-11-25 16:37');
    expect(formatDate(new Date(Date.UTC(2020, 0, 2, 3, 4, 5)))).toBe('2020-01-02 03:04');
    expect(formatDate(0)).toBe('1970-01-01 00:00');
  });

  it('says "-" for nothing and leaves text it cannot read alone', () => {
    expect(formatDate(null)).toBe('-');
    expect(formatDate('')).toBe('-');
    expect(formatDate('yesterday')).toBe('yesterday');
  });
});

describe('formatBytes and textTable', () => {
  it('uses binary units with one decimal under ten', () => {
    expect(formatBytes(792293)).toBe('774 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(null)).toBe('-');
  });

  it('counts nouns: one image, two images, one entry, two entries', () => {
    expect(counted(1, 'image')).toBe('1 image');
    expect(counted(0, 'image')).toBe('0 images');
    expect(counted(2, 'entry', 'entries')).toBe('2 entries');
    expect(counted(1, 'entry', 'entries')).toBe('1 entry');
  });

  it('pads every column but the last', () => {
    expect(textTable([['a', 'bbb', 'c'], ['dddd', 'e', '']], ['X', 'Y', 'Z'])).toBe('X     Y    Z\na     bbb  c\ndddd  e');
  });
});
