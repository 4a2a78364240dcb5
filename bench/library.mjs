// Library benchmarks (issue 2): `images --json` over 10,000 images, start-up of light commands, and
// `add` of a 1 GiB file against `cp && sha256sum` measured in the same run.
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, ftruncateSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BIN, SAMPLES, fmt, median, tempDir, timeRuns } from './lib.mjs';

const dir = tempDir();
const env = { ...process.env, SREGISTRY_DATABASE: join(dir, 'db'), SREGISTRY_STORAGE: join(dir, 'db/shub'), XDG_CONFIG_HOME: join(dir, 'cfg'), XDG_STATE_HOME: join(dir, 'state') };
mkdirSync(env.SREGISTRY_DATABASE, { recursive: true });

// 1. A library of 10,000 images: one real import, then rows cloned with realistic metrics.
copyFileSync(join(SAMPLES, 'busybox_amd64.sif'), join(dir, 'bb.sif'));
spawnSync(process.execPath, [BIN, 'add', join(dir, 'bb.sif'), '--name', 'seed/busybox'], { env, stdio: 'inherit' });
const db = new Database(join(env.SREGISTRY_DATABASE, 'sregistry.db'));
const seed = db.prepare('SELECT * FROM container LIMIT 1').get();
db.transaction(() => {
  const insCol = db.prepare('INSERT OR IGNORE INTO collection (name, token, created_at) VALUES (?, ?, datetime())');
  const getCol = db.prepare('SELECT id FROM collection WHERE name = ?');
  const ins = db.prepare(`INSERT INTO container (created_at, metrics, name, tag, image, url, uri, client, version, collection_id) VALUES (datetime(), ?, ?, ?, ?, NULL, ?, 'local', ?, ?)`);
  for (let i = 0; i < 9999; i++) {
    const col = `col${i % 50}`;
    insCol.run(col, 'x');
    const v = randomBytes(32).toString('hex');
    ins.run(seed.metrics, `img${i}`, 'latest', `/x/${col}/img${i}/latest@${v}.sif`, `${col}/img${i}:latest@${v}`, v, getCol.get(col).id);
  }
})();
db.close();

// The machine's noise hits every command alike when their runs take turns, so each round runs all
// four once; medians of 15 rounds.
spawnSync('sync');
const runs = { node: [], images: [], version: [], imagesHuman: [] };
for (let i = 0; i < 15; i++) {
  runs.node.push(...timeRuns(process.execPath, ['-e', '0'], { n: 1 }));
  runs.images.push(...timeRuns(process.execPath, [BIN, 'images', '--json'], { n: 1, env }));
  runs.version.push(...timeRuns(process.execPath, [BIN, '--version'], { n: 1, env }));
  runs.imagesHuman.push(...timeRuns(process.execPath, [BIN, 'images'], { n: 1, env }));
}
const [node, images, version, imagesHuman] = [runs.node, runs.images, runs.version, runs.imagesHuman].map(median);
console.log('library: 10,000 images (medians of 15 interleaved rounds)');
console.log(`  node -e 0 (baseline)        median ${fmt(node)}`);
console.log(`  sreg images --json          median ${fmt(images)}  (${(images / node).toFixed(2)}x node start; target < 250 ms)`);
console.log(`  sreg images                 median ${fmt(imagesHuman)}`);
console.log(`  sreg --version              median ${fmt(version)}  (${(version / node).toFixed(2)}x node start; target < 150 ms)`);

// 2. add of a 1 GiB file: one pass that copies and hashes, against cp + sha256sum (two passes).
const big = join(dir, 'big.sif');
copyFileSync(join(SAMPLES, 'busybox_amd64.sif'), big);
const fd = openSync(big, 'r+');
ftruncateSync(fd, 1 << 30);
const chunk = randomBytes(1 << 20);
for (let off = 1 << 20; off < 1 << 30; off += 1 << 20) writeSync(fd, chunk, 0, chunk.length, off); // real bytes, not holes
closeSync(fd);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const addTimes = [];
const cpTimes = [];
for (let i = 0; i < rounds; i++) {
  const dest = join(dir, 'cp-dest.sif');
  cpTimes.push(timeRuns('sh', ['-c', `cp "${big}" "${dest}" && sha256sum "${dest}" >/dev/null`], { n: 1 })[0]);
  rmSync(dest, { force: true });
  addTimes.push(timeRuns(process.execPath, [BIN, 'add', big, '--name', `big/b${i}`, '--copy'], { n: 1, env })[0]);
}
console.log('add of a 1 GiB file (--copy)');
console.log(`  cp && sha256sum (baseline)  median ${fmt(median(cpTimes))}`);
console.log(`  sreg add --copy             median ${fmt(median(addTimes))}  ratio ${(median(addTimes) / median(cpTimes)).toFixed(2)} (target <= 1.0)`);
if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${dir}`);
