import { afterEach, describe, expect, it } from 'vitest';
import { httpOutput } from '../../../plugins/out_http/index.js';
import type { RawValue } from '../../../src/config/types.js';
import type { Chunk, OutputInstance } from '../../../src/engine/types.js';
import { startContainerFake, type ContainerFake } from '../../helpers/container-fake.js';
import { pluginContext } from '../../helpers/plugin-context.js';
import { startRecordingServer, type RecordingServer } from '../../helpers/recording-server.js';
import { verifySigV4 } from '../../helpers/sigv4-verify.js';
import { chunkOf } from '../../helpers/chunks.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const chunk: Chunk = chunkOf([{ time: 1700000000000, record: { msg: 'signed' } }], 't');

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

async function output(entries: Array<[string, RawValue]>, env: NodeJS.ProcessEnv): Promise<OutputInstance> {
  const ctx = { ...pluginContext(httpOutput, [['match', '*'], ...entries]), env };
  const o = await httpOutput.create(ctx);
  closers.push(async () => void (await o.stop?.()));
  return o;
}

describe('http output with SigV4 (aws_auth)', () => {
  it('signs for the configured service and region; aws4 accepts the signature', async () => {
    const s: RecordingServer = await startRecordingServer();
    closers.push(() => s.close());
    const o = await output([['port', String(s.port)], ['compress', 'gzip'], ['aws_auth', 'on'], ['aws_service', 'osis'], ['aws_region', 'eu-west-1']],
      { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_EC2_METADATA_DISABLED: 'true' });
    expect(await o.flush(chunk)).toEqual({ status: 'ok' });
    const r = s.received[0]!;
    const v = verifySigV4(r, { secretAccessKey: SECRET, accessKeyId: KEY, region: 'eu-west-1', service: 'osis' });
    expect(v).toMatchObject({ ok: true });
    expect(r.headers['content-encoding']).toBe('gzip');
  });

  it('on 403 "security token expired" refreshes credentials once and re-signs the same request', async () => {
    const creds: ContainerFake = await startContainerFake({ token: () => 'tok' });
    closers.push(() => creds.close());
    let first = true;
    const s = await startRecordingServer((_req, res) => {
      if (first) {
        first = false;
        return void res.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"The security token included in the request is expired"}');
      }
      res.writeHead(200).end('{}');
    });
    closers.push(() => s.close());
    const o = await output([['port', String(s.port)], ['aws_auth', 'on'], ['aws_service', 'es'], ['aws_region', 'us-east-1'], ['aws_credential_chain', 'container']],
      { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${creds.url}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'tok', AWS_EC2_METADATA_DISABLED: 'true' });
    expect(await o.flush(chunk)).toEqual({ status: 'ok' });
    expect(s.received).toHaveLength(2);
    expect(creds.issued).toHaveLength(2);
    const [a, b] = creds.issued;
    expect(verifySigV4(s.received[0]!, { secretAccessKey: a!.secretAccessKey, accessKeyId: a!.accessKeyId, sessionToken: a!.token })).toMatchObject({ ok: true });
    expect(verifySigV4(s.received[1]!, { secretAccessKey: b!.secretAccessKey, accessKeyId: b!.accessKeyId, sessionToken: b!.token })).toMatchObject({ ok: true });
    expect(s.received[1]!.body.equals(s.received[0]!.body)).toBe(true);
  });

  it('a missing region or service is a config error naming the fix', async () => {
    await expect(output([['aws_auth', 'on'], ['aws_region', 'us-east-1']], {})).rejects.toThrow(/aws_service' is not set/);
    await expect(output([['aws_auth', 'on'], ['aws_service', 'osis']], {})).rejects.toThrow(/no AWS region: 'aws_region' is not set/);
  });
});
