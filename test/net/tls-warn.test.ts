import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { warnUncheckedTls } from '../../src/net/tls-warn.js';
import { writeConfig } from '../helpers/cli.js';

describe('unchecked certificates are said at start', () => {
  it('once per output, naming it and its host; outputs that check say nothing', () => {
    const file = writeConfig(`pipeline:
  inputs:
    - name: dummy
  outputs:
    - name: http
      alias: lax
      match: '*'
      host: logs.internal.example
      port: 8443
      tls: on
      tls.verify: off
    - name: http
      alias: strict
      match: '*'
      host: other.example
      tls: on
    - name: cloudwatch_logs
      match: '*'
      region: us-east-1
      log_group_name: g
      log_stream_name: s
      tls.verify: off
      proxy: https://proxy.example:3128
      proxy.tls.verify: off
`);
    const { config, errors } = loadConfig(file, { env: {} });
    expect(errors).toEqual([]);
    let text = '';
    const log = createLogger('info', new Writable({ write(c, _e, cb) { text += String(c); cb(); } }));
    warnUncheckedTls(config!, log);
    const lines = text.trim().split('\n').map((l) => String((JSON.parse(l) as { msg: string }).msg));
    expect(lines).toEqual([
      "output 'lax': tls.verify is off: the certificate of logs.internal.example:8443 is not checked",
      "output 'cloudwatch_logs.2': tls.verify is off: the certificate of its default endpoint is not checked",
      "output 'cloudwatch_logs.2': proxy.tls.verify is off: the certificate of its https:// proxy is not checked",
    ]);
  });
});
