import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIni } from '../../src/aws/credentials/ini-parse.js';
import { loadSharedFiles, warningLine } from '../../src/aws/credentials/shared-files.js';
import { createAwsAuth } from '../../src/aws/auth.js';
import { captureLogger, KEYS, opts, tempDir, writeFile } from './helpers.js';

// ~/.aws/config and ~/.aws/credentials read as the AWS SDKs read them: one test per rule of the
// SDKs and Tools Reference Guide ("Shared config and credentials files") and the SDKs' shared
// parser test vectors, each written anew here. Where an SDK rejects a file, Wren warns with
// FILE:LINE and uses the rest.

/** Both files in a fresh HOME (either may be left out); what the loader made of them. */
async function load(config?: string, credentials?: string) {
  const home = tempDir('wren-ini-');
  const env = { HOME: home };
  if (config !== undefined) writeFile(join(home, '.aws', 'config'), config);
  if (credentials !== undefined) writeFile(join(home, '.aws', 'credentials'), credentials);
  const files = await loadSharedFiles(env);
  const profile = (name: string) => files.profiles.get(name)?.values;
  return { files, profile, warnings: files.warnings.map(warningLine), cfg: join(home, '.aws', 'config'), creds: join(home, '.aws', 'credentials') };
}

describe('malformed lines: a warning with FILE:LINE, and the rest of the file is used', () => {
  it('a property before any section header', async () => {
    const { profile, warnings, cfg } = await load('region = us-east-1\n[profile a]\nregion = eu-west-1\n');
    expect(warnings).toEqual([`${cfg}:1: a property before any section header: skipped`]);
    expect(profile('a')).toEqual({ region: 'eu-west-1' });
  });

  it('a line without =', async () => {
    const { profile, warnings, cfg } = await load('[profile a]\nregion us-east-1\noutput = json\n');
    expect(warnings).toEqual([`${cfg}:2: a line without '=' in [profile a]: skipped`]);
    expect(profile('a')).toEqual({ output: 'json' });
  });

  it('a property without a name', async () => {
    const { profile, warnings, cfg } = await load('[profile a]\n= value\nk = v\n');
    expect(warnings).toEqual([`${cfg}:2: a property without a name in [profile a]: skipped`]);
    expect(profile('a')).toEqual({ k: 'v' });
  });

  it('a section header without ]: the section and its properties are skipped, never given to the profile before it', async () => {
    const { files, profile, warnings, cfg } = await load('[profile a]\nregion = eu-west-1\n[profile b\nregion = us-east-1\nrole_arn = x\n[profile c]\nk = v\n');
    expect(warnings).toEqual([`${cfg}:3: a section header without its closing ']': this section and its properties are skipped`]);
    expect(profile('a')).toEqual({ region: 'eu-west-1' });
    expect(files.profiles.has('b')).toBe(false);
    expect(profile('c')).toEqual({ k: 'v' });
  });
});

describe('continuation lines', () => {
  it('an indented line extends the value before it, after a newline, trimmed, comments included', () => {
    const { sections, warnings } = parseIni('[profile a]\nk = one\n  two \n\t three # not a comment here\n', 'f');
    expect(warnings).toEqual([]);
    expect(sections[0]!.values).toEqual({ k: 'one\ntwo\nthree # not a comment here' });
  });

  it('an indented # or ; line is part of the value, as the SDKs read it, with a warning that it is no comment', () => {
    const { sections, warnings } = parseIni('[profile a]\nk = v\n  # rotated\n', 'f');
    expect(sections[0]!.values).toEqual({ k: 'v\n# rotated' });
    expect(warnings).toEqual([{ file: 'f', line: 3, message: "an indented line starting with '#' continues the value of k (a comment must start at the beginning of the line)" }]);
  });

  it('under an empty value, indented lines are sub-properties (blank lines between them are ignored)', () => {
    const { sections, warnings } = parseIni('[profile a]\ns3 =\n  max_concurrent_requests = 20\n\n  Addressing_Style = path\nregion = x\n', 'f');
    expect(warnings).toEqual([]);
    expect(sections[0]!.values).toEqual({ s3: '\nmax_concurrent_requests = 20\nAddressing_Style = path', region: 'x' });
    expect(sections[0]!.subs).toEqual({ s3: { max_concurrent_requests: '20', addressing_style: 'path' } });
  });

  it('a sub-property without = is skipped with a warning; the others are kept', () => {
    const { sections, warnings } = parseIni('[profile a]\ns3 =\n  broken\n  ok = 1\n', 'f');
    expect(warnings).toEqual([{ file: 'f', line: 3, message: "a sub-property of s3 without '=': skipped" }]);
    expect(sections[0]!.subs.s3).toEqual({ ok: '1' });
  });

  it('an indented line that continues no property is skipped with a warning (a new section resets it)', () => {
    const { warnings } = parseIni('  orphan\n[profile a]\nk = v\n[profile a]\n  -continued\n', 'f');
    expect(warnings).toEqual([
      { file: 'f', line: 1, message: 'an indented line before any section header: skipped' },
      { file: 'f', line: 5, message: 'an indented line continues no property in [profile a]: skipped' },
    ]);
  });
});

