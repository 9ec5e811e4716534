import type { InputDefinition } from '../../src/engine/types.js';
import { SYSTEMD_OPTIONS } from './config.js';

/** `systemd`: the journal, as Fluent Bit's in_systemd reads it, through journalctl. */
export const systemdInput: InputDefinition = {
  kind: 'input',
  name: 'systemd',
  description: 'Read the systemd journal (through journalctl\'s export format): filters, cursor db, tag from the unit.',
  options: SYSTEMD_OPTIONS,
  async create(ctx) {
    const { readSystemdConfig } = await import('./config.js');
    const { SystemdInput } = await import('./systemd-input.js');
    return new SystemdInput(ctx, readSystemdConfig(ctx.options, ctx.baseDir));
  },
};

export default systemdInput;
