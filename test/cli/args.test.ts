import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/cli-args.js';

const entries = (s: { entries: Array<{ key: string; value: unknown }> }) => s.entries.map((e) => [e.key, e.value]);

describe("Fluent Bit's command line", () => {
  it('builds a pipeline from -i / -F / -o with -p, -m and -t applying to the plugin before them', () => {
    const a = parseArgs(['-i', 'dummy', '-p', 'samples=3', '-t', 'app', '-F', 'grep', '-m', 'app*', '-p', 'regex=message x', '-o', 'stdout', '-p', 'format = json_lines']);
    expect(a.command).toBe('run');
    expect(a.flags.sections.map((s) => [s.kind, s.name])).toEqual([['input', 'dummy'], ['filter', 'grep'], ['output', 'stdout']]);
    expect(entries(a.flags.sections[0]!)).toEqual([['samples', '3'], ['tag', 'app']]);
    expect(entries(a.flags.sections[1]!)).toEqual([['match', 'app*'], ['regex', 'message x']]);
    expect(entries(a.flags.sections[2]!)).toEqual([['format', 'json_lines']]);
    // every setting knows the flag it came from, for error messages
    expect(a.flags.sections[0]!.entries[0]!.pos.arg).toBe('-p samples=3');
    expect(a.flags.sections[2]!.pos.arg).toBe('-o stdout');
  });

  it('takes --key=value, --key value, -kVALUE and clusters like -vv', () => {
    const a = parseArgs(['--workdir=/fluent-bit/etc', '--config=/fluent-bit/etc/conf/fluent-bit.conf']);
    expect(a.workdir).toBe('/fluent-bit/etc');
    expect(a.config).toBe('/fluent-bit/etc/conf/fluent-bit.conf');
    expect(parseArgs(['--config', 'x.yaml']).config).toBe('x.yaml');
    expect(parseArgs(['-cx.yaml']).config).toBe('x.yaml');
    const v = parseArgs(['-c', 'x.yaml', '-vv']);
    expect(v.flags.service.map((e) => [e.key, e.value])).toEqual([['log_level', 'trace']]);
    expect(parseArgs(['-c', 'x.yaml', '-v']).flags.service.map((e) => e.value)).toEqual(['debug']);
    expect(parseArgs(['-c', 'x.yaml', '-q', '-v']).flags.service.map((e) => e.value)).toEqual(['off']);
  });

  it('maps service flags to service keys, files resolved from the working directory (after -w)', () => {
    const a = parseArgs(['-w', '/etc/fb', '-c', 'conf/fb.yaml', '-R', 'parsers.conf', '-R', 'more.yaml', '-f', '5', '-H', '-P', '2021', '-L', '127.0.0.1', '-l', 'wren.log', '-s', '24576', '-Y']);
    expect(a.parsers).toEqual(['parsers.conf', 'more.yaml']);
    expect(a.flags.service.map((e) => [e.key, e.value])).toEqual([
      ['flush', '5'], ['http_server', 'on'], ['http_port', '2021'],
      ['http_listen', '127.0.0.1'], ['log_file', '/etc/fb/wren.log'], ['coro_stack_size', '24576'], ['hot_reload', 'on'],
    ]);
    expect(parseArgs(['--http', '--port=2020', '-i', 'dummy', '-o', 'null']).flags.service.map((e) => e.key)).toEqual(['http_server', 'http_port']);
  });

  it('-D / --dry-run is wren check; -V, -h; -i NAME -h asks for that plugin', () => {
    expect(parseArgs(['-D', '-c', 'x.yaml']).command).toBe('check');
    expect(parseArgs(['--dry-run', '-i', 'dummy', '-o', 'stdout']).command).toBe('check');
    expect(parseArgs(['-V']).command).toBe('version');
    expect(parseArgs(['--help']).command).toBe('help');
    const h = parseArgs(['-i', 'tail', '-h']);
    expect(h.command).toBe('help');
    expect(h.helpFor).toEqual({ kind: 'input', name: 'tail' });
  });

  it("keeps Wren's subcommands; credentials' -o / --output names the output to use", () => {
    expect(parseArgs(['check', '-c', 'x.yaml']).command).toBe('check');
    const c = parseArgs(['credentials', '-c', 'x.yaml', '--output', 'es.0', '--json']);
    expect(c.output).toBe('es.0');
    expect(c.json).toBe(true);
    expect(c.flags.sections).toEqual([]);
    expect(parseArgs(['credentials', '-c', 'x.yaml', '-o', 'cw']).output).toBe('cw');
    const conv = parseArgs(['convert', '-c', 'fluent-bit.conf', '-o', 'fluent-bit.yaml']);
    expect([conv.command, conv.config, conv.output]).toEqual(['convert', 'fluent-bit.conf', 'fluent-bit.yaml']);
  });

  it('says what is wrong, in one line', () => {
    const msg = (argv: string[]) => {
      try {
        parseArgs(argv);
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        return (err as Error).message;
      }
      return 'no error';
    };
    expect(msg(['-p', 'a=b'])).toMatch(/-p a=b: .*put it after -i, -F or -o/);
    expect(msg(['-i', 'dummy', '-p', 'novalue'])).toMatch(/-p expects key=value/);
    expect(msg(['--frobnicate'])).toMatch(/unknown option '--frobnicate'/);
    expect(msg(['-c'])).toMatch(/-c needs a value/);
    expect(msg(['-i', 'dummy', '-e', 'out_x.so', '-o', 'null'])).toMatch(/-e out_x.so: loading a shared-library plugin is not supported/);
    expect(msg(['check'])).toMatch(/needs -c FILE or a pipeline from flags/);
    expect(msg(['frobnicate'])).toMatch(/unknown command 'frobnicate'/);
    expect(msg(['-c', 'x.yaml', 'extra'])).toMatch(/unexpected argument 'extra'/);
  });

  it('ignores -m and -t where Fluent Bit ignores them, and says so', () => {
    const a = parseArgs(['-i', 'dummy', '-m', '*', '-o', 'stdout']);
    expect(a.warnings).toEqual(["-m * is ignored: -m sets the match of the -F or -o before it (as in Fluent Bit)"]);
    expect(a.flags.sections[0]!.entries).toEqual([]);
  });
});
