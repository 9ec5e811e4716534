import { isAbsolute, relative } from 'node:path';

/** A file's name as errors show it: relative to the working directory when below it, else absolute. */
export function displayName(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
