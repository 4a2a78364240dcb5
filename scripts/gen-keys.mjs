#!/usr/bin/env node
// Writes docs/keys.md from the keymap (build first: npm run build). `--check` exits 1 when it drifted.
import { readFileSync, writeFileSync } from 'node:fs';
import { keysMarkdown } from '../dist/app/keydocs.js';

const file = new URL('../docs/keys.md', import.meta.url);
const text = keysMarkdown();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    /* missing counts as drift */
  }
  if (current !== text) {
    process.stderr.write('docs/keys.md is out of date: run npm run build && node scripts/gen-keys.mjs\n');
    process.exit(1);
  }
} else {
  writeFileSync(file, text);
}
