// Endpoint search in every scope, listings (paging, hidden files, symlinks, image highlighting), paths
// with colons, mkdir where the folder exists already, and delete as a Globus DELETE task.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transfer } from '@globus/sdk';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NotFoundError, RemoteError, UsageError } from '../../src/core/errors.js';
import { SANDBOX_HPC_ID, SANDBOX_LAB_ID, SANDBOX_LAPTOP_ID, SANDBOX_OFFLINE_ID } from '../../src/sandbox/globus.js';
import { harness, LOCAL_ID, SAMPLE, type Harness } from './globus-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
  await h.login();
});
afterAll(async () => h.close());

const ids = (hits: Array<{ fields?: Record<string, unknown> }>) => hits.map((x) => x.fields?.id);

describe('endpoint search', () => {
  test('my-endpoints, shared-with-me and recently-used scopes', async () => {
    expect(ids(await h.globus.search('', { scope: 'my-endpoints' }))).toEqual(expect.arrayContaining([SANDBOX_LAPTOP_ID, LOCAL_ID]));
    const shared = await h.globus.search('', { scope: 'shared-with-me' });
    expect(ids(shared).sort()).toEqual([SANDBOX_LAB_ID, SANDBOX_OFFLINE_ID].sort());
    expect(ids(await h.globus.search('', { scope: 'recently-used' }))).toContain(SANDBOX_HPC_ID);
  });

  test('no query: the three scopes together, each endpoint once, with its row fields', async () => {
    const hits = await h.globus.search('', {});
    expect(new Set(ids(hits)).size).toBe(hits.length);
    expect(ids(hits)).toEqual(expect.arrayContaining([SANDBOX_LAPTOP_ID, SANDBOX_LAB_ID, SANDBOX_OFFLINE_ID, SANDBOX_HPC_ID, LOCAL_ID]));
    const offline = hits.find((x) => x.fields?.id === SANDBOX_OFFLINE_ID)!;
    expect(offline.kind).toBe('endpoint');
    expect(offline.fields).toMatchObject({ displayName: "Colleague's Laptop (offline)", owner: 'colleague@globusid.org', connected: false, status: 'disconnected', gcs: 'Globus Connect Personal', scope: 'shared-with-me' });
    const hpc = hits.find((x) => x.fields?.id === SANDBOX_HPC_ID)!;
    expect(hpc.fields).toMatchObject({ entityType: 'GCSv5_mapped_collection', gcsVersion: '5.4.79', connected: true });
    expect(hpc.location).toBe(`globus://${SANDBOX_HPC_ID}/~/`);
    expect(hpc.detail).toContain('GCS 5.4.79 mapped');
  });

  test('a query searches the full text of all endpoints', async () => {
    h.sandbox.requests.length = 0;
    const hits = await h.globus.search('sherlock', {});
    expect(ids(hits)).toEqual([SANDBOX_HPC_ID]); // matched by keyword, not name
    expect(h.sandbox.requests[0]!.query).toMatchObject({ filter_scope: 'all', filter_fulltext: 'sherlock' });
    expect(ids(await h.globus.search('sandbox university', { scope: 'all' }))).toEqual(expect.arrayContaining([SANDBOX_HPC_ID, SANDBOX_LAB_ID]));
    await expect(h.globus.search('', { scope: 'all' })).rejects.toThrow(/needs words/);
  });

  test('globus:// lists the endpoints as folders (the Browser root)', async () => {
    const root = await h.globus.list('globus://');
    expect(root.entries.every((e) => e.kind === 'dir')).toBe(true);
    expect(root.entries.map((e) => e.location)).toContain(`globus://${SANDBOX_LAB_ID}/~/`);
  });
});

