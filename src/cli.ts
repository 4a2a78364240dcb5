// argv -> a command, or the TUI when stdin and stdout are terminals (else a one-line hint, exit 2).
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { COMMANDS } from './commands/index.js';
import { EXIT_FAILURE, EXIT_USAGE, isSregError, messageOf } from './core/errors.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export interface GlobalOptions {
  sandbox?: boolean;
  debug?: boolean;
  ascii?: boolean;
}

function globalFlags(program: Command): void {
  program
    .option('--sandbox', 'use loopback fakes of Dropbox and Globus with a throw-away library (also SREG_SANDBOX=1)')
    .option('--debug', 'print every request and transfer event (secrets redacted) to stderr')
    .option('--ascii', 'TUI: no box drawing or emoji')
    .addOption(new Option('--no-color', 'TUI: monochrome (also NO_COLOR)').hideHelp());
}

/** Applies global flags to the environment before any service reads it. */
export async function applyGlobals(opts: GlobalOptions): Promise<void> {
  if (opts.sandbox) process.env.SREG_SANDBOX = '1';
  if (opts.debug) {
    process.env.SREG_DEBUG = '1';
    (await import('./services/log.js')).setDebug(true);
  }
  if (opts.ascii) process.env.SREG_ASCII = '1';
}

/** `sreg images | head` closes the pipe early: that is not an error. */
function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedPipe();
  const program = new Command('sreg')
    .description('Find, inspect and move Singularity/Apptainer images between your library, Globus and Dropbox.\nRun `sreg` alone on a terminal for the TUI.')
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`sreg: ${str.replace(/^error: /, '').split('\n')[0]} (see: sreg --help)\n`) });
  globalFlags(program);

  const wanted = argv.find((a) => !a.startsWith('-'));
  const entry = COMMANDS.find((c) => c.name === wanted);
  // Running one command needs only its definition; `sreg --help` needs every name and summary.
  for (const c of entry ? [entry] : COMMANDS) {
    const cmd = program.command(c.name).description(c.summary).exitOverride();
    cmd.configureOutput({ outputError: (str, write) => write(`sreg: ${str.replace(/^error: /, '').split('\n')[0]} (see: sreg ${c.name} --help)\n`) });
    if (c === entry) {
      const mod = await c.load();
      mod.define(cmd);
    } else {
      cmd.allowUnknownOption().allowExcessArguments().action(() => {});
    }
  }
  program.hook('preAction', async (_this, action) => {
    await applyGlobals(action.optsWithGlobals() as GlobalOptions);
  });

  if (!wanted || (!entry && !argv.some((a) => a === '-h' || a === '--help' || a === '-V' || a === '--version'))) {
    if (wanted && !entry) {
      process.stderr.write(`sreg: unknown command "${wanted}" (see: sreg --help)\n`);
      return EXIT_USAGE;
    }
    if (!argv.some((a) => ['-h', '--help', '-V', '--version'].includes(a))) {
      program.parseOptions(argv);
      const opts = program.opts() as GlobalOptions & { color?: boolean };
      await applyGlobals(opts);
      if (opts.color === false) process.env.NO_COLOR = '1';
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        process.stderr.write('sreg: the TUI needs a terminal; run a command instead (see: sreg --help)\n');
        return EXIT_USAGE;
      }
      const { runTui } = await import('./app/run.js');
      return runTui();
    }
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    if (isSregError(e)) {
      process.stderr.write(`sreg: ${e.message}\n`);
      return e.exitCode;
    }
    if ((e as NodeJS.ErrnoException)?.code === 'EPIPE') return 0;
    process.stderr.write(`sreg: unexpected error: ${messageOf(e)}\n`);
    if (process.env.SREG_DEBUG === '1') process.stderr.write(String((e as Error)?.stack) + '\n');
    return EXIT_FAILURE;
  }
}
