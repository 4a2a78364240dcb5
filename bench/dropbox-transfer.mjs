// Push and pull of a 1 GiB image to the Dropbox sandbox over loopback, against curl moving the same
// bytes to and from the same server in the same run (the practical limit), plus sreg's peak RSS.
// curl uploads with the same protocol sreg must use above 150 MiB (a single files/upload is refused
// there): an upload session (start, appends, finish) of 64 MiB pieces over one connection (--next).
// Needs `npm run build` first.
// Usage: node bench/dropbox-transfer.mjs [MiB=1024] [runs=3]
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BIN, median, REPO, SAMPLES, tempDir } from './lib.mjs';

const { startDropboxSandbox } = await import(join(REPO, 'dist/sandbox/dropbox.js'));
const MIB = 1024 * 1024;
const size = Number(process.argv[2] ?? 1024) * MIB;
const runs = Number(process.argv[3] ?? 3);
const CHUNK = 64 * MIB;

const dir = tempDir('sreg-bench-dropbox-');
const sb = await startDropboxSandbox({ dataDir: join(dir, 'sandbox') });
const token = sb.issueToken({ refresh: false, ttlSeconds: 86400 }).accessToken;
const env = {
  PATH: process.env.PATH,
  HOME: join(dir, 'home'),
  SREGISTRY_DATABASE: join(dir, 'db'),
  SREGISTRY_STORAGE: join(dir, 'db', 'shub'),
  XDG_CONFIG_HOME: join(dir, 'config'),
  XDG_STATE_HOME: join(dir, 'state'),
  SREG_DROPBOX_URL: sb.url,
  SREGISTRY_DROPBOX_TOKEN: token,
};
mkdirSync(env.SREGISTRY_DATABASE, { recursive: true });

