// The library database: sregistry-cli's own tables, created with the DDL its SQLAlchemy models emit
// (so `sregistry images` and `sreg images` share one file), plus sreg's `sreg_`-prefixed tables.
import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SregError } from '../../core/errors.js';

export type Db = Database.Database;

/**
 * better-sqlite3 finds its addon through the `bindings` package, which probes a dozen paths and
 * walks a stack trace (7 ms of every command's start). Its own build folder is known: use it when
 * there, else let better-sqlite3 search as usual.
 */
let addonPath: string | null | undefined;
function nativeBinding(): string | undefined {
  if (addonPath === undefined) {
    try {
      const file = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3')), '../build/Release/better_sqlite3.node');
      addonPath = existsSync(file) ? file : null;
    } catch {
      addonPath = null;
    }
  }
  return addonPath ?? undefined;
}

/** Exactly what sregistry-cli's models create (SQLAlchemy create_all on SQLite). */
export const SREGISTRY_DDL = `
CREATE TABLE IF NOT EXISTS collection (
	id INTEGER NOT NULL, 
	name VARCHAR(150), 
	token VARCHAR(50), 
	created_at DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);
CREATE TABLE IF NOT EXISTS container (
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
);
`;

/** sreg's own schema, one entry per version. Only add; never edit a shipped step. */
const MIGRATIONS: string[] = [
  `CREATE TABLE sreg_transfer (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     kind TEXT NOT NULL,            -- push | pull
     backend TEXT NOT NULL,         -- dropbox | globus | registry
     state TEXT NOT NULL,           -- queued running submitted verifying importing done failed cancelled
     source TEXT NOT NULL,
     destination TEXT NOT NULL,
     image_name TEXT,
     bytes_total INTEGER,
     bytes_done INTEGER NOT NULL DEFAULT 0,
     rate REAL,
     remote_task_id TEXT,
     submission_id TEXT,
     reason TEXT,
     options TEXT NOT NULL DEFAULT '{}',
     attempts INTEGER NOT NULL DEFAULT 0,
     owner_pid INTEGER,             -- the process moving or watching it; another may adopt it when that pid is gone
     created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
     updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
     finished_at TEXT
   );
   CREATE INDEX sreg_transfer_state ON sreg_transfer(state);`,
  // Lookups by name are the hot path of `images QUERY`, `get` and `pull` existence checks.
  `CREATE INDEX IF NOT EXISTS sreg_container_name ON container(name, tag);`,
  // The file size as a plain column: reading it out of the metrics JSON cost 25 ms per 1,000 rows.
  // Nullable, so rows sregistry-cli writes (it does not know the column) stay valid.
  `ALTER TABLE container ADD COLUMN sreg_size INTEGER;
   UPDATE container SET sreg_size = json_extract(metrics, '$.size') WHERE json_valid(metrics);`,
  // Every listed column sits after the large metrics text in each row, so a listing read the whole
  // table (40 MB for 10,000 images). This covering index holds just what a listing shows; SQLite keeps
  // it up to date whoever writes, sregistry-cli included.
  `CREATE INDEX sreg_container_list ON container(id, collection_id, name, tag, version, uri, image, client, url, created_at, sreg_size);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

function migrate(db: Db): void {
  db.exec(SREGISTRY_DDL);
  db.exec(`CREATE TABLE IF NOT EXISTS sreg_schema (version INTEGER NOT NULL)`);
  const row = db.prepare('SELECT version FROM sreg_schema').get() as { version: number } | undefined;
  const current = row?.version ?? 0;
  if (current > MIGRATIONS.length) {
    throw new SregError(`the library database was written by a newer sreg (schema ${current}); upgrade sreg`);
  }
  if (current === MIGRATIONS.length) return;
  db.transaction(() => {
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    if (row) db.prepare('UPDATE sreg_schema SET version = ?').run(MIGRATIONS.length);
    else db.prepare('INSERT INTO sreg_schema (version) VALUES (?)').run(MIGRATIONS.length);
  }).immediate();
}

/**
 * Opens (creating if needed) the library database. The folder must exist or be creatable;
 * a clear error otherwise.
 */
export function openDatabase(file: string, options: { readonly?: boolean } = {}): Db {
  const dir = dirname(file);
  try {
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw new SregError(`database folder ${dir} is not a folder`);
  } catch (e) {
    if (e instanceof SregError) throw e;
    throw new SregError(`cannot create the database folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  if (!options.readonly) {
    try {
      accessSync(dir, constants.W_OK);
      if (existsSync(file)) accessSync(file, constants.W_OK);
    } catch {
      throw new SregError(`the library database ${file} is read-only; check the permissions of ${dir}`);
    }
  }
  let db: Db;
  try {
    db = new Database(file, { readonly: false, fileMustExist: false, timeout: 10_000, nativeBinding: nativeBinding() });
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 10000');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    migrate(db);
  } catch (e) {
    if (e instanceof SregError) throw e;
    throw new SregError(`cannot open the library database ${file}: ${(e as Error).message}`);
  }
  return db;
}
