// "This machine": Globus Connect Personal found in ~/.globusonline/lta, config-paths checked against the
// library folder with the exact line to add, a chosen collection with a path mapping, offline detection.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SANDBOX_LAB_ID } from '../../src/sandbox/globus.js';
import { checkReachable, findLocalEndpoint, readConfigPaths } from '../../src/services/backends/globus/local.js';
import { harness, LOCAL_ID, SAMPLE, type Harness } from './globus-harness.js';

function lta(home: string, id: string, configPaths?: string): void {
  const dir = join(home, '.globusonline', 'lta');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'client-id.txt'), id + '\n');
  if (configPaths !== undefined) writeFileSync(join(dir, 'config-paths'), configPaths);
}

describe('Globus Connect Personal detection', () => {
  const home = mkdtempSync(join(tmpdir(), 'sreg-gcp-home-'));
  const env = { HOME: home };
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const storage = `${home}/.singularity/shub`;

  test('client-id.txt names the endpoint; no config-paths means home, read-write', () => {
    lta(home, LOCAL_ID.toUpperCase());
    const local = findLocalEndpoint(env, {})!;
    expect(local).toMatchObject({ endpointId: LOCAL_ID, source: 'gcp', remotePrefix: '/' });
    expect(checkReachable(local, storage, true)).toEqual({ ok: true, endpointPath: storage });
  });

  test('a storage folder outside config-paths: the exact line to add', () => {
    lta(home, LOCAL_ID, '~/Documents,0,1\n/data/shared,1,0\n');
    expect(readConfigPaths(env).paths).toEqual([
      { path: `${home}/Documents`, sharing: false, writable: true },
      { path: '/data/shared', sharing: true, writable: false },
    ]);
    const r = checkReachable(findLocalEndpoint(env, {})!, storage, true);
    expect(r.ok).toBe(false);
    expect(r.fix).toContain(`add the line "${storage},0,1" to ${home}/.globusonline/lta/config-paths`);
    expect(r.fix).toContain('globusconnectpersonal -stop');
  });

  test('a read-only share is enough to push from, not to pull into', () => {
    lta(home, LOCAL_ID, `${home}/.singularity,0,0\n`);
    const local = findLocalEndpoint(env, {})!;
    expect(checkReachable(local, storage, false).ok).toBe(true);
    expect(checkReachable(local, storage, true).fix).toContain(`"${home}/.singularity,0,1"`);
  });

  test('the collection chosen in settings wins, with its path mapping', () => {
    const local = findLocalEndpoint(env, { globusLocal: { endpointId: SANDBOX_LAB_ID, localPrefix: '/home/u', remotePrefix: '/~/' } })!;
    expect(local.source).toBe('settings');
    expect(checkReachable(local, '/home/u/.singularity/shub', true)).toEqual({ ok: true, endpointPath: '/~/.singularity/shub' });
    const r = checkReachable(local, '/scratch/u/shub', true);
    expect(r.fix).toMatch(/outside the local prefix \/home\/u.*choose a path mapping whose local prefix contains \/scratch\/u\/shub/);
  });

  test('no endpoint at all', () => {
    expect(findLocalEndpoint({ HOME: '/nonexistent-sreg' }, {})).toBeUndefined();
  });
});

describe('this machine against the sandbox', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
    await h.login();
  });
  afterAll(async () => h.close());

  test('localStatus: online, library folder reachable', async () => {
    expect(await h.globus.localStatus()).toMatchObject({ online: true, connection: 'connected', storageReachable: true, displayName: 'test laptop (this machine)' });
  });

  test('offline: said at plan time, the way the seed says it', async () => {
    h.sandbox.setEndpointConnected(LOCAL_ID, false);
    try {
      const s = await h.reopen(); // no cached endpoint document
      const g = (await s.backend('globus')) as Harness['globus'];
      expect(await g.localStatus()).toMatchObject({ online: false, connection: 'disconnected' });
      const plan = await g.planPull(`globus://${SANDBOX_LAB_ID}/images/${SAMPLE}`, {});
      expect(plan.options!.note).toMatch(/no local Globus endpoint online: "test laptop \(this machine\)".*globusconnectpersonal -start/);
      await s.close();
    } finally {
      h.sandbox.setEndpointConnected(LOCAL_ID, true);
    }
  });

  test('a library folder the local endpoint cannot reach fails the plan with what to change', async () => {
    h.services.settings.set('globusLocal', { endpointId: LOCAL_ID, localPrefix: '/elsewhere', remotePrefix: '/' });
    try {
      await expect(h.globus.planPull(`globus://${SANDBOX_LAB_ID}/images/${SAMPLE}`, {})).rejects.toThrow(/outside the local prefix \/elsewhere/);
    } finally {
      h.services.settings.set('globusLocal', { endpointId: LOCAL_ID, localPrefix: h.t.dir, remotePrefix: '/' });
    }
  });

  test('choosing a collection as this machine proves the mapping before saving it', async () => {
    const { chooseLocalEndpoint } = await import('../../src/services/backends/globus/index.js');
    const ctx = { settings: h.services.settings, library: h.services.library };
    // Wrong mapping: the collection path exists but is another folder.
    await expect(chooseLocalEndpoint(h.globus, ctx, { endpointId: LOCAL_ID, localPrefix: h.t.dir, remotePrefix: '/home/sandbox/' })).rejects.toThrow(/is not the library folder|cannot list/);
    expect(h.services.settings.get('globusLocal')!.remotePrefix).toBe('/');
    const status = await chooseLocalEndpoint(h.globus, ctx, { endpointId: `globus://${LOCAL_ID}`, localPrefix: h.t.dir, remotePrefix: '/' });
    expect(status).toMatchObject({ online: true, storageReachable: true });
  });
});
