import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import aws4 from 'aws4';
import { request } from 'undici';

/**
 * kinesalite (an independent Kinesis implementation from npm) in memory, and a tiny client for
 * setting it up and reading it back: CreateStream, then every record of every shard
 * (ListShards → GetShardIterator TRIM_HORIZON → GetRecords), with its partition key.
 */
export interface Kinesalite {
  url: string;
  createStream(name: string, shards: number): Promise<void>;
  readAll(name: string): Promise<Array<{ partitionKey: string; data: Buffer; shard: string; sequenceNumber: string }>>;
  close(): Promise<void>;
}

const CREDS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

export async function startKinesalite(): Promise<Kinesalite> {
  const { default: kinesalite } = (await import('kinesalite')) as { default: (o: Record<string, unknown>) => Server };
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const call = async (op: string, input: unknown): Promise<Record<string, unknown>> => {
    const body = JSON.stringify(input);
    const signed = aws4.sign({ host: `127.0.0.1:${port}`, path: '/', method: 'POST', service: 'kinesis', region: 'us-east-1', body,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Kinesis_20131202.${op}` } }, CREDS);
    const res = await request(url + '/', { method: 'POST', headers: signed.headers as Record<string, string>, body });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`kinesalite ${op}: ${res.statusCode} ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  return {
    url,
    async createStream(name, shards) {
      await call('CreateStream', { StreamName: name, ShardCount: shards });
      for (let i = 0; i < 50; i++) {
        const d = (await call('DescribeStream', { StreamName: name })) as { StreamDescription: { StreamStatus: string } };
        if (d.StreamDescription.StreamStatus === 'ACTIVE') return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`stream ${name} did not become ACTIVE`);
    },
    async readAll(name) {
      const shards = ((await call('ListShards', { StreamName: name })) as { Shards: Array<{ ShardId: string }> }).Shards;
      const out: Array<{ partitionKey: string; data: Buffer; shard: string; sequenceNumber: string }> = [];
      for (const s of shards) {
        let it = ((await call('GetShardIterator', { StreamName: name, ShardId: s.ShardId, ShardIteratorType: 'TRIM_HORIZON' })) as { ShardIterator: string }).ShardIterator;
        for (;;) {
          const r = (await call('GetRecords', { ShardIterator: it, Limit: 10000 })) as { Records: Array<{ PartitionKey: string; Data: string; SequenceNumber: string }>; NextShardIterator: string; MillisBehindLatest: number };
          for (const rec of r.Records) out.push({ partitionKey: rec.PartitionKey, data: Buffer.from(rec.Data, 'base64'), shard: s.ShardId, sequenceNumber: rec.SequenceNumber });
          if (r.Records.length === 0) break;
          it = r.NextShardIterator;
        }
      }
      return out;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
