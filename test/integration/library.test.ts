import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExistsError, NotFoundError } from '../../src/core/errors.js';
import { parseImageName } from '../../src/core/uri.js';
import { Library } from '../../src/services/library/images.js';
import { sample, tempEnv, type TempEnv } from '../helpers/env.js';

let t: TempEnv;
let lib: Library;

beforeEach(() => {
  t = tempEnv();
  lib = new Library({ databaseFile: join(t.env.SREGISTRY_DATABASE, 'sregistry.db'), storageDir: t.env.SREGISTRY_STORAGE });
});
afterEach(() => {
  lib.close();
  t.cleanup();
});

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

describe('Library', () => {
  it('adds by moving, stores under <collection>/<name>/<tag>@<sha256>.sif, and finds it again', async () => {
    const src = sample('busybox_amd64.sif', t.dir);
    const { image } = await lib.addFile(src, parseImageName('Lab/BusyBox:1.33'));
    expect(existsSync(src)).toBe(false);
    expect(image.image).toBe(join(t.env.SREGISTRY_STORAGE, 'lab', 'busybox', `1.33@${image.version}.sif`));
    expect(image.version).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(image.image!).size).toBe(792293);
    expect(image.size).toBe(792293);
    expect(image.uri).toBe(`lab/busybox:1.33@${image.version}`);
    expect(image.client).toBe('local');
    expect(lib.get('lab/busybox:1.33').id).toBe(image.id);
    expect(lib.get(`lab/busybox:1.33@${image.version}`).id).toBe(image.id);
    expect(lib.list('busy').map((r) => r.id)).toEqual([image.id]);
    expect(lib.list('nothing-like-this')).toEqual([]);
    // The JSON listing SQLite builds is the same listing.
    expect(JSON.parse(lib.listJson('busy'))).toEqual(lib.list('busy'));
    expect(JSON.parse(lib.listJson())).toEqual(lib.list());
    expect(JSON.parse(lib.listJson('nothing-like-this'))).toEqual([]);
  });

  it('streams a JSON listing of many pages that equals the row listing, filtered or not, in one snapshot', () => {
    // 1,000 rows (more than three of listJsonChunks' pages), some with text JSON must escape.
    lib.db.prepare(`INSERT INTO collection (id, name, token) VALUES (1, 'lab', 't'), (2, 'other', 't')`).run();
    const ins = lib.db.prepare(`INSERT INTO container (metrics, name, tag, image, uri, client, version, collection_id, created_at)
      VALUES ('{}', ?, 'latest', ?, ?, 'local', ?, ?, datetime('now'))`);
    lib.db.transaction(() => {
      for (let i = 0; i < 1000; i++) {
        const col = i % 3 ? 'lab' : 'other';
        ins.run(`img${i}`, i % 97 ? `/s/${col}/img${i}.sif` : `/s/"quoted"\\path\t${i}.sif`, `${col}/img${i}:latest@v${i}`, `v${i}`, i % 3 ? 1 : 2);
      }
    })();
    const cacheSize = lib.db.pragma('cache_size', { simple: true });
    const chunks = [...lib.listJsonChunks()];
    expect(chunks.length).toBeGreaterThan(7); // [ + pages with commas between + ]
    const all = JSON.parse(Buffer.concat(chunks).toString());
    expect(all).toEqual(lib.list());
    expect(all).toHaveLength(1000);
    expect(all[0].id).toBeGreaterThan(all[999].id); // newest first, across page boundaries
    expect(new Set(all.map((r: { id: number }) => r.id)).size).toBe(1000);
    const other = JSON.parse(lib.listJson('OTHER/'));
    expect(other).toEqual(lib.list('other/'));
    expect(other).toHaveLength(334);
    // A write from another connection between two pages does not show up half-way through a listing.
    const pieces = lib.listJsonChunks();
    const head = [pieces.next().value, pieces.next().value] as Buffer[];
    const writer = new Database(lib.databaseFile);
    writer.prepare(`DELETE FROM container WHERE name = 'img0'`).run();
    writer.close();
    const rest = [...pieces];
    const snapshot = JSON.parse(Buffer.concat([...head, ...rest]).toString());
    expect(snapshot).toHaveLength(1000);
    expect(lib.list()).toHaveLength(999);
    // The connection's cache size is restored once the listing ends.
    expect(lib.db.pragma('cache_size', { simple: true })).toBe(cacheSize);
  });

  it('copies with --copy and keeps the original', async () => {
    const src = sample('one-group.sif', t.dir);
    const { image } = await lib.addFile(src, parseImageName('c/one'), { copy: true });
    expect(existsSync(src)).toBe(true);
    expect(statSync(image.image!).size).toBe(statSync(src).size);
  });

  it('refuses to replace a name without force, replaces with force and removes the old file', async () => {
    const a = await lib.addFile(sample('one-group.sif', t.dir), parseImageName('c/x:1'));
    await expect(lib.addFile(sample('two-groups.sif', t.dir), parseImageName('c/x:1'))).rejects.toThrow(ExistsError);
    const b = await lib.addFile(sample('two-groups.sif', t.dir), parseImageName('c/x:1'), { force: true });
    expect(b.replaced).toBe(true);
    expect(existsSync(a.image.image!)).toBe(false);
    expect(lib.list()).toHaveLength(1);
  });

  it('removes row and file, and prunes empty folders', async () => {
    const { image } = await lib.addFile(sample('one-group.sif', t.dir), parseImageName('c/gone'));
    await lib.remove('c/gone');
    expect(existsSync(image.image!)).toBe(false);
    expect(existsSync(join(t.env.SREGISTRY_STORAGE, 'c'))).toBe(false);
    expect(() => lib.get('c/gone')).toThrow(NotFoundError);
  });

  it('moves the file elsewhere and the row follows', async () => {
    await lib.addFile(sample('one-group.sif', t.dir), parseImageName('c/m'));
    const dest = join(t.dir, 'elsewhere');
    mkdirSync(dest);
    const moved = await lib.move('c/m', dest);
    expect(moved.image!.startsWith(dest)).toBe(true);
    expect(existsSync(moved.image!)).toBe(true);
    await expect(lib.move('c/m', join(t.dir, 'missing-dir', 'x.sif'))).rejects.toThrow(/does not exist/);
    await lib.remove('c/m');
    expect(existsSync(moved.image!)).toBe(false);
  });

  it('renames into the new storage path', async () => {
    const { image } = await lib.addFile(sample('one-group.sif', t.dir), parseImageName('c/old:1'));
    const renamed = await lib.rename('c/old:1', parseImageName('d/new:2'));
    expect(renamed.image).toBe(join(t.env.SREGISTRY_STORAGE, 'd', 'new', `2@${image.version}.sif`));
    expect(existsSync(image.image!)).toBe(false);
    expect(existsSync(renamed.image!)).toBe(true);
    expect(renamed.uri).toBe(`d/new:2@${image.version}`);
    expect(lib.find('c/old:1')).toBeUndefined();
  });

  it('rejects non-images and leaves nothing behind', async () => {
    const junk = join(t.dir, 'junk.sif');
    writeFileSync(junk, 'this is not an image\n'.repeat(100));
    await expect(lib.addFile(junk, parseImageName('c/junk'))).rejects.toThrow(/not a Singularity image/);
    expect(existsSync(junk)).toBe(true);
    expect(lib.list()).toEqual([]);
    expect(filesUnder(t.env.SREGISTRY_STORAGE)).toEqual([]);
  });

  it('fails an import whose checksum differs, leaving no row and no file', async () => {
    const src = sample('one-group.sif', t.dir);
    const { Readable } = await import('node:stream');
    const { createReadStream } = await import('node:fs');
    await expect(lib.addStream(createReadStream(src) as unknown as InstanceType<typeof Readable>, parseImageName('c/s'), { expectSha256: '0'.repeat(64) })).rejects.toThrow(/checksum mismatch/);
    expect(lib.list()).toEqual([]);
    expect(filesUnder(t.env.SREGISTRY_STORAGE)).toEqual([]);
  });

  it('stores SIF metadata in metrics and finds labels', async () => {
    const { image } = await lib.addFile(sample('busybox_amd64.sif', t.dir), parseImageName('bb'));
    expect(image.metrics.format).toBe('sif');
    expect(image.metrics.sif?.arch).toBe('amd64');
    const labels = lib.labels('schema-version');
    expect(labels.length).toBeGreaterThan(0);
    expect(labels[0]!.uri).toBe('library/bb:latest');
  });
});

