// Temporary entry until the TUI frame lands.
export async function runTui(): Promise<number> {
  process.stderr.write('sreg: the TUI is not built yet; use the commands (sreg --help)\n');
  return 1;
}
