#!/usr/bin/env node
// Launcher: refuse old Node with one clear line, answer --version, else hand over to the compiled CLI.
const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  process.stderr.write(`sreg: needs Node.js 20 or newer (this is ${process.versions.node})\n`);
  process.exit(1);
}
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // Scripts call this to probe for sreg: answer without loading the CLI at all.
  const { readFileSync } = await import('node:fs');
  process.stdout.write(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version + '\n');
  process.exit(0);
}
const { main } = await import('../dist/cli.js');
process.exitCode = await main(args);