/** Runs a command (asynchronously: the sandbox lives in this process). */
function exec(cmd, args, { timed = true } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(-500)}`));
      else resolve({ secs: timed ? secs : 0, out, err });
    });
  });
}

/** sreg under /usr/bin/time -v: wall seconds and peak RSS in MB. */
async function sreg(args) {
  const r = await exec('/usr/bin/time', ['-v', process.execPath, BIN, ...args]);
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.err)?.[1] ?? NaN);
  return { secs: r.secs, rssMB: kb / 1024 };
}

// The image: a real SIF extended (sparse) to the size, with a random tail.
const file = join(dir, 'bench.sif');
copyFileSync(join(SAMPLES, 'busybox_amd64.sif'), file);
truncateSync(file, size);
const fd = openSync(file, 'r+');
writeSync(fd, randomBytes(64), 0, 64, size - 64);
closeSync(fd);
// curl's pieces, cut untimed (sparse copies, so they cost no disk).
const pieces = [];
for (let off = 0, i = 0; off < size; off += CHUNK, i++) {
  const p = join(dir, `piece-${i}`);
  await exec('dd', [`if=${file}`, `of=${p}`, 'bs=4M', `skip=${off / (4 * MIB)}`, `count=${CHUNK / (4 * MIB)}`, 'conv=sparse', 'status=none'], { timed: false });
  pieces.push({ path: p, offset: off });
}
await exec(process.execPath, [BIN, 'add', '--copy', file, '--name', 'bench/img:v1'], { timed: false });

// -T streams the file (--data-binary would read each piece into memory first); no Expect: 100-continue wait.
const H = (arg) => ['-H', `Authorization: Bearer ${token}`, '-H', 'Content-Type: application/octet-stream', '-H', 'Expect:', '-H', `Dropbox-API-Arg: ${JSON.stringify(arg)}`];

async function curlUp() {
  const t0 = process.hrtime.bigint();
  const start = await exec('curl', ['-sS', '--fail', '-X', 'POST', `${sb.url}/2/files/upload_session/start`, ...H({ close: false }), '-T', pieces[0].path]);
  const session = JSON.parse(start.out).session_id;
  const args = [];
  for (const [i, p] of pieces.entries()) {
    if (i === 0) continue;
    if (args.length) args.push('--next');
    const last = i === pieces.length - 1;
    const route = last ? 'finish' : 'append_v2';
    const arg = last
      ? { cursor: { session_id: session, offset: p.offset }, commit: { path: '/curl/img.sif', mode: 'overwrite', autorename: false, mute: true } }
      : { cursor: { session_id: session, offset: p.offset }, close: false };
    args.push('-sS', '--fail', '-o', '/dev/null', '-X', 'POST', `${sb.url}/2/files/upload_session/${route}`, ...H(arg), '-T', p.path);
  }
  await exec('curl', args);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function curlDown({ durable = false } = {}) {
  const out = join(dir, 'curl-download');
  rmSync(out, { force: true });
  const r = await exec('curl', ['-sS', '--fail', '-o', out, '-X', 'POST', `${sb.url}/2/files/download`, '-H', `Authorization: Bearer ${token}`, '-H', `Dropbox-API-Arg: ${JSON.stringify({ path: '/bench/img:v1.sif' })}`]);
  // sreg's import fsyncs the image before it names it (a crash must not leave a short file under a
  // real name): the durable baseline pays the same flush to this disk.
  return durable ? r.secs + (await exec('sync', [out])).secs : r.secs;
}

// For reading the pull figure: the least a Node download can do (http.request, sha256, write to a
// file, no retries, no library), run the same way. It shows how much of the gap to curl is Node's own.
const NODE_DOWNLOAD = `
import { request } from 'node:http';
import { createWriteStream } from 'node:fs';
import { createHash } from 'node:crypto';
const [url, token, out] = process.argv.slice(1);
request(url + '/2/files/download', { method: 'POST', headers: { Authorization: 'Bearer ' + token, 'Dropbox-API-Arg': JSON.stringify({ path: '/bench/img:v1.sif' }) } }, (res) => {
  const h = createHash('sha256');
  const ws = createWriteStream(out, { highWaterMark: 4 << 20 });
  res.on('data', (c) => { h.update(c); if (!ws.write(c)) { res.pause(); ws.once('drain', () => res.resume()); } });
  res.on('end', () => ws.end(() => console.log(h.digest('hex'))));
}).end();`;

async function nodeDown() {
  const out = join(dir, 'node-download');
  rmSync(out, { force: true });
  return (await exec(process.execPath, ['--input-type=module', '-e', NODE_DOWNLOAD, sb.url, token, out])).secs;
}

// Each contender starts with no dirty pages from the one before (they would be written back, and
// throttled, during its run), so every measurement is preceded by an untimed sync.
const settle = async () => {
  for (const f of ['curl-download', 'node-download']) rmSync(join(dir, f), { force: true });
  await exec('sync', [], { timed: false });
};
const samples = { curlUp: [], sregUp: [], curlDown: [], curlDownSynced: [], nodeDown: [], sregDown: [], rssUp: [], rssDown: [] };
for (let i = 0; i < runs; i++) {
  await settle();
  samples.curlUp.push(await curlUp());
  await settle();
  const up = await sreg(['push', '--name', 'dropbox://bench/img:v1', 'bench/img:v1']);
  samples.sregUp.push(up.secs);
  samples.rssUp.push(up.rssMB);
  await settle();
  samples.curlDown.push(await curlDown());
  await settle();
  samples.curlDownSynced.push(await curlDown({ durable: true }));
  await settle();
  samples.nodeDown.push(await nodeDown());
  await settle();
  const down = await sreg(['pull', '--force', 'dropbox://bench/img:v1']);
  samples.sregDown.push(down.secs);
  samples.rssDown.push(down.rssMB);
}

const mbps = (secs) => (size / MIB / secs).toFixed(0);
const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
const line = (label, sregS, curlS, rss) =>
  console.log(`${label}: sreg ${sregS.toFixed(2)} s (${mbps(sregS)} MiB/s), curl ${curlS.toFixed(2)} s (${mbps(curlS)} MiB/s), ratio ${(curlS / sregS).toFixed(2)} (target >= 0.70), peak RSS ${rss.toFixed(0)} MB (target < 200)`);
console.log(`dropbox transfer of ${size / MIB} MiB over loopback, medians of ${runs} runs`);
line('push', m.sregUp, m.curlUp, Math.max(...samples.rssUp));
line('pull', m.sregDown, m.curlDown, Math.max(...samples.rssDown));
console.log(`pull, curl then fsync of its file (as durable as sreg's import): ${m.curlDownSynced.toFixed(2)} s, sreg ratio ${(m.curlDownSynced / m.sregDown).toFixed(2)}`);
console.log(`pull, bare Node download (http + sha256 + file, no sreg): ${m.nodeDown.toFixed(2)} s, ratio to curl ${(m.curlDown / m.nodeDown).toFixed(2)}; sreg to bare Node ${(m.nodeDown / m.sregDown).toFixed(2)}`);
console.log(`raw samples (s): ${JSON.stringify(Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map((x) => +x.toFixed(2))])))}`);
const ok = m.curlUp / m.sregUp >= 0.7 && m.curlDown / m.sregDown >= 0.7 && Math.max(...samples.rssUp, ...samples.rssDown) < 200;
console.log(ok ? 'targets met' : 'targets NOT met');
await sb.close();
rmSync(dir, { recursive: true, force: true });
