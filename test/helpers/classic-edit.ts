import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../../src/config/load.js';

/**
 * Edits of a classic (`.conf`) configuration for tests that run a deployment-shaped config on
 * the test machine: point paths, endpoints and the Kubernetes API at loopback fakes, and nothing else.
 */

export interface ClassicEdit {
  /** `SERVICE`, or the `Name` of the sections to edit (`tail`, `cloudwatch_logs`). */
  section: string;
  /** Only the n-th section of that name (0-based); default every one. */
  nth?: number;
  key: string;
  /** The new value; `null` removes the key. A key the section lacks is added under its header. */
  value: string | null;
}

export function editClassic(text: string, edits: readonly ClassicEdit[]): string {
  const lines = text.split('\n');
  // sections: header line index → its name (SERVICE or the Name value)
  const sections: Array<{ start: number; end: number; name: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\[/.test(lines[i]!)) continue;
    let end = i + 1;
    while (end < lines.length && !/^[[@]/.test(lines[end]!)) end++;
    const header = /^\[([^\]]+)\]/.exec(lines[i]!)![1]!.trim();
    const nameLine = lines.slice(i + 1, end).find((l) => /^\s+name\s/i.test(l));
    sections.push({ start: i, end, name: /^service$/i.test(header) ? 'SERVICE' : (nameLine?.trim().split(/\s+/)[1] ?? '') });
  }
  const ops: Array<{ at: number; remove: boolean; text?: string; insertAfter?: boolean }> = [];
  for (const e of edits) {
    const matching = sections.filter((s) => s.name.toLowerCase() === e.section.toLowerCase());
    if (matching.length === 0) throw new Error(`no [${e.section}] section to edit`);
    for (const [n, s] of matching.entries()) {
      if (e.nth !== undefined && e.nth !== n) continue;
      const keyRe = new RegExp(`^(\\s+)${e.key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s+)`, 'i');
      let found = false;
      for (let i = s.start + 1; i < s.end; i++) {
        const m = keyRe.exec(lines[i]!);
        if (!m) continue;
        found = true;
        ops.push(e.value === null ? { at: i, remove: true } : { at: i, remove: false, text: `${m[1]}${e.key}${m[2]}${e.value}` });
      }
      if (!found && e.value !== null) ops.push({ at: s.start, remove: false, insertAfter: true, text: `    ${e.key} ${e.value}` });
    }
  }
  // apply from the bottom so indexes stay valid
  for (const op of ops.sort((a, b) => b.at - a.at)) {
    if (op.insertAfter) lines.splice(op.at + 1, 0, op.text!);
    else if (op.remove) lines.splice(op.at, 1);
    else lines[op.at] = op.text!;
  }
  return lines.join('\n');
}

export function editClassicFile(file: string, edits: readonly ClassicEdit[]): void {
  writeFileSync(file, editClassic(readFileSync(file, 'utf8'), edits));
}

/**
 * Errors that other, unfinished work will clear (a [SERVICE] key, a plugin still being written),
 * each with who clears it. A test asserts that a config has no other error.
 */
export interface Pending {
  re: RegExp;
  why: string;
}

/**
 * Take out of the files what `pending` errors point at, so the rest of the config can run: a key
 * line, or a whole section for a plugin Wren does not have yet. Returns what was taken out. Once
 * the work lands, nothing matches and the config runs as written.
 */
export function stripPending(mainFile: string, env: NodeJS.ProcessEnv, pending: readonly Pending[]): string[] {
  const removed: string[] = [];
  for (let round = 0; round < 5; round++) {
    const { errors } = loadConfig(mainFile, { env });
    const hits = errors.filter((e) => pending.some((p) => p.re.test(e.message)) && e.pos);
    if (hits.length === 0) return removed;
    const byFile = new Map<string, Array<{ line: number; section: boolean }>>();
    for (const e of hits) {
      const file = resolve(e.pos!.file);
      byFile.set(file, [...(byFile.get(file) ?? []), { line: e.pos!.line, section: /plugin '.*' is a Fluent Bit plugin/.test(e.message) }]);
      removed.push(`${e.pos!.file}:${e.pos!.line}: ${e.message}`);
    }
    for (const [file, marks] of byFile) {
      const lines = readFileSync(file, 'utf8').split('\n');
      for (const m of marks.sort((a, b) => b.line - a.line)) {
        const i = m.line - 1;
        let end = i + 1;
        if (m.section) while (end < lines.length && !/^[[@]/.test(lines[end]!)) end++;
        lines.splice(i, end - i);
      }
      writeFileSync(file, lines.join('\n'));
    }
  }
  return removed;
}
