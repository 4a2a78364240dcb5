// Runs every benchmark in bench/ one after another; each prints its own figures.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
for (const f of readdirSync(here).filter((f) => f.endsWith('.mjs') && f !== 'lib.mjs').sort()) {
  if (only.length && !only.some((o) => f.includes(o))) continue;
  console.log(`\n# ${f}`);
  const r = spawnSync(process.execPath, [join(here, f)], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
