import { createAwsAuth, type WalkReport } from '../aws/auth.js';
import type { AwsKeyStyle } from '../aws/options.js';
import { maskKeyId, type ChainStep } from '../aws/types.js';
import type { PluginOptions } from '../config/types.js';
import { errorLine } from '../errors.js';
import { createLogger } from '../log.js';

export interface CredentialsArgs {
  options: PluginOptions;
  pluginName: string;
  outputId: string;
  json: boolean;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** The key style and SigV4 service an output plugin uses. */
export function awsProfileOf(pluginName: string, o: PluginOptions): { style: AwsKeyStyle; service: string } {
  if (pluginName === 'cloudwatch_logs') return { style: 'cloudwatch', service: 'logs' };
  const service = o.optStr('aws_service_name') || o.optStr('aws_service') || (pluginName === 'http' ? 'execute-api' : 'es');
  return { style: 'aws', service };
}

interface JsonReport {
  output: string;
  region: string | null;
  service: string;
  provider: string | null;
  accessKeyId: string | null;
  expiration: string | null;
  steps: ChainStep[];
  error?: string;
}

function table(steps: ChainStep[]): string {
  const w = Math.max(8, ...steps.map((s) => s.provider.length));
  return steps.map((s) => {
    const ms = `${s.ms.toFixed(1)} ms`.padStart(10);
    return `  ${s.provider.padEnd(w)}  ${s.outcome.padEnd(14)} ${ms}  ${s.message}`.trimEnd();
  }).join('\n');
}

/**
 * `wren credentials`: walk the output's credential chain exactly as the output would, and print
 * each step (provider, outcome, ms), then the winner with a masked key id and the expiration.
 * Never the secret. Exit 0 when credentials were found, 1 otherwise.
 */
export async function runCredentials(args: CredentialsArgs): Promise<number> {
  const { style, service } = awsProfileOf(args.pluginName, args.options);
  const log = createLogger('warn', args.stderr);
  const out = (s: string) => args.stdout.write(`${s}\n`);
  let report: WalkReport;
  let region: string | null = null;
  try {
    const auth = createAwsAuth(args.options, { service, style, env: args.env, log });
    region = auth.region;
    if (!args.json) out(`Credential chain of output ${args.outputId} (region ${region} from ${auth.settings.regionSource}, service ${service}):`);
    report = await auth.walk();
  } catch (err) {
    report = { steps: [], error: errorLine(err) };
  }
  const r = report.resolution;
  if (args.json) {
    const json: JsonReport = {
      output: args.outputId,
      region,
      service,
      provider: r?.provider ?? null,
      accessKeyId: r ? maskKeyId(r.credentials.accessKeyId) : null,
      expiration: r?.credentials.expiration?.toISOString() ?? null,
      steps: report.steps,
      ...(report.error ? { error: report.error } : {}),
    };
    out(JSON.stringify(json, null, 2));
    return r ? 0 : 1;
  }
  if (report.steps.length) out(table(report.steps));
  if (!r) {
    args.stderr.write(`wren: no AWS credentials for output ${args.outputId}: ${report.error ?? 'nothing answered'}\n`);
    return 1;
  }
  const exp = r.credentials.expiration ? r.credentials.expiration.toISOString() : 'never (long-term keys)';
  out(`Credentials from ${r.provider}: access key ${maskKeyId(r.credentials.accessKeyId)}${r.credentials.sessionToken ? ' (with session token)' : ''}, expires ${exp}`);
  return 0;
}
