import { afterEach, describe, expect, it } from 'vitest';
import { awsFilter } from '../../../plugins/filter_aws/index.js';
import type { RawValue } from '../../../src/config/types.js';
import type { FilterInstance, LogEvent } from '../../../src/engine/types.js';
import { startImdsFake, type ImdsFake, type ImdsFakeOptions } from '../../helpers/imds-fake.js';
import { pluginContext, type CapturedContext } from '../../helpers/plugin-context.js';
import { startRecordingServer, type RecordingServer } from '../../helpers/recording-server.js';

const MAC = '0e:49:61:0f:c3:11';
function instanceMetadata(): Record<string, string> {
  return {
    'meta-data/placement/availability-zone': 'us-east-1a',
    'meta-data/instance-id': 'i-0123456789abcdef0',
    'meta-data/instance-type': 'm5.large',
    'meta-data/local-ipv4': '10.0.1.23',
    'meta-data/mac': MAC,
    [`meta-data/network/interfaces/macs/${MAC}/vpc-id`]: 'vpc-0a1b2c3d',
    'meta-data/ami-id': 'ami-0abcdef1234567890',
    'dynamic/instance-identity/document': JSON.stringify({ accountId: '123456789012', region: 'us-east-1', instanceId: 'i-0123456789abcdef0' }),
    'meta-data/hostname': 'ip-10-0-1-23.ec2.internal',
    'meta-data/tags/instance': 'Name\nteam\ncost center',
    'meta-data/tags/instance/Name': 'web-1',
    'meta-data/tags/instance/team': 'core',
    'meta-data/tags/instance/cost center': 'cc-42',
  };
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function fake(o: Partial<ImdsFakeOptions> = {}): Promise<ImdsFake> {
  const f = await startImdsFake({ behaviour: 'v2', metadata: instanceMetadata(), ...o });
  cleanup.push(() => f.close());
  return f;
}

async function filterFor(imds: ImdsFake | undefined, entries: Array<[string, RawValue]>, env: NodeJS.ProcessEnv = {}): Promise<{ f: FilterInstance; ctx: CapturedContext }> {
  const base: Array<[string, RawValue]> = [['match', '*'], ['aws_imds_timeout', '300ms'], ['retry_interval_s', '100ms']];
  if (!entries.some(([k]) => k === 'aws_imds')) base.push(['aws_imds', 'on']);
  if (imds) base.push(['aws_imds_endpoint', imds.url]);
  const ctx = { ...pluginContext(awsFilter, [...base, ...entries]), env };
  const f = await awsFilter.create(ctx);
  cleanup.push(() => f.stop?.());
  return { f, ctx: ctx as CapturedContext };
}

const one = (f: FilterInstance, record: Record<string, unknown> = { log: 'x' }) =>
  (f.filter([{ time: 0, record: { ...record } }], 't') as LogEvent[])[0]!.record;

async function until<T>(get: () => T, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = get();
    if (ok(v)) return v;
    if (Date.now() - t0 > ms) throw new Error(`not reached within ${ms} ms; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const withMeta = (f: FilterInstance, record?: Record<string, unknown>) => until(() => one(f, record), (r) => 'az' in r);

describe('aws filter', () => {
  it('adds az and ec2_instance_id by default, after the record\'s own keys', async () => {
    const imds = await fake();
    const { f } = await filterFor(imds, []);
    const r = await withMeta(f, { log: 'x', level: 'info' });
    expect(r).toEqual({ log: 'x', level: 'info', az: 'us-east-1a', ec2_instance_id: 'i-0123456789abcdef0' });
    expect(Object.keys(r)).toEqual(['log', 'level', 'az', 'ec2_instance_id']);
    expect(imds.received.filter((q) => q.method === 'PUT').length).toBe(1); // IMDSv2 token, once
  });

  it('adds every field asked for, in Fluent Bit\'s order, then the tags, then the entity fields', async () => {
    const imds = await fake();
    const { f } = await filterFor(imds, [['ec2_instance_type', 'on'], ['private_ip', 'on'], ['vpc_id', 'on'], ['ami_id', 'on'], ['account_id', 'on'], ['hostname', 'on'], ['tags_enabled', 'on'], ['enable_entity', 'on']]);
    const r = await until(() => one(f), (x) => 'aws_entity_account_id' in x && 'team' in x);
    expect(Object.entries(r)).toEqual([
      ['log', 'x'], ['az', 'us-east-1a'], ['ec2_instance_id', 'i-0123456789abcdef0'], ['ec2_instance_type', 'm5.large'], ['private_ip', '10.0.1.23'],
      ['vpc_id', 'vpc-0a1b2c3d'], ['ami_id', 'ami-0abcdef1234567890'], ['account_id', '123456789012'], ['hostname', 'ip-10-0-1-23.ec2.internal'],
      ['Name', 'web-1'], ['team', 'core'], ['cost center', 'cc-42'],
      ['aws_entity_ec2_instance_id', 'i-0123456789abcdef0'], ['aws_entity_account_id', '123456789012'],
    ]);
  });

  it('az and ec2_instance_id can be turned off; a key the record already has is replaced', async () => {
    const imds = await fake();
    const { f } = await filterFor(imds, [['az', 'off'], ['ec2_instance_id', 'false'], ['hostname', 'on']]);
    const r = await until(() => one(f, { hostname: 'container-id', log: 'x' }), (x) => x.hostname !== 'container-id');
    expect(r).toEqual({ log: 'x', hostname: 'ip-10-0-1-23.ec2.internal' });
  });

  it('tags_include adds only the listed tags; tags_exclude all but the listed; both is a config error', async () => {
    const imds = await fake();
    const inc = await filterFor(imds, [['az', 'off'], ['ec2_instance_id', 'off'], ['tags_enabled', 'on'], ['tags_include', 'team,Name']]);
    expect(await until(() => one(inc.f), (x) => 'Name' in x)).toEqual({ log: 'x', Name: 'web-1', team: 'core' });
    const exc = await filterFor(imds, [['az', 'off'], ['ec2_instance_id', 'off'], ['tags_enabled', 'on'], ['tags_exclude', 'Name']]);
    expect(await until(() => one(exc.f), (x) => 'team' in x)).toEqual({ log: 'x', team: 'core', 'cost center': 'cc-42' });
    await expect(filterFor(imds, [['tags_enabled', 'on'], ['tags_include', 'a'], ['tags_exclude', 'b']])).rejects.toThrow(/tags_include and tags_exclude cannot be used together/);
  });

  it('an instance without tags in IMDS (404) gets the other fields and one warning', async () => {
    const meta = instanceMetadata();
    delete meta['meta-data/tags/instance'];
    const imds = await fake({ metadata: meta });
    const { f, ctx } = await filterFor(imds, [['tags_enabled', 'on']]);
    expect(await withMeta(f)).toEqual({ log: 'x', az: 'us-east-1a', ec2_instance_id: 'i-0123456789abcdef0' });
    await until(() => ctx.logs.filter((l) => /no instance tags \(404\)/.test(String(l.msg))).length, (n) => n === 1);
  });

  it('records never wait: while IMDS hangs they go on without metadata, counted; it is added once IMDS answers', async () => {
    const imds = await fake({ behaviour: 'hang' });
    const { f, ctx } = await filterFor(imds, []);
    const t0 = performance.now();
    expect(one(f)).toEqual({ log: 'x' });
    f.filter([{ time: 0, record: {} }, { time: 0, record: {} }], 't');
    expect(performance.now() - t0).toBeLessThan(250); // no wait on the hanging IMDS (1 s); room for a loaded CI machine
    expect(ctx.counters.get('records_without_metadata')).toBe(3);
    await until(() => ctx.logs.some((l) => /EC2 metadata not fetched yet .*Records go on without it; retrying/.test(String(l.msg))), Boolean);
    imds.setBehaviour('v2');
    await withMeta(f);
    const counted = ctx.counters.get('records_without_metadata')!;
    one(f);
    expect(ctx.counters.get('records_without_metadata')).toBe(counted);
    expect(ctx.logs.some((l) => l.msg === 'EC2 metadata fetched')).toBe(true);
  });

  it('a field IMDS lacks is retried alone; the others are added meanwhile', async () => {
    const meta = instanceMetadata();
    const type = meta['meta-data/instance-type']!;
    delete meta['meta-data/instance-type'];
    const imds = await fake({ metadata: meta });
    const { f } = await filterFor(imds, [['ec2_instance_type', 'on']]);
    expect(await withMeta(f)).toEqual({ log: 'x', az: 'us-east-1a', ec2_instance_id: 'i-0123456789abcdef0' });
    meta['meta-data/instance-type'] = type;
    expect(await until(() => one(f), (x) => 'ec2_instance_type' in x)).toEqual({ log: 'x', az: 'us-east-1a', ec2_instance_id: 'i-0123456789abcdef0', ec2_instance_type: 'm5.large' });
    expect(imds.received.filter((q) => q.path === '/latest/meta-data/instance-id').length).toBe(1);
  });

  it('refresh_interval fetches again in the background (a changed tag shows up)', async () => {
    const meta = instanceMetadata();
    const imds = await fake({ metadata: meta });
    const { f } = await filterFor(imds, [['tags_enabled', 'on'], ['tags_include', 'team'], ['refresh_interval', '100ms']]);
    expect((await until(() => one(f), (x) => 'team' in x)).team).toBe('core');
    meta['meta-data/tags/instance/team'] = 'platform';
    expect((await until(() => one(f), (x) => x.team === 'platform')).team).toBe('platform');
  });

  it('behind a hop limit of 1 it falls back to IMDSv1 (the one shared IMDS client), logging the fix once', async () => {
    const imds = await fake({ behaviour: 'hop-limit' });
    const { f, ctx } = await filterFor(imds, [['refresh_interval', '100ms']]);
    await withMeta(f);
    await new Promise((r) => setTimeout(r, 300)); // a few refreshes: the fallback is remembered
    expect(imds.received.filter((q) => q.method === 'PUT').length).toBe(1);
    expect(ctx.logs.filter((l) => /HttpPutResponseHopLimit is 1/.test(String(l.msg)))).toHaveLength(1);
    expect(ctx.logs.find((l) => l.msg === 'EC2 metadata fetched')!.via).toMatch(/IMDSv1: the IMDSv2 token PUT was dropped \(hop limit\)/);
  });

  it('with aws_imds_v1_fallback off, a dropped token PUT means no metadata, with the fix in the log', async () => {
    const imds = await fake({ behaviour: 'hop-limit' });
    const { f, ctx } = await filterFor(imds, [['aws_imds_v1_fallback', 'off']]);
    await until(() => ctx.logs.some((l) => /EC2 metadata not fetched yet/.test(String(l.msg))), Boolean);
    expect(one(f)).toEqual({ log: 'x' });
    expect(String(ctx.logs.find((l) => /EC2 metadata not fetched yet/.test(String(l.msg)))!.msg)).toMatch(/IMDSv1 fallback is off \(raise the instance's HttpPutResponseHopLimit to 2/);
  });

  it('imds_version v1 never asks for a token; against HttpTokens=required it says to use v2', async () => {
    const imds = await fake();
    const { f } = await filterFor(imds, [['imds_version', 'v1']]);
    await withMeta(f);
    expect(imds.received.filter((q) => q.method === 'PUT')).toEqual([]);
    expect(imds.received.every((q) => q.headers['x-aws-ec2-metadata-token'] === undefined)).toBe(true);
    const strict = await fake({ behaviour: 'v2-only' });
    const s = await filterFor(strict, [['imds_version', 'v1']]);
    await until(() => s.ctx.logs.some((l) => /set imds_version v2/.test(String(l.msg))), Boolean);
    const v2 = await filterFor(strict, [['imds_version', 'v2']]);
    await withMeta(v2.f);
  });

  it('aws_imds off and AWS_EC2_METADATA_DISABLED=true never contact IMDS; records are counted', async () => {
    const imds = await fake();
    const off = await filterFor(imds, [['aws_imds', 'off']]);
    const disabled = await filterFor(imds, [], { AWS_EC2_METADATA_DISABLED: 'true' });
    await until(() => off.ctx.logs.some((l) => /will not be fetched: aws_imds is off/.test(String(l.msg))), Boolean);
    await until(() => disabled.ctx.logs.some((l) => /will not be fetched: AWS_EC2_METADATA_DISABLED is set/.test(String(l.msg))), Boolean);
    expect(one(off.f)).toEqual({ log: 'x' });
    expect(one(disabled.f)).toEqual({ log: 'x' });
    expect(off.ctx.counters.get('records_without_metadata')).toBe(1);
    expect(imds.connections).toBe(0);
  });

  it('aws_imds auto skips IMDS on a host whose DMI says it is not EC2', async () => {
    const imds = await fake();
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tempDir } = await import('../../helpers/cli.js');
    const sys = tempDir();
    mkdirSync(join(sys, 'class/dmi/id'), { recursive: true });
    writeFileSync(join(sys, 'class/dmi/id/sys_vendor'), 'QEMU\n');
    const { ctx } = await filterFor(imds, [['aws_imds', 'auto'], ['aws_sysfs_root', sys]]);
    await until(() => ctx.logs.some((l) => /will not be fetched: not an EC2 host/.test(String(l.msg))), Boolean);
    expect(imds.connections).toBe(0);
  });

  it('goes to IMDS directly even with HTTP_PROXY / HTTPS_PROXY set (metadata traffic class)', async () => {
    let proxy: RecordingServer | undefined;
    proxy = await startRecordingServer((_q, res) => void res.writeHead(502).end());
    cleanup.push(() => proxy!.close());
    const imds = await fake();
    const { f } = await filterFor(imds, [], { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, http_proxy: proxy.url });
    await withMeta(f);
    expect(proxy.connections).toBe(0);
    expect(imds.received.length).toBeGreaterThan(0);
  });
});
