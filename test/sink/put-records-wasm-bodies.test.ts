import { expect, test } from 'vitest';
import { buildBody } from '../../src/sink/put-records/request.js';
import { FIREHOSE, KINESIS, MAX_PARTITION_KEY } from '../../src/sink/put-records/service.js';
import { Units } from '../../src/sink/put-records/units.js';
import { WasmBodies } from '../../src/sink/put-records/wasm-bodies.js';

const head = Buffer.from('{"DeliveryStreamName":"logs","Records":[');

/** Units as the Firehose encoder makes them: most in one chunk buffer one after another (newline tails), a cut one in a buffer of its own. */
function someUnits(keys?: (i: number) => string): Units {
  const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ log: `line ${i} ${'x'.repeat(i * 7 % 53)}`, n: i }));
  const chunk = Buffer.from(lines.join(''));
  const units = new Units(64);
  let at = 0;
  for (let i = 0; i < lines.length; i++) {
    const len = Buffer.byteLength(lines[i]!);
    if (i === 17) {
      const cut = Buffer.from('{"cut":"[Truncated...]"}');
      units.push(cut, 0, cut.length, keys?.(i) ?? '', i, i + 1);
    } else if (i !== 23) units.push(chunk, at, at + len, keys?.(i) ?? '', i, i + 1, 0x0a); // 23 skipped: a gap in the chunk
    at += len;
  }
  return units;
}

const records = (body: Buffer) => (JSON.parse(body.toString()) as { Records: { Data: string }[] }).Records.map((r) => Buffer.from(r.Data, 'base64').toString());

test('a slot body carries the same records as the JS-built body, in order, copying runs of adjacent records', () => {
  const units = someUnits();
  const bodies = WasmBodies.create(FIREHOSE)!;
  expect(bodies).toBeDefined();
  const idx = [...Array(units.count).keys()].filter((u) => u !== 5);
  const made = bodies.build(head, units, idx)!;
  const js = buildBody(FIREHOSE, head, units, idx);
  expect(records(made.body)).toEqual(records(js.body));
  expect(records(made.body)).toContain('{"cut":"[Truncated...]"}');
  expect(records(made.body)[0]).toMatch(/^\{"log":"line 0 ","n":0\}\n$/);
  expect(made.body.subarray(0, head.length).equals(head)).toBe(true);
  expect(JSON.parse(made.body.toString()).DeliveryStreamName).toBe('logs');
  bodies.release(made.slot);
});

test('slots: two calls at once get two bodies; a third is built by the caller (undefined) until one is released', () => {
  const units = someUnits();
  const bodies = WasmBodies.create(FIREHOSE, 2)!;
  const a = bodies.build(head, units, [0, 1, 2])!;
  const b = bodies.build(head, units, [3, 4])!;
  expect(a.slot).not.toBe(b.slot);
  expect(bodies.build(head, units, [5])).toBeUndefined();
  // the first body is untouched by the second
  expect(records(a.body)).toEqual(records(buildBody(FIREHOSE, head, units, [0, 1, 2]).body));
  bodies.release(a.slot);
  const c = bodies.build(head, units, [6])!;
  expect(c.slot).toBe(a.slot);
  expect(records(b.body)).toEqual(records(buildBody(FIREHOSE, head, units, [3, 4]).body));
});

test('a call larger than a slot, or with more records than the service takes, is left to the JS body', () => {
  const big = Buffer.alloc(700 * 1024, 0x61);
  const units = new Units(8);
  for (let i = 0; i < 5; i++) units.push(big, 0, big.length, '', i, i + 1, 0x0a);
  const bodies = WasmBodies.create({ ...FIREHOSE, maxCallBytes: 2 * 1024 * 1024 })!;
  expect(bodies.build(head, units, [0, 1, 2])).toBeUndefined(); // ~2.7 MiB of base64 in a 2 MiB slot
  const two = bodies.build(head, units, [0, 1])!;
  expect(records(two.body)).toEqual(['a'.repeat(big.length) + '\n', 'a'.repeat(big.length) + '\n']);
  bodies.release(two.slot);
  const small = WasmBodies.create({ ...FIREHOSE, maxRecords: 3 })!;
  expect(small.build(head, someUnits(), [0, 1, 2, 3])).toBeUndefined();
  expect(small.build(head, someUnits(), [0, 1, 2])).toBeDefined();
});

