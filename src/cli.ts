#!/usr/bin/env node
import { parseArgs, UsageError, type Args } from './cli-args.js';
import { HeapGovernor } from './engine/heap-governor.js';
import { errorLine } from './errors.js';
import { redact, redactingStream } from './redact.js';
import { wrenVersion } from './version.js';

const HELP = `wren — a log forwarder for containers (Fluent Bit's configuration, YAML or classic, and command line)

Usage:
  wren run -c FILE              run the pipeline in FILE (also: wren -c FILE)
  wren check -c FILE            validate FILE and print the resolved pipeline (also: wren -D -c FILE)
  wren convert -c FILE.conf [-o FILE.yaml]
                                write a classic (.conf) configuration as YAML
  wren credentials -c FILE [--output NAME] [--json]
                                walk the AWS credential chain as that output would
  wren -i INPUT [-p k=v]... [-F FILTER -m MATCH]... -o OUTPUT [-p k=v]...
                                run a pipeline given as flags (with or without -c)
  wren --help | --version | -i NAME -h (that plugin's options)

Options (as Fluent Bit's; --key=value and --key value both work):
  -c, --config=FILE      configuration file: YAML (.yaml, .yml) or classic (any other name)
  -R, --parser=FILE      parsers file to load (repeatable)
  -i, --input=NAME       add an input
  -F, --filter=NAME      add a filter
  -o, --output=NAME      add an output (credentials: the output to use, its alias or <name>.<n>;
                         convert: where to write the YAML, default stdout)
  -p, --prop="K=V"       set a property of the last -i, -F or -o
  -m, --match=MATCH      set the match of the last -F or -o (one input and one output: '*')
  -t, --tag=TAG          set the tag of the last -i
  -f, --flush=SECONDS    flush interval
  -D, --dry-run          validate and exit (as wren check)
  -w, --workdir=DIR      change to DIR first (relative -c and -R resolve from it)
  -H, --http             serve health and metrics over HTTP
  -P, --port=PORT        port of that HTTP server (default 2020)
  -L, --http_listen=ADDR address of that HTTP server (default 0.0.0.0)
  -l, --log_file=FILE    write Wren's own logs to FILE
  -v, --verbose          more log detail (-v debug, -vv trace)
  -q, --quiet            no log lines
  -V, --version          print the version
  -h, --help             this help
  --json                 (credentials) print one JSON object
Service keys set in the config file win over the same keys given as flags, as in Fluent Bit.

Exit codes: 0 ok; 1 configuration or start-up error; 2 records were dropped.
`;

async function main(argv: string[]): Promise<number> {
  // what the commands print goes through the one redaction function (convert's YAML is the user's own file)
  const stdout = redactingStream(process.stdout);
  const stderr = redactingStream(process.stderr);
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`wren: ${err.message}; see wren --help\n`);
    return 1;
  }
  for (const w of args.warnings) process.stderr.write(`wren: ${w}\n`);
  if (args.workdir !== undefined) {
    try {
      process.chdir(args.workdir);
    } catch (err) {
      process.stderr.write(`wren: cannot change to the working directory '${args.workdir}' (${(err as NodeJS.ErrnoException).code ?? 'error'}); check -w / --workdir\n`);
      return 1;
    }
  }
  const source = { file: args.config, flags: args.flags, parsersFiles: args.parsers };
  switch (args.command) {
    case 'help': {
      if (!args.helpFor) {
        process.stdout.write(HELP);
        return 0;
      }
      const { pluginHelp } = await import('./commands/plugin-help.js');
      return pluginHelp(args.helpFor.kind, args.helpFor.name, process.stdout, process.stderr);
    }
    case 'version':
      process.stdout.write(`wren ${wrenVersion()}\n`);
      return 0;
    case 'check': {
      const { runCheck } = await import('./commands/check.js');
      return runCheck(source, { env: process.env, stdout, stderr });
    }
    case 'convert': {
      const { runConvert } = await import('./commands/convert.js');
      return runConvert(args.config!, args.output, { stdout: process.stdout, stderr });
    }
    case 'credentials': {
      const { credentialsCommand } = await import('./commands/credentials-cli.js');
      return credentialsCommand(args.config!, { output: args.output, json: args.json }, { env: process.env, stdout, stderr });
    }
    case 'run': {
      HeapGovernor.beforeRun();
      const { runPipeline } = await import('./commands/run.js');
      return runPipeline(source, { env: process.env, stderr });
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
    process.stderr.write(redact(`wren: ${errorLine(err)}\n`));
    process.exit(1);
  },
);
