// HTTP requests per Globus push and pull after login, counted at the sandbox, and the status polls a
// one-hour task costs. Targets: at most 3 requests to submit a push (submission_id + transfer, + mkdir
// only when the folder is not known to exist); under 100 polls for a one-hour task.
// Needs the compiled code: npm run build (or npx tsc -p tsconfig.json).
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLES, tempDir } from './lib.mjs';

const { startGlobusSandbox, defaultSandboxEndpoints, seedGlobusSandbox, SANDBOX_LAB_ID } = await import('../dist/sandbox/globus.js');
const { openServices } = await import('../dist/services/index.js');
const { DEFAULT_POLL, pollDelay } = await import('../dist/services/backends/globus/runner.js');

const LOCAL = '0d3c5e7a-1b2f-4a6c-9e8d-7f1a2b3c4d5e';
const SAMPLE = 'busybox_amd64.sif';

/** Polls a task of `seconds` costs with the schedule (the first poll right after submitting). */
function simulatePolls(seconds, schedule = DEFAULT_POLL) {
  let t = 0;
  let polls = 1;
  for (let i = 0; t < seconds * 1000; i++) {
    t += pollDelay(schedule, i);
    polls++;
  }
  return polls;
}

async function withSandbox(options, fn) {
  const dir = tempDir('sreg-bench-globus-');
  const env = {
    HOME: join(dir, 'home'), SREGISTRY_DATABASE: join(dir, 'db'), SREGISTRY_STORAGE: join(dir, 'db', 'shub'),
    XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state'),
  };
  mkdirSync(env.SREGISTRY_STORAGE, { recursive: true });
  mkdirSync(env.HOME, { recursive: true });
  process.env.XDG_STATE_HOME = env.XDG_STATE_HOME;
  const sandbox = await startGlobusSandbox({
    dataDir: join(dir, 'sandbox'), persist: false, ...options,
    endpoints: [...defaultSandboxEndpoints(), { id: LOCAL, display_name: 'bench laptop', entity_type: 'GCP_mapped_collection', root: dir, scopes: ['my-endpoints'] }],
  });
  copyFileSync(join(SAMPLES, SAMPLE), join(dir, SAMPLE));
  seedGlobusSandbox(sandbox, [join(dir, SAMPLE)]);
  Object.assign(env, sandbox.env, options.env ?? {});
  const services = await openServices({ env });
  services.settings.set('globusLocal', { endpointId: LOCAL, localPrefix: dir, remotePrefix: '/' });
  const globus = await services.backend('globus');
  const flow = globus.login();
  const start = await flow.start();
  const q = Object.fromEntries(new URL(start.url).searchParams);
  await flow.finish(sandbox.approveAuthorization({ ...q }));
  try {
    return await fn({ dir, sandbox, services, globus });
  } finally {
    await services.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const count = (reqs, pred = () => true) => reqs.filter(pred).length;
const isPoll = (r) => /^\/v0\.10\/task\//.test(r.path) && r.method === 'GET';

async function transfer(s, kind, remote, name) {
  const { sandbox, services, globus } = s;
  sandbox.requests.length = 0;
  let plan;
  if (kind === 'push') {
    const img = services.library.get(name);
    plan = await globus.planPush({ path: img.image, imageName: name }, remote);
  } else {
    plan = await globus.planPull(remote, { name });
  }
  const planned = sandbox.requests.slice();
  const job = services.queue.enqueue({
    kind, backend: 'globus', source: kind === 'push' ? name : plan.source, destination: kind === 'push' ? plan.destination : plan.imageName,
    imageName: kind === 'push' ? name : plan.imageName, bytesTotal: plan.bytesTotal, options: plan.options,
  });
  const done = await services.queue.wait(job.id);
  if (done.state !== 'done') throw new Error(`${kind} ${done.state}: ${done.reason}`);
  const all = sandbox.requests.slice();
  const short = (r) => `${r.method} ${r.path.replace(/^\/v0\.10/, '').replace(/\/operation\/endpoint\/[0-9a-f-]{36}/, '').replace(/[0-9a-f-]{36}/g, 'ID')}`;
  const nonPoll = all.filter((r) => !isPoll(r));
  return {
    plan: planned.length,
    submit: all.length - planned.length - count(all, isPoll),
    // What it costs to get the task going, leaving out the cached lookup of this machine's endpoint.
    toSubmit: count(nonPoll, (r) => !r.path.startsWith('/v0.10/endpoint/')),
    polls: count(all, isPoll),
    paths: nonPoll.map(short),
  };
}

const rows = [];
await withSandbox({ env: { SREG_GLOBUS_POLL_MS: '50', SREG_GLOBUS_POLL_MAX_MS: '200' } }, async (s) => {
  await s.services.library.addFile(join(s.dir, SAMPLE), { collection: 'lab', name: 'busybox', tag: '1' }, { copy: true });
  rows.push(['push, new default folder', await transfer(s, 'push', `globus://${SANDBOX_LAB_ID}`, 'lab/busybox:1')]);
  rows.push(['push, folder known', await transfer(s, 'push', `globus://${SANDBOX_LAB_ID}/~/.singularity/shub/again.sif`, 'lab/busybox:1')]);
  // A new process (one `sreg push` command) knows no folders yet: mkdir answers Exists.
  const fresh = await openServices({ env: s.services.env });
  const cli = { ...s, services: fresh, globus: await fresh.backend('globus') };
  rows.push(['push, new process, folder exists', await transfer(cli, 'push', `globus://${SANDBOX_LAB_ID}`, 'lab/busybox:1')]);
  rows.push(['pull, new process', await transfer(cli, 'pull', `globus://${SANDBOX_LAB_ID}/images/${SAMPLE}`, 'lab/fresh:1')]);
  await fresh.close();
  rows.push(['pull', await transfer(s, 'pull', `globus://${SANDBOX_LAB_ID}/images/${SAMPLE}`, 'lab/pulled:1')]);
});

console.log('HTTP requests per transfer after login (counted at the sandbox; plan = before queueing, submit = in the runner)');
console.log('transfer'.padEnd(36), 'plan', 'submit', 'to-submit', 'polls', ' requests (polls left out)');
for (const [what, r] of rows) console.log(what.padEnd(36), String(r.plan).padStart(4), String(r.submit).padStart(6), String(r.toSubmit).padStart(9), String(r.polls).padStart(5), '', r.paths.join(', '));
const pushes = rows.filter(([w]) => w.startsWith('push') && !w.includes('new default'));
console.log(`to submit a push: ${Math.max(...pushes.map(([, r]) => r.toSubmit))} requests at most (target <= 3: submission_id + transfer, + mkdir when the folder is not known);`);
console.log('  the first push ever to an endpoint without ~/.singularity costs 2 more mkdirs (parent missing); "this machine"\'s endpoint document is looked up once per 30 s');

// One-hour task: the schedule on paper, then measured against the sandbox with time sped up 600x
// (the poll schedule scaled by the same factor).
const simulated = simulatePolls(3600);
console.log(`\npoll schedule ${DEFAULT_POLL.initialMs} ms x${DEFAULT_POLL.factor} up to ${DEFAULT_POLL.maxMs} ms: one-hour task = ${simulated} polls (target < 100); 10-minute task = ${simulatePolls(600)}; one-day task = ${simulatePolls(86400)}`);
const SCALE = 600;
await withSandbox({
  timeScale: SCALE, bytesPerSecond: Math.floor(792293 / 3600), queueDelayMs: 0,
  env: { SREG_GLOBUS_POLL_MS: String(DEFAULT_POLL.initialMs / SCALE), SREG_GLOBUS_POLL_MAX_MS: String(DEFAULT_POLL.maxMs / SCALE) },
}, async (s) => {
  const t0 = Date.now();
  const r = await transfer(s, 'pull', `globus://${SANDBOX_LAB_ID}/images/${SAMPLE}`, 'lab/hour:1');
  const virtualMinutes = ((Date.now() - t0) * SCALE) / 60000;
  console.log(`measured: a ${virtualMinutes.toFixed(0)}-minute (virtual) pull cost ${r.polls} status polls (target < 100) and ${r.plan + r.submit} other requests`);
});
