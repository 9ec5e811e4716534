import { loadConfig, type PluginConfig } from '../config/load.js';
import { didYouMean } from '../config/suggest.js';

export interface CredentialsIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Output plugins that sign with AWS credentials, and the service each signs for. */
function usesAws(o: PluginConfig): boolean {
  if (o.def.name === 'cloudwatch_logs') return true;
  return o.options.bool('aws_auth');
}

/** `wren credentials -c FILE [--output NAME] [--json]`: pick the output, then walk its chain. */
export async function credentialsCommand(file: string, opts: { output?: string; json: boolean }, io: CredentialsIo): Promise<number> {
  const { config, errors } = loadConfig(file, { env: io.env });
  if (!config) {
    for (const e of errors) io.stderr.write(e.toLine() + '\n');
    return 1;
  }
  let output: PluginConfig | undefined;
  if (opts.output) {
    output = config.outputs.find((o) => o.id === opts.output || o.options.optStr('alias') === opts.output);
    if (!output) {
      io.stderr.write(`wren: no output named '${opts.output}' in ${file}${didYouMean(opts.output, config.outputs.map((o) => o.id))} (outputs: ${config.outputs.map((o) => o.id).join(', ')})\n`);
      return 1;
    }
  } else {
    output = config.outputs.find(usesAws);
    if (!output) {
      io.stderr.write(`wren: no output in ${file} signs with AWS credentials (set aws_auth: on, or name one with --output)\n`);
      return 1;
    }
  }
  const { runCredentials } = await import('./credentials.js');
  return runCredentials({ options: output.options, pluginName: output.def.name, outputId: output.id, json: opts.json, env: io.env, stdout: io.stdout, stderr: io.stderr });
}