describe('listing', () => {
  beforeAll(() => {
    const dir = h.sandbox.endpointPath(SANDBOX_LAB_ID, '/many');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 8; i++) writeFileSync(join(dir, `f${i}.txt`), 'x'.repeat(i));
  });

  test('pages with limit/offset until total', async () => {
    h.env.SREG_GLOBUS_LS_PAGE_SIZE = '3';
    const s = await h.reopen();
    try {
      const g = (await s.backend('globus')) as Harness['globus'];
      h.sandbox.requests.length = 0;
      const l = await g.list(`globus://${SANDBOX_LAB_ID}/many/`);
      expect(l.entries.map((e) => e.name)).toEqual(['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'f4.txt', 'f5.txt', 'f6.txt', 'f7.txt']);
      const ls = h.sandbox.requests.filter((r) => r.path.endsWith('/ls'));
      expect(ls.map((r) => r.query.offset)).toEqual(['0', '3', '6']);
      expect(ls.every((r) => r.query.limit === '3')).toBe(true);
    } finally {
      delete h.env.SREG_GLOBUS_LS_PAGE_SIZE;
      await s.close();
    }
  });

  test('hidden files toggle, image highlighting, breadcrumb and parent', async () => {
    const all = await h.globus.list(`globus://${SANDBOX_LAB_ID}/`);
    expect(all.entries.map((e) => e.name)).toContain('.lab-notes');
    const visible = await h.globus.list(`globus://${SANDBOX_LAB_ID}/`, { showHidden: false });
    expect(visible.entries.map((e) => e.name)).not.toContain('.lab-notes');
    const images = await h.globus.list(`globus://${SANDBOX_LAB_ID}/images/`);
    const img = images.entries.find((e) => e.name === SAMPLE)!;
    expect(img).toMatchObject({ kind: 'file', isImage: true, location: `globus://${SANDBOX_LAB_ID}/images/${SAMPLE}` });
    expect(img.modified).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(images.breadcrumb).toBe('Shared Lab Data:/images/');
    expect(images.parent).toBe(`globus://${SANDBOX_LAB_ID}/`);
    expect(all.entries.find((e) => e.name === 'README.txt')!.isImage).toBe(false);
  });

  test('symlink targets are shown', async () => {
    h.sandbox.addEndpoint({ id: '5b6c7d8e-0000-4000-8000-00000000abcd', display_name: 'links', entity_type: 'GCSv5_guest_collection', scopes: ['shared-with-me'] });
    const { symlinkSync } = await import('node:fs');
    const dir = h.sandbox.endpointPath('5b6c7d8e-0000-4000-8000-00000000abcd', '/');
    writeFileSync(join(dir, 'real.sif'), 'sif');
    symlinkSync('real.sif', join(dir, 'current.sif'));
    const l = await h.globus.list('globus://5b6c7d8e-0000-4000-8000-00000000abcd/');
    expect(l.entries.find((e) => e.name === 'current.sif')).toMatchObject({ kind: 'file', linkTarget: '/real.sif', isImage: true });
  });

  test('paths with colons, in both address forms', async () => {
    const dir = h.sandbox.endpointPath(SANDBOX_LAB_ID, '/runs/2024-01-01T10:00:00');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'tool:v1.sif'), 'sif');
    const a = await h.globus.list(`globus://${SANDBOX_LAB_ID}/runs/2024-01-01T10:00:00/`);
    expect(a.entries.map((e) => e.location)).toEqual([`globus://${SANDBOX_LAB_ID}/runs/2024-01-01T10:00:00/tool:v1.sif`]);
    const b = await h.globus.list(`${SANDBOX_LAB_ID}:/runs/2024-01-01T10:00:00`); // sregistry-cli's ENDPOINT:PATH
    expect(b.entries.map((e) => e.name)).toEqual(['tool:v1.sif']);
    const home = await h.globus.list(`${SANDBOX_LAB_ID}:runs/2024-01-01T10:00:00`); // relative to the default folder
    expect(home.entries.map((e) => e.name)).toEqual(['tool:v1.sif']);
    const plan = await h.globus.planPull(`globus://${SANDBOX_LAB_ID}/runs/2024-01-01T10:00:00/tool:v1.sif`, {});
    expect(plan.imageName).toBe('library/tool:v1');
    expect(plan.bytesTotal).toBe(3);
  });

  test('a missing folder is NotFound; a file is not a folder', async () => {
    await expect(h.globus.list(`globus://${SANDBOX_LAB_ID}/nope/`)).rejects.toBeInstanceOf(NotFoundError);
    await expect(h.globus.list(`globus://${SANDBOX_LAB_ID}/README.txt`)).rejects.toThrow(/not a folder/);
  });
});

