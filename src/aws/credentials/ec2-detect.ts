import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Is this host EC2? For `aws_imds: auto`. Reads DMI (`sys_vendor`, `product_name`, `bios_vendor`,
 * `bios_version`) under <root>/class/dmi/id and <root>/hypervisor/uuid (Xen instances: "ec2…").
 * - 'ec2': a marker was found;
 * - 'not-ec2': DMI was readable and shows no Amazon / EC2 marker (skip IMDS at once);
 * - 'unknown': nothing readable (no /sys, a locked-down container): try IMDS.
 */
export type Ec2Verdict = { verdict: 'ec2' | 'not-ec2' | 'unknown'; evidence: string };

const DMI_FILES = ['sys_vendor', 'product_name', 'bios_vendor', 'bios_version'] as const;

async function readTrim(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

export async function detectEc2(sysfsRoot: string): Promise<Ec2Verdict> {
  const dmi = await Promise.all(DMI_FILES.map((f) => readTrim(join(sysfsRoot, 'class', 'dmi', 'id', f))));
  const uuid = await readTrim(join(sysfsRoot, 'hypervisor', 'uuid'));
  if (uuid && /^ec2/i.test(uuid)) return { verdict: 'ec2', evidence: `${sysfsRoot}/hypervisor/uuid starts with ec2` };
  const seen: string[] = [];
  for (let i = 0; i < DMI_FILES.length; i++) {
    const v = dmi[i];
    if (v === undefined) continue;
    if (/amazon|ec2/i.test(v)) return { verdict: 'ec2', evidence: `DMI ${DMI_FILES[i]} is "${v}"` };
    seen.push(`${DMI_FILES[i]}="${v}"`);
  }
  if (seen.length === 0) return { verdict: 'unknown', evidence: `no DMI or hypervisor data under ${sysfsRoot}` };
  return { verdict: 'not-ec2', evidence: `DMI ${seen.join(', ')}` };
}
