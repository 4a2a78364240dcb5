// Inspect screen: labels, deffile, runscript, environment of an image, scrolling, Esc back.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { addImage, addSamples, frameFits, makeServices, renderApp, SAMPLES, type Rendered, type TestServices } from '../helpers/tui.js';

let services: TestServices;
let r: Rendered | undefined;

beforeAll(async () => {
  services = await makeServices();
  // Added first, so it is at the bottom of the list (newest first).
  await addImage(services.library, join(SAMPLES, 'empty.sif'), 'zz/tabs:wide', {
    data: { attributes: { deffile: `Bootstrap: scratch\n%post\n\techo ${'long-argument-'.repeat(12)}end\n`, labels: { ['a.very.long.label.key.that.goes.on.and.on.forever']: 'value' } } },
  });
  await addSamples(services.library);
});
afterAll(async () => services.cleanup());
afterEach(() => r?.unmount());

describe('Inspect screen', () => {
  it('Enter opens the selected image: facts, labels, deffile; scrolling reaches the environment', async () => {
    r = renderApp(services);
    await r.waitFor('Library');
    await r.press('enter');
    await r.waitFor('Inspect tools/busybox:1.36');
    frameFits(r);
    const text = r.text();
    expect(text).toContain('sha256');
    expect(text).toContain('Labels');
    expect(text).toMatch(/maintainer:\s+hpc-team@example.org/);
    expect(text).toContain('Deffile');
    expect(text).toContain('From: busybox:1.36');
    await r.press('G');
    await r.waitFor('Environment');
    frameFits(r);
    expect(r.text()).toContain('/.singularity.d/env/90-environment.sh');
    expect(r.text()).toContain('export LC_ALL=C');
    expect(r.text()).not.toContain('Labels');
    await r.press('g');
    await r.waitFor('Labels');
  });

  it('says "(none recorded)" for an image without metadata, and Esc and Backspace go back', async () => {
    r = renderApp(services);
    await r.waitFor('Library');
    await r.press('j', 'enter');
    await r.waitFor('Inspect samples/');
    frameFits(r);
    expect(r.text()).toContain('(none recorded)');
    await r.press('escape');
    await r.waitFor('COLLECTION');
    await r.press('enter');
    await r.waitFor('Inspect');
    await r.press('backspace');
    await r.waitFor('COLLECTION');
  });

  it('long lines wrap under their indent and tabs become spaces, all inside 80 columns', async () => {
    r = renderApp(services, { route: { screen: 'inspect', uri: 'zz/tabs:wide' } });
    await r.waitFor('Deffile');
    frameFits(r);
    expect(r.text()).toContain('a.very.long.label.key.that.goes.on.and.on.forever: value');
    expect(r.text()).toMatch(/\n│ {7}echo long-argument-/);
    expect(r.text()).toMatch(/\n│ {3}ent-long-argument-/);
    expect(r.text()).not.toContain('\t');
  });
});