describe('mkdir', () => {
  test('creates a folder; an existing one is fine', async () => {
    await h.globus.mkdir(`globus://${SANDBOX_LAB_ID}/new-folder/`);
    await h.globus.mkdir(`globus://${SANDBOX_LAB_ID}/new-folder/`);
    expect(await h.globus.api.mkdir(SANDBOX_LAB_ID, '/new-folder')).toBe('exists');
    expect((await h.globus.list(`globus://${SANDBOX_LAB_ID}/`)).entries.map((e) => e.name)).toContain('new-folder');
  });

  test('ensureFolder creates missing parents, then knows the folder (no more requests)', async () => {
    expect(await h.globus.api.ensureFolder(SANDBOX_LAB_ID, '/a/b/c/')).toBeGreaterThan(1);
    h.sandbox.requests.length = 0;
    expect(await h.globus.api.ensureFolder(SANDBOX_LAB_ID, '/a/b/c/')).toBe(0);
    expect(h.sandbox.requests).toHaveLength(0);
  });
});

describe('delete', () => {
  const LAB = `globus://${SANDBOX_LAB_ID}`;
  const names = async (folder: string) => (await h.globus.list(`${LAB}${folder}`)).entries.map((e) => e.name);
  const entry = async (folder: string, name: string) => (await h.globus.list(`${LAB}${folder}`)).entries.find((e) => e.name === name)!;
  beforeAll(() => {
    const dir = h.sandbox.endpointPath(SANDBOX_LAB_ID, '/old');
    mkdirSync(join(dir, 'runs', 'a'), { recursive: true });
    writeFileSync(join(dir, 'stale.sif'), 'sif');
    writeFileSync(join(dir, 'runs', 'a', 'one.sif'), 'sif');
  });

  test('a file, as a DELETE task labelled by sreg; the listing no longer shows it', async () => {
    const file = await entry('/old/', 'stale.sif');
    await h.globus.remove(file.location);
    expect(await names('/old/')).toEqual(['runs']);
    const task = (await h.globus.api.client.transfer<{ DATA: Array<Record<string, unknown>> }>('task list', (sdk) => transfer.task.getAll({ query: { filter: 'type:DELETE', limit: 1000 } }, sdk))).DATA[0]!;
    expect(task).toMatchObject({ type: 'DELETE', status: 'SUCCEEDED', label: 'sreg delete stale.sif', source_endpoint_id: SANDBOX_LAB_ID, files: 1 });
  });

  test('a folder only with its trailing slash (recursive); without it, one line saying how, and nothing goes', async () => {
    const err = await h.globus.remove(`${LAB}/old/runs`).catch((e: Error) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as Error).message).toMatch(/^cannot delete .*\/old\/runs: is a directory.*end the address with \/$/);
    expect((err as Error).message).not.toContain('\n');
    expect(await names('/old/')).toEqual(['runs']);
    await h.globus.list(`${LAB}/old/runs/a/`);
    expect(h.globus.api.knowsFolder(SANDBOX_LAB_ID, '/old/runs/a/')).toBe(true);
    const folder = await entry('/old/', 'runs');
    expect(folder.location).toBe(`${LAB}/old/runs/`);
    await h.globus.remove(folder.location);
    expect(await names('/old/')).toEqual([]);
    expect(h.globus.api.knowsFolder(SANDBOX_LAB_ID, '/old/runs/a/')).toBe(false); // a push there makes it again
  });

  test('a missing file is NotFound in one line', async () => {
    const err = await h.globus.remove(`${LAB}/old/nope.sif`).catch((e: Error) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toMatch(/^cannot delete .*\/old\/nope\.sif: no such file or directory: \/old\/nope\.sif \(NOT_FOUND\) \(Globus task [0-9a-f-]{36}\)$/);
  });

  test('a task still running after the wait: one line saying it goes on at Globus', async () => {
    writeFileSync(h.sandbox.endpointPath(SANDBOX_LAB_ID, '/old/slow.sif'), 'sif');
    h.sandbox.stallTask('next');
    const err = await h.globus.remove(`${LAB}/old/slow.sif`, { waitMs: 300 }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/^the delete of .*\/old\/slow\.sif is still running on Globus \(task [0-9a-f-]{36}, Queued\); sreg stopped waiting, it continues on Globus's side$/);
    const taskId = /task ([0-9a-f-]{36})/.exec((err as Error).message)![1]!;
    h.sandbox.stallTask(taskId, false);
    await h.sandbox.settle();
    expect(await names('/old/')).toEqual([]);
  });

  test('the top or home folder of an endpoint is refused', async () => {
    await expect(h.globus.remove(`${LAB}/`)).rejects.toBeInstanceOf(UsageError);
    await expect(h.globus.remove(`${LAB}/~/`)).rejects.toBeInstanceOf(UsageError);
  });
});
