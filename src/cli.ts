#!/usr/bin/env node
import { DEFAULT_CONFIG_PATHS, defaultConfigPath } from './config/default-path.js';
import { errorLine } from './errors.js';
import { wrenVersion } from './version.js';

const HELP = `wren — a log forwarder for containers (Fluent Bit-style YAML)

Usage:
  wren run -c FILE              run the pipeline in FILE (also: wren -c FILE)
  wren check -c FILE            validate FILE and print the resolved pipeline
  wren [run | check]            without -c: the first of ${DEFAULT_CONFIG_PATHS.join(', ')} that exists
  wren convert -c FILE.conf [-o FILE.yaml]
                                write a classic (.conf) configuration as YAML
  wren credentials -c FILE [--output NAME] [--json]
                                walk the AWS credential chain as that output would
  wren --help | --version

Options:
  -c, --config FILE   configuration file: Fluent Bit YAML (.yaml, .yml) or classic (any other name)
  --output NAME       (credentials) the output's alias or <name>.<n>; default the first AWS output
  -o FILE             (convert) where to write the YAML; default stdout
  --json              (credentials) print one JSON object

Exit codes: 0 ok; 1 configuration or start-up error; 2 records were dropped.
`;

interface Args {
  command: 'run' | 'check' | 'credentials' | 'convert' | 'help' | 'version';
  config?: string;
  output?: string;
  json: boolean;
}

class UsageError extends Error {}

export function parseArgs(argv: string[]): Args {
  const args: Args = { command: 'run', json: false };
  let i = 0;
  if (argv[0] && !argv[0].startsWith('-')) {
    const c = argv[0];
    if (c !== 'run' && c !== 'check' && c !== 'credentials' && c !== 'convert' && c !== 'help' && c !== 'version') {
      throw new UsageError(`unknown command '${c}' (commands: run, check, credentials, convert)`);
    }
    args.command = c;
    i = 1;
  }
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('-')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '-h' || a === '--help') args.command = 'help';
    else if (a === '-V' || a === '--version') args.command = 'version';
    else if (a === '-c' || a === '--config') args.config = value();
    else if (a.startsWith('--config=')) args.config = a.slice('--config='.length);
    else if (a === '--output' || a === '-o') args.output = value();
    else if (a.startsWith('--output=')) args.output = a.slice('--output='.length);
    else if (a === '--json') args.json = true;
    else throw new UsageError(`unknown option '${a}'`);
  }
  // run, check and credentials fall back to the default config paths (configOf); convert does not
  if (args.command === 'convert' && !args.config) {
    throw new UsageError(`'wren convert' needs -c FILE (e.g. wren convert -c fluent-bit.conf)`);
  }
  return args;
}

/** `-c FILE`, else the first default config that exists (the container image's layout). */
function configOf(args: Args): string {
  const file = args.config ?? defaultConfigPath();
  if (file === undefined) {
    throw new UsageError(`'wren ${args.command}' needs -c FILE (e.g. wren ${args.command} -c config/wren.yaml); `
      + `without it Wren reads ${DEFAULT_CONFIG_PATHS.join(' or ')}, and neither exists`);
  }
  return file;
}

async function main(argv: string[]): Promise<number> {
  let args: Args;
  let config = '';
  try {
    args = parseArgs(argv);
    if (args.command === 'run' || args.command === 'check' || args.command === 'credentials') config = configOf(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`wren: ${err.message}; see wren --help\n`);
    return 1;
  }
  switch (args.command) {
    case 'help':
      process.stdout.write(HELP);
      return 0;
    case 'version':
      process.stdout.write(`wren ${wrenVersion()}\n`);
      return 0;
    case 'check': {
      const { runCheck } = await import('./commands/check.js');
      return runCheck(config, { env: process.env, stdout: process.stdout, stderr: process.stderr });
    }
    case 'convert': {
      const { runConvert } = await import('./commands/convert.js');
      return runConvert(args.config!, args.output, { stdout: process.stdout, stderr: process.stderr });
    }
    case 'credentials': {
      const { credentialsCommand } = await import('./commands/credentials-cli.js');
      return credentialsCommand(config, { output: args.output, json: args.json }, { env: process.env, stdout: process.stdout, stderr: process.stderr });
    }
    case 'run': {
      const { runPipeline } = await import('./commands/run.js');
      return runPipeline(config, { env: process.env, stderr: process.stderr });
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // let stdout drain, then leave even if a plugin left a handle open
    setTimeout(() => process.exit(code), 50).unref();
  },
  (err: unknown) => {
    process.stderr.write(`wren: ${errorLine(err)}\n`);
    process.exit(1);
  },
);
