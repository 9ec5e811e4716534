import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { classicToYaml } from '../config/classic-to-yaml.js';
import { formatOf } from '../config/config-format.js';

export interface ConvertIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * `wren convert -c fluent-bit.conf [-o fluent-bit.yaml]`: write the classic configuration as
 * Fluent Bit YAML (to stdout without -o). Exit 0 when written, 1 when the input cannot be read.
 */
export function runConvert(file: string, outFile: string | undefined, io: ConvertIo): number {
  if (formatOf(file) === 'yaml') {
    io.stderr.write(`wren: ${file} is already YAML (its name ends in .yaml or .yml); convert reads the classic format\n`);
    return 1;
  }
  if (outFile !== undefined && resolve(outFile) === resolve(file)) {
    io.stderr.write(`wren: -o ${outFile} would overwrite the input; name another file\n`);
    return 1;
  }
  if (outFile !== undefined && formatOf(outFile) !== 'yaml') {
    io.stderr.write(`wren: -o ${outFile} must end in .yaml or .yml, or Wren and Fluent Bit would read it as the classic format\n`);
    return 1;
  }
  const { yaml, errors } = classicToYaml(file, outFile);
  if (yaml === undefined) {
    for (const e of errors) io.stderr.write(e.toLine() + '\n');
    io.stderr.write(`${errors.length} error(s) in ${file}; nothing written\n`);
    return 1;
  }
  if (outFile === undefined) {
    io.stdout.write(yaml);
    return 0;
  }
  try {
    writeFileSync(outFile, yaml);
  } catch (err) {
    io.stderr.write(`wren: cannot write ${outFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); nothing written\n`);
    return 1;
  }
  io.stderr.write(`wrote ${outFile}; check it with: wren check -c ${outFile}\n`);
  return 0;
}