describe('[default] and [profile default] in the config file', () => {
  it('[profile default] wins and [default] is ignored with a warning, whichever comes first', async () => {
    for (const text of ['[profile default]\nregion = a\n[default]\noutput = b\n', '[default]\noutput = b\n[profile default]\nregion = a\n']) {
      const { profile, warnings, cfg } = await load(text);
      expect(profile('default')).toEqual({ region: 'a' });
      const line = text.startsWith('[default]') ? 1 : 3;
      expect(warnings).toEqual([`${cfg}:${line}: [default] is ignored: [profile default] (line ${4 - line}) is in the same file and wins`]);
    }
  });

  it('[default] alone is the default profile, and the credentials file [default] merges with either', async () => {
    expect((await load('[default]\nregion = a\n')).profile('default')).toEqual({ region: 'a' });
    const { profile, warnings } = await load('[profile default]\nregion = a\n[default]\noutput = b\n', '[default]\naws_access_key_id = k\n');
    expect(profile('default')).toEqual({ region: 'a', aws_access_key_id: 'k' });
    expect(warnings).toHaveLength(1);
  });
});

describe('comments', () => {
  it('# and ; start a comment at the start of a line, and after a section header', () => {
    const { sections, warnings } = parseIni('# one\n; two\n[profile a] # three\n[profile b]; four\nk = v\n', 'f');
    expect(warnings).toEqual([]);
    expect(sections.map((s) => s.header)).toEqual(['profile a', 'profile b']);
  });

  it('inside a value only when whitespace precedes them', () => {
    const { sections } = parseIni('[profile a]\na = v # c\nb = v ; c\nc = v;c\nd = v#c\ne = v\t#c\nf = http://h/#x\n', 'f');
    expect(sections[0]!.values).toEqual({ a: 'v', b: 'v', c: 'v;c', d: 'v#c', e: 'v', f: 'http://h/#x' });
  });
});

describe('names', () => {
  it('profile names are case-sensitive; property names are not', async () => {
    const { profile } = await load('[profile Dev]\nRegion = a\n[profile dev]\nregion = b\nREGION = c\n');
    expect(profile('Dev')).toEqual({ region: 'a' });
    expect(profile('dev')).toEqual({ region: 'c' });
  });

  it('[profile x] in the credentials file is a profile named "profile x": not a valid name, skipped with a warning', async () => {
    const { files, warnings, creds } = await load(undefined, '[profile x]\naws_access_key_id = k\n[y]\naws_access_key_id = k\n');
    expect(files.profiles.has('x')).toBe(false);
    expect([...files.profiles.keys()]).toEqual(['y']);
    expect(warnings).toEqual([`${creds}:1: profile name "profile x" has characters other than A-Z a-z 0-9 _ - / . % @ : + (in the credentials file a profile is [NAME], without "profile"): skipped`]);
  });

  it('names with characters outside A-Za-z0-9_-/.%@:+ are skipped with a warning, with their properties', async () => {
    const { files, warnings, cfg } = await load('[profile some-thing:long/the_one%only.foo@bar+]\n[profile foo!bar]\nk = v\n[profile in valid]\nk = v\n');
    expect([...files.profiles.keys()]).toEqual(['some-thing:long/the_one%only.foo@bar+']);
    expect(warnings).toEqual([
      `${cfg}:2: profile name "foo!bar" has characters other than A-Z a-z 0-9 _ - / . % @ : +: skipped`,
      `${cfg}:4: profile name "in valid" has characters other than A-Z a-z 0-9 _ - / . % @ : +: skipped`,
    ]);
  });

  it('a property name with other characters is skipped with a warning', async () => {
    const { profile, warnings, cfg } = await load('[profile a]\nin valid = v\nok = 1\n');
    expect(profile('a')).toEqual({ ok: '1' });
    expect(warnings).toEqual([`${cfg}:2: property name "in valid" has characters other than A-Z a-z 0-9 _ - / . % @ : +: skipped`]);
  });

  it('in the config file a profile is [profile NAME] (spaces or tabs, trimmed); [NAME] and [profileNAME] are not', async () => {
    const { files, warnings, cfg } = await load('[   profile a   ]\n[profile\tb]\n[c]\nk = v\n[profilefoo]\n[sso-session s]\n[services x]\n');
    expect([...files.profiles.keys()]).toEqual(['a', 'b']);
    expect(warnings).toEqual([
      `${cfg}:3: [c] is not a profile in the config file (profiles there are [profile NAME], and [default]): skipped`,
      `${cfg}:5: [profilefoo] is not a profile in the config file (profiles there are [profile NAME], and [default]): skipped`,
    ]);
  });
});

describe('values and merging', () => {
  it('keys and values are trimmed, the first = splits, CRLF line ends work, empty values are kept', () => {
    const { sections } = parseIni('[profile a]\r\nname \t=  \tval=ue \t\r\nempty =\r\n', 'f');
    expect(sections[0]!.values).toEqual({ name: 'val=ue', empty: '' });
  });

  it('a profile twice in a file merges, the last value wins; the credentials file wins over the config file', async () => {
    const { profile } = await load('[profile a]\nk = 1\nj = 1\n[profile a]\nk = 2\n', '[a]\nj = 3\n');
    expect(profile('a')).toEqual({ k: '2', j: '3' });
  });
});

describe('warnings while running', () => {
  it('the output logs each warning once (a warn line with FILE:LINE), however often credentials are read again', async () => {
    const home = tempDir('wren-ini-');
    const cfg = writeFile(join(home, '.aws', 'config'), `[default]\nregion = eu-west-1\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\noops\n`);
    const cap = captureLogger();
    const auth = createAwsAuth(opts({ aws_imds: 'off' }), { service: 'logs', style: 'aws', env: { HOME: home }, log: cap.log, isolated: true });
    expect((await auth.credentials()).accessKeyId).toBe(KEYS.accessKeyId);
    await auth.refresh();
    const warns = cap.lines().filter((l) => l.level === 'warn').map((l) => l.msg);
    expect(warns).toEqual([`profile credentials: ${cfg}:5: a line without '=' in [default]: skipped`]);
  });
});