describe('compatibility with an sregistry-cli database', () => {
  // The DDL sregistry-cli's SQLAlchemy models emit on SQLite, written out here independently of src/.
  const DDL = `CREATE TABLE collection (
	id INTEGER NOT NULL, 
	name VARCHAR(150), 
	token VARCHAR(50), 
	created_at DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);
CREATE TABLE container (
	id INTEGER NOT NULL, 
	created_at DATETIME, 
	metrics TEXT NOT NULL, 
	name VARCHAR(250) NOT NULL, 
	tag VARCHAR(250) NOT NULL, 
	image VARCHAR(250), 
	url VARCHAR(500), 
	uri VARCHAR(500), 
	client VARCHAR(50) NOT NULL, 
	version VARCHAR(250), 
	collection_id INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT _container_uc UNIQUE (collection_id, name, tag, client, version), 
	FOREIGN KEY(collection_id) REFERENCES collection (id)
);`;

  it('reads rows sregistry-cli wrote and writes rows it can read', async () => {
    lib.close();
    mkdirSync(join(t.dir, 'olddb'));
    const dbFile = join(t.dir, 'olddb', 'sregistry.db');
    const old = new Database(dbFile);
    old.exec(DDL);
    old.prepare(`INSERT INTO collection (id, name, token, created_at) VALUES (1, 'pusheen', 'tok', '2018-01-28 18:42:13')`).run();
    old.prepare(
      `INSERT INTO container (created_at, metrics, name, tag, image, url, uri, client, version, collection_id)
       VALUES ('2018-01-28 18:42:13', ?, 'asaurus', 'red', '/home/vanessa/.singularity/shub/pusheen-asaurus:red.simg',
               'https://content.dropboxapi.com/2/files/download', 'pusheen/asaurus:red', 'dropbox', '02c08a25c8f4697e16e896239e549a2b', 1)`,
    ).run(JSON.stringify({ data: { attributes: { labels: { MAINTAINER: 'vanessasaur' } } }, type: 'container' }));
    const columnsBefore = old.prepare('PRAGMA table_info(container)').all();
    old.close();

    lib = new Library({ databaseFile: dbFile, storageDir: t.env.SREGISTRY_STORAGE });
    const red = lib.get('pusheen/asaurus:red');
    expect(red.image).toBe('/home/vanessa/.singularity/shub/pusheen-asaurus:red.simg'); // trust the image column
    expect(red.client).toBe('dropbox');
    expect(lib.labels('maintainer')).toEqual([{ uri: 'pusheen/asaurus:red', key: 'MAINTAINER', value: 'vanessasaur' }]);
    const { image } = await lib.addFile(sample('one-group.sif', t.dir), parseImageName('pusheen/asaurus:blue'));
    lib.close();

    const check = new Database(dbFile, { readonly: true });
    // sregistry-cli's columns are untouched; sreg adds one nullable column (sregistry-cli ignores it).
    const columnsAfter = check.prepare('PRAGMA table_info(container)').all() as Array<{ name: string; notnull: number }>;
    expect(columnsAfter.slice(0, columnsBefore.length)).toEqual(columnsBefore);
    expect(columnsAfter.slice(columnsBefore.length).map((c) => [c.name, c.notnull])).toEqual([['sreg_size', 0]]);
    const rows = check.prepare('SELECT c.name, c.tag, c.uri, c.client, c.collection_id, col.name AS col FROM container c JOIN collection col ON col.id = c.collection_id ORDER BY c.id').all();
    expect(rows).toEqual([
      { name: 'asaurus', tag: 'red', uri: 'pusheen/asaurus:red', client: 'dropbox', collection_id: 1, col: 'pusheen' },
      { name: 'asaurus', tag: 'blue', uri: `pusheen/asaurus:blue@${image.version}`, client: 'local', collection_id: 1, col: 'pusheen' },
    ]);
    const tables = check.prepare(`SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all().map((r) => (r as { name: string }).name);
    expect(tables).toEqual(['collection', 'container', 'sreg_schema', 'sreg_transfer']);
    expect(check.pragma('journal_mode', { simple: true })).toBe('wal');
    check.close();
    lib = new Library({ databaseFile: dbFile, storageDir: t.env.SREGISTRY_STORAGE });
  });
});
