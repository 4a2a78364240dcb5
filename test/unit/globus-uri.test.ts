// Globus addresses (both forms, colons in paths), scope merging, names from remote files, poll schedule.
import { describe, expect, test } from 'vitest';
import { BadNameError } from '../../src/core/errors.js';
import { nameFromFile, remoteFileName, taskLabel } from '../../src/services/backends/globus/plan.js';
import { DEFAULT_POLL, pollDelay, taskReason } from '../../src/services/backends/globus/runner.js';
import { dataAccessCollections, mergeScopes, TRANSFER_SCOPE } from '../../src/services/backends/globus/scopes.js';
import { displayPath, formatGlobusUri, parentPath, parseGlobusUri } from '../../src/services/backends/globus/uri.js';
import { parseImageName } from '../../src/core/uri.js';

const EP = '6881ae2e-db26-11e5-9772-22000b9da45e';

describe('Globus addresses', () => {
  test('globus://EP/PATH: absolute, home-relative, none', () => {
    expect(parseGlobusUri(`globus://${EP}/data/x.sif`)).toEqual({ endpoint: EP, path: '/data/x.sif' });
    expect(parseGlobusUri(`globus://${EP}/~/x`)).toEqual({ endpoint: EP, path: '/~/x' });
    expect(parseGlobusUri(`globus://${EP}/~`)).toEqual({ endpoint: EP, path: '/~/' });
    expect(parseGlobusUri(`globus://${EP}`)).toEqual({ endpoint: EP });
    expect(parseGlobusUri(`GLOBUS://${EP.toUpperCase()}/`)).toEqual({ endpoint: EP, path: '/' });
  });

  test("sregistry-cli's ENDPOINT:PATH, split on the first colon only", () => {
    expect(parseGlobusUri(`${EP}:.singularity/shub`)).toEqual({ endpoint: EP, path: '/~/.singularity/shub' });
    expect(parseGlobusUri(`${EP}:/scratch/run:1/a:b.sif`)).toEqual({ endpoint: EP, path: '/scratch/run:1/a:b.sif' });
    expect(parseGlobusUri(`${EP}:`)).toEqual({ endpoint: EP });
    expect(parseGlobusUri(EP)).toEqual({ endpoint: EP });
  });

  test('colons, spaces and percent signs survive a round trip', () => {
    const path = '/data/2024-01-01T10:00:00/my image 100%:v1.sif';
    const uri = formatGlobusUri(EP, path);
    expect(uri).toBe(`globus://${EP}${path}`);
    expect(parseGlobusUri(uri)).toEqual({ endpoint: EP, path });
  });

  test('refuses what is not an endpoint address', () => {
    expect(() => parseGlobusUri('dropbox://x/y')).toThrow(BadNameError);
    expect(() => parseGlobusUri('globus://not-an-id/x')).toThrow(/not a Globus endpoint id/);
    expect(() => parseGlobusUri(`globus://${EP}/a\nb`)).toThrow(/control character/);
  });

  test('parents and display paths', () => {
    expect(parentPath('/a/b/')).toBe('/a/');
    expect(parentPath('/a')).toBe('/');
    expect(parentPath('/')).toBeUndefined();
    expect(parentPath('/~/')).toBe('/');
    expect(parentPath('/~/x/')).toBe('/~/');
    expect(displayPath('/~/x')).toBe('~/x');
  });
});

describe('scopes', () => {
  const C1 = '11111111-1111-4111-8111-111111111111';
  const C2 = '22222222-2222-4222-8222-222222222222';
  test('data_access dependents of the transfer scope are merged into one scope', () => {
    const merged = mergeScopes(['openid', TRANSFER_SCOPE], `${TRANSFER_SCOPE}[*https://auth.globus.org/scopes/${C1}/data_access]`, [`${TRANSFER_SCOPE}[https://auth.globus.org/scopes/${C2}/data_access]`]);
    expect(merged).toEqual(['openid', `${TRANSFER_SCOPE}[*https://auth.globus.org/scopes/${C1}/data_access *https://auth.globus.org/scopes/${C2}/data_access]`]);
    expect(dataAccessCollections(merged)).toEqual([C1, C2]);
  });
});

describe('names and labels', () => {
  test('library names from remote file names', () => {
    expect(nameFromFile('pancakes.simg')).toMatchObject({ collection: 'library', name: 'pancakes', tag: 'latest' });
    expect(nameFromFile('vsoch-hello-world:latest@3bac21df631874e3cbb3f0cf6fc9af1898f4cc3d.simg')).toMatchObject({ name: 'vsoch-hello-world', tag: 'latest' });
    expect(nameFromFile('My Image (1).sif')).toMatchObject({ name: 'my-image-1', tag: 'latest' });
  });

  test('remote file names follow sregistry-cli (collection-name:tag)', () => {
    expect(remoteFileName(parseImageName('vsoch/hello-world:latest'))).toBe('vsoch-hello-world:latest.sif');
    expect(remoteFileName(parseImageName('hello:1'), '/x/hello.simg')).toBe('hello:1.simg');
    expect(taskLabel('push', 'lab/x:1"; rm')).toBe('sreg push lab/x:1__ rm');
  });
});

describe('status polls', () => {
  test('back off from 2 s by 1.5x to 60 s: an hour costs under 100 polls', () => {
    let t = 0;
    let polls = 1;
    for (let i = 0; t < 3_600_000; i++, polls++) t += pollDelay(DEFAULT_POLL, i);
    expect(polls).toBeLessThan(100);
    expect(pollDelay(DEFAULT_POLL, 0)).toBe(2000);
    expect(pollDelay(DEFAULT_POLL, 50)).toBe(60_000);
  });

  test("task reasons use Globus's words", () => {
    expect(taskReason({ task_id: 't', status: 'FAILED', fatal_error: { code: 'PERMISSION_DENIED', description: 'permission denied' } })).toBe('permission denied (PERMISSION_DENIED)');
    expect(taskReason({ task_id: 't', status: 'INACTIVE', nice_status: 'CREDENTIALS_EXPIRED', nice_status_short_description: 'Credentials expired' })).toMatch(/INACTIVE.*Credentials expired \(CREDENTIALS_EXPIRED\)/);
    expect(taskReason({ task_id: 't', status: 'ACTIVE', nice_status: 'OK' })).toBeNull();
    expect(taskReason({ task_id: 't', status: 'ACTIVE', nice_status: 'GC_NOT_CONNECTED', nice_status_short_description: 'Globus Connect not connected', faults: 2 })).toMatch(/not connected.*2 faults/);
  });
});
