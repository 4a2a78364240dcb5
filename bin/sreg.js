#!/usr/bin/env node
// Launcher: refuse old Node with one clear line, then hand over to the compiled CLI.
const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  process.stderr.write(`sreg: needs Node.js 20 or newer (this is ${process.versions.node})\n`);
  process.exit(1);
}
const { main } = await import('../dist/cli.js');
process.exitCode = await main(process.argv.slice(2));
