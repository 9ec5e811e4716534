import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../../src/engine/types.js';
import { ExportParser, exportEntry } from '../../../plugins/in_systemd/export-parser.js';
import { EntryBuilder, type RecordOptions } from '../../../plugins/in_systemd/records.js';
import { BOOT, entryFields, exportStream, NODE_ENTRIES, T0_USEC } from './journal-fixtures.js';

interface Got { event: LogEvent; cursor: string; tag: string }

function read(stream: Buffer, opts: Partial<RecordOptions> = {}, pieces = [stream.length]): Got[] {
  const got: Got[] = [];
  const b = new EntryBuilder({ maxFields: 8000, stripUnderscores: false, lowercase: false, tag: 'journal', ...opts }, (event, cursor, tag) => got.push({ event, cursor, tag }));
  const p = new ExportParser(b);
  let at = 0;
  for (const n of pieces) {
    p.push(stream.subarray(at, at + n));
    at += n;
  }
  if (at < stream.length) p.push(stream.subarray(at));
  return got;
}

describe('journal export format → records (as Fluent Bit\'s systemd input makes them)', () => {
  it('every field but the __ ones, in journal order; time from __REALTIME_TIMESTAMP (µs kept); cursor kept aside', () => {
    const got = read(exportStream());
    expect(got).toHaveLength(NODE_ENTRIES.length);
    expect(got[0]!.event.record).toEqual({
      _BOOT_ID: BOOT, PRIORITY: '6', SYSLOG_FACILITY: '3', _HOSTNAME: 'ip-10-0-3-7.eu-west-1.compute.internal', _TRANSPORT: 'stdout',
      _SYSTEMD_UNIT: 'kubelet.service', SYSLOG_IDENTIFIER: 'kubelet', _PID: '2211', _COMM: 'kubelet', MESSAGE: NODE_ENTRIES[0]!.message,
    });
    expect(Object.keys(got[0]!.event.record)[0]).toBe('_BOOT_ID');
    expect(got[0]!.event.time).toBe(Number(T0_USEC) / 1000);
    expect(got[1]!.event.time - got[0]!.event.time).toBeCloseTo(1, 6);
    expect(got[0]!.cursor).toBe(entryFields(NODE_ENTRIES[0]!, 0)[0]![1]);
  });

  it('binary fields (a multi-line MESSAGE), and a field given twice becomes an array', () => {
    const last = read(exportStream()).at(-1)!.event.record;
    expect(last.MESSAGE).toBe('panic stack\nline two\n\tline three');
    expect(last.CONTAINER_TAG).toEqual(['a', 'b']);
  });

  it('takes the stream in any pieces (every split point of an entry with binary fields)', () => {
    const stream = exportStream(NODE_ENTRIES.slice(-2));
    const whole = read(stream);
    for (let cut = 1; cut < stream.length; cut++) expect(read(stream, {}, [cut])).toEqual(whole);
    expect(read(stream, {}, Array.from({ length: stream.length }, () => 1))).toEqual(whole);
  });

  it('strip_underscores drops one leading _, lowercase lowercases; max_fields caps the fields', () => {
    const r = read(exportStream(), { stripUnderscores: true, lowercase: true })[0]!.event.record;
    expect(Object.keys(r)).toEqual(['boot_id', 'priority', 'syslog_facility', 'hostname', 'transport', 'systemd_unit', 'syslog_identifier', 'pid', 'comm', 'message']);
    expect(Object.keys(read(exportStream(), { maxFields: 3 })[0]!.event.record)).toEqual(['_BOOT_ID', 'PRIORITY', 'SYSLOG_FACILITY']);
  });

  it('tag: * is replaced by the unit, or unknown', () => {
    expect(read(exportStream(), { tag: 'host.*.log' }).map((g) => g.tag)).toEqual([
      'host.kubelet.service.log', 'host.containerd.service.log', 'host.kubelet.service.log', 'host.sshd.service.log', 'host.unknown.log', 'host.kubelet.service.log']);
  });

  it('a binary field whose size is impossible is an error, not a hang', () => {
    const bad = Buffer.concat([Buffer.from('__CURSOR=x\nMESSAGE\n'), Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('ab\n\n')]);
    expect(() => read(bad)).toThrow(/MESSAGE does not end where its size says/);
  });

  it('exportEntry writes what the parser reads (the fixtures\' writer)', () => {
    const e = exportEntry([['MESSAGE', 'a=b'], ['DATA', Buffer.from([0, 1, 2])]]);
    expect(e.toString('latin1')).toBe('MESSAGE=a=b\nDATA\n\x03\x00\x00\x00\x00\x00\x00\x00\x00\x01\x02\n\n');
    const got = read(e);
    expect(got[0]!.event.record).toEqual({ MESSAGE: 'a=b', DATA: '\x00\x01\x02' });
  });
});
