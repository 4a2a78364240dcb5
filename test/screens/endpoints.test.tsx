// EndpointSearch at 80x24: results as you type, debounced; scopes with Tab; Enter opens the Browser.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SearchHit } from '../../src/services/backends/backend.js';
import { folderBackend, makeTree, type FolderBackend } from '../helpers/folder-backend.js';
import { frameFits, makeServices, renderApp, SAMPLES, type Rendered, type TestServices } from '../helpers/tui.js';

const hit = (title: string, id: string, owner: string, connected: boolean, scope: string, location: string): SearchHit => ({
  kind: 'endpoint', title, location, fields: { id, owner, connected, gcs: connected ? 'GCS 5.4 mapped' : 'Globus Connect Personal', scope },
});
const ENDPOINTS = [
  hit('Stanford Sherlock scratch', '3f2b8c1e-9d4a-4e6b-8a71-2c5d0e9f1a43', 'srcc@stanford.edu', true, 'shared-with-me', 'globus://lab'),
  hit('My laptop', 'c5f1a7a2-5b3e-11ee-8c99-0242ac120002', 'me@example.org', false, 'my-endpoints', 'globus://locked'),
  hit('Stanford Oak', '8a1d4e2f-0000-4000-8000-000000000001', 'srcc@stanford.edu', true, 'recently-used', 'globus://'),
];

let services: TestServices;
let globus: FolderBackend;
let searches: string[];
let r: Rendered | undefined;
let root: string;

beforeEach(async () => {
  root = join(process.env.TMPDIR ?? '/tmp', `sreg-ep-${process.pid}-${Date.now()}`);
  mkdirSync(root, { recursive: true });
  makeTree(root, SAMPLES);
  globus = folderBackend('globus', 'Globus', root, { loggedIn: true, endpoints: ENDPOINTS });
  searches = [];
  const search = globus.search!.bind(globus);
  globus.search = (q, o) => {
    searches.push(`${q}|${o?.scope ?? ''}`);
    return search(q, o);
  };
  globus.consented = true;
  services = await makeServices({ backends: { globus } });
});
afterEach(async () => {
  r?.unmount();
  r = undefined;
  await services.cleanup();
  rmSync(root, { recursive: true, force: true });
});

describe('EndpointSearch screen', () => {
  it('shows name, owner, status, GCS and id; searches once per pause in typing', async () => {
    r = renderApp(services, { route: { screen: 'endpoints' } });
    await r.waitFor('3 endpoints');
    frameFits(r);
    expect(r.text()).toMatch(/Stanford Sherlock scratch\s+srcc@stanford\S*\s+online\s+GCS 5\.4 mapped\s+3f2b8c1e/);
    expect(r.text()).toMatch(/My laptop\s+me@example\.org\s+offline/);
    expect(r.text()).toContain('id 3f2b8c1e-9d4a-4e6b-8a71-2c5d0e9f1a43');
    searches.length = 0;
    await r.type('stan');
    await r.waitFor('2 endpoints (all endpoints)');
    expect(searches).toEqual(['stan|']);
    frameFits(r);
  });

  it('Tab changes the scope; Enter opens the endpoint in the Browser', async () => {
    r = renderApp(services, { route: { screen: 'endpoints' } });
    await r.waitFor('3 endpoints');
    await r.press('tab');
    await r.waitFor('1 endpoint (my endpoints)');
    expect(r.text()).toContain('My laptop');
    await r.press('tab');
    await r.waitFor('1 endpoint (shared with me)');
    await r.press('enter');
    await r.waitFor('Globus:/lab');
    expect(r.text()).toContain('busybox_latest.sif');
    frameFits(r);
    await r.press('escape');
    await r.waitFor('Globus endpoints');
  });
});