const keyed = (body: Buffer) => (JSON.parse(body.toString()) as { Records: { Data: string; PartitionKey: string }[] }).Records.map((r) => [Buffer.from(r.Data, 'base64').toString(), r.PartitionKey]);

test('Kinesis: each record closed by its partition key (quotes, backslashes, non-ASCII as JSON has them), as the JS body', () => {
  const units = someUnits((i) => (i % 3 === 0 ? `key-${i}` : i % 3 === 1 ? `"q\\${i}` : `ключ-é-${i}`));
  const head = Buffer.from('{"StreamName":"s","Records":[');
  const bodies = WasmBodies.create(KINESIS)!;
  const idx = [...Array(units.count).keys()];
  const made = bodies.build(head, units, idx, true)!;
  const js = buildBody(KINESIS, head, units, idx);
  expect(keyed(made.body)).toEqual(keyed(js.body));
  expect(keyed(made.body).map((r) => r[1])).toContain('"q\\1');
  expect(JSON.parse(made.body.toString()).StreamName).toBe('s');
  bodies.release(made.slot);
});

test('Kinesis: the longest keys the encoder makes (256 characters, escaped or not ASCII) fit a slot, 500 a call, as the JS body', () => {
  const units = new Units(500);
  const rec = Buffer.from('{"a":1}');
  for (let i = 0; i < 500; i++) units.push(rec, 0, rec.length, i % 2 === 0 ? '\u0001'.repeat(MAX_PARTITION_KEY) : 'é'.repeat(MAX_PARTITION_KEY), i, i + 1, 0x0a);
  const bodies = WasmBodies.create(KINESIS)!;
  const all = [...Array(500).keys()];
  const made = bodies.build(head, units, all, true)!;
  expect(made).toBeDefined();
  expect(keyed(made.body)).toEqual(keyed(buildBody(KINESIS, head, units, all).body));
});

test('Kinesis: keys longer than the encoder makes, past the keys area of a slot, leave the call to the JS body', () => {
  const units = new Units(500);
  const rec = Buffer.from('{"a":1}');
  for (let i = 0; i < 500; i++) units.push(rec, 0, rec.length, 'é'.repeat(2000), i, i + 1, 0x0a);
  const bodies = WasmBodies.create(KINESIS, 2)!;
  const all = [...Array(500).keys()];
  expect(bodies.build(head, units, all, true)).toBeUndefined();
  // nothing was taken: both slots still there
  const a = bodies.build(head, units, all.slice(0, 10), true)!;
  const b = bodies.build(head, units, all.slice(10, 20), true)!;
  expect(a.slot).not.toBe(b.slot);
  expect(keyed(a.body)[0]).toEqual(['{"a":1}\n', 'é'.repeat(2000)]);
});

test('Kinesis: a call at the service limit (5 MiB of records and keys, 6.7 MiB of body) is made in a slot, as the JS body', () => {
  const units = new Units(8);
  const big = Buffer.alloc(1_048_000, 0x62);
  for (let i = 0; i < 5; i++) units.push(big, 0, big.length - 1, `key-${i}-xx`, i, i + 1, 0x0a);
  const bodies = WasmBodies.create(KINESIS)!;
  const all = [0, 1, 2, 3, 4];
  const made = bodies.build(head, units, all, true)!;
  expect(made).toBeDefined();
  expect(made.body.length).toBeGreaterThan(KINESIS.maxCallBytes);
  expect(keyed(made.body)).toEqual(keyed(buildBody(KINESIS, head, units, all).body));
});
