import { join } from 'node:path';
import ts from 'typescript';
import { ROOT } from './cli.js';
import type { K8sObject } from './kustomize.js';

/**
 * Validates Kubernetes objects against the API's OpenAPI schemas as the kubernetes-models
 * package carries them, twice over:
 * - its validators (compiled from the OpenAPI schemas): types, required fields, enums, formats
 *   such as quantities ("200Mi") and int-or-string ports;
 * - its TypeScript interfaces (generated from the same schemas), through the TypeScript compiler's
 *   excess-property check: a field the API does not have (`readOnlyRootFileSystem`) is an error,
 *   as `kubectl apply` with strict field validation (the default since Kubernetes 1.27) makes it.
 */

/** `kubernetes-models/<group>/<version>/<Kind>` for an apiVersion and kind. */
function modelPath(o: K8sObject): string {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') as [string, string] : ['', o.apiVersion];
  return group === '' ? `kubernetes-models/${version}/${o.kind}` : `kubernetes-models/${group}/${version}/${o.kind}`;
}

type Model = new (data: unknown) => { validate(): void };

/** Schema errors of each object (by index), from the models' validators. */
export async function validateWithModels(objects: K8sObject[]): Promise<string[]> {
  const errors: string[] = [];
  for (const o of objects) {
    const where = `${o.kind}/${o.metadata.name}`;
    let mod: Record<string, unknown>;
    try {
      mod = await import(modelPath(o)) as Record<string, unknown>;
    } catch {
      errors.push(`${where}: no schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    const Cls = mod[o.kind] as Model;
    try {
      new Cls(o).validate();
    } catch (err) {
      errors.push(`${where}: ${(err as Error).message}`);
    }
  }
  return errors;
}

// The few global types the models' declarations use; a stand-in for the standard library keeps
// the check at about a second instead of loading lib.es*.d.ts.
const MINI_LIB = 'interface Array<T> { length: number; [n: number]: T } interface Boolean {} interface CallableFunction {} '
  + 'interface Function {} interface IArguments {} interface NewableFunction {} interface Number {} interface Object {} '
  + 'interface RegExp {} interface String {} interface Date {}';

/**
 * Unknown fields (and type mismatches) found by type-checking each object against its model's
 * interface; `labels[i]` names objects[i] in the messages. One compiler run for every object.
 */
export function strictFieldErrors(objects: K8sObject[], labels: string[] = []): string[] {
  const dir = join(ROOT, 'test', 'deploy');
  const file = join(dir, '__manifests__.ts');
  const lib = join(dir, '__mini_lib__.d.ts');
  const lines: string[] = [];
  objects.forEach((o, i) => {
    lines.push(`import type { I${o.kind} as T${i} } from '${modelPath(o)}';`);
    lines.push(`export const o${i}: T${i} = ${JSON.stringify(o)};`);
  });
  const sources = new Map([[file, lines.join('\n')], [lib, MINI_LIB]]);
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, noLib: true, types: [], skipLibCheck: true,
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) => {
    const text = sources.get(name);
    return text !== undefined ? ts.createSourceFile(name, text, language) : read(name, language, ...rest);
  };
  host.fileExists = ((exists) => (name: string) => sources.has(name) || exists(name))(host.fileExists.bind(host));
  const program = ts.createProgram([file, lib], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    const i = Math.floor(line / 2);
    const o = objects[i];
    const where = o ? `${labels[i] ?? ''}${o.kind}/${o.metadata.name}` : 'manifests';
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}
