import type { OutputDefinition } from '../../src/engine/types.js';

/** Appends records to a file, one per line. */
export const fileOutput: OutputDefinition = {
  kind: 'output',
  name: 'file',
  description: 'Appends records to a file.',
  options: [
    { key: 'path', type: 'string', desc: 'Directory of the file (default: the working directory).' },
    { key: 'file', type: 'string', desc: "File name (default: the record's tag)." },
    {
      key: 'format',
      type: 'string',
      default: 'out_file',
      enum: ['out_file', 'plain', 'csv', 'ltsv', 'template'],
      desc: 'out_file: `tag: [time, {record}]`; plain: the record as JSON; csv / ltsv: time then values; template: the `template` text.',
    },
    { key: 'delimiter', type: 'string', desc: 'Field delimiter for csv (default ,) and ltsv (default tab).' },
    { key: 'label_delimiter', type: 'string', default: ':', desc: 'Label delimiter for ltsv.' },
    { key: 'template', type: 'string', default: '{time} {message}', desc: 'Line template for format template: {time} and {key} of top-level keys.' },
    { key: 'mkdir', type: 'bool', default: 'off', desc: 'Create the directory if it does not exist.' },
  ],
  async create(ctx) {
    const { FileOutput } = await import('./file-output.js');
    return new FileOutput(ctx);
  },
};
