import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { errorLine } from '../../errors.js';
import { CredentialsError } from '../types.js';
import { NAME_CHARS, parseIni, type IniSection, type IniWarning } from './ini-parse.js';

/** One profile's keys (lower-case), and the files they came from. */
export interface Profile {
  name: string;
  values: Record<string, string>;
  /** Sub-properties (`s3 =` then indented `key = value` lines), by property. */
  subs: Record<string, Record<string, string>>;
  files: string[];
}

export interface SharedFiles {
  configFile: string;
  credentialsFile: string;
  /** Profiles by name (case-sensitive), config and credentials merged (credentials win). */
  profiles: Map<string, Profile>;
  /** `[services NAME]` sections of the config file: service id (lower-case) → its settings. */
  services: Map<string, Record<string, Record<string, string>>>;
  /** Files that existed and were read. */
  read: string[];
  /** What was skipped and why, FILE:LINE each; the rest of the files is used. */
  warnings: IniWarning[];
}

/** `FILE:LINE: message`. */
export function warningLine(w: IniWarning): string {
  return `${w.file}:${w.line}: ${w.message}`;
}

/** Config-file sections that are not profiles and need no warning. */
const OTHER_SECTIONS = /^(sso-session|services)[ \t]/;

function home(env: NodeJS.ProcessEnv): string {
  return env.HOME || env.USERPROFILE || homedir();
}

function expand(path: string, env: NodeJS.ProcessEnv): string {
  return path.startsWith('~/') || path === '~' ? join(home(env), path.slice(1)) : path;
}

export function configFilePath(env: NodeJS.ProcessEnv): string {
  return expand(env.AWS_CONFIG_FILE || join(home(env), '.aws', 'config'), env);
}

export function credentialsFilePath(env: NodeJS.ProcessEnv): string {
  return expand(env.AWS_SHARED_CREDENTIALS_FILE || join(home(env), '.aws', 'credentials'), env);
}

/** The profile name: `aws_profile` / `profile`, else AWS_PROFILE, else AWS_DEFAULT_PROFILE, else `default`. */
export function profileName(option: string | undefined, env: NodeJS.ProcessEnv): { name: string; explicit: boolean } {
  const name = option || env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE;
  return name ? { name, explicit: true } : { name: 'default', explicit: false };
}

function emptyFiles(configFile: string, credentialsFile: string): SharedFiles {
  return { configFile, credentialsFile, profiles: new Map(), services: new Map(), read: [], warnings: [] };
}

/** The profile a config-file header names; undefined (with a warning when it looks meant as one) if none. */
function configProfile(header: string, warn: (m: string) => void): string | undefined {
  if (header === 'default') return 'default';
  const m = /^profile[ \t]+(.*)$/.exec(header);
  if (m) return m[1]!.trim();
  if (!OTHER_SECTIONS.test(header)) {
    warn(`[${header}] is not a profile in the config file (profiles there are [profile NAME], and [default]): skipped`);
  }
  return undefined;
}

function merge(files: SharedFiles, name: string, s: IniSection, file: string): void {
  let p = files.profiles.get(name);
  if (!p) files.profiles.set(name, p = { name, values: {}, subs: {}, files: [] });
  for (const [k, v] of Object.entries(s.values)) {
    p.values[k] = v;
    if (s.subs[k]) p.subs[k] = { ...s.subs[k] };
    else delete p.subs[k];
  }
  if (!p.files.includes(file)) p.files.push(file);
}

/** Add one file's sections to `files`, as the SDKs do. */
export function addFile(files: SharedFiles, text: string, file: string, isConfig: boolean): void {
  const { sections, warnings } = parseIni(text, file);
  files.warnings.push(...warnings);
  // In the config file, [profile default] wins: any [default] there is then ignored.
  const profileDefault = isConfig ? sections.find((s) => /^profile[ \t]+default$/.test(s.header)) : undefined;
  for (const s of sections) {
    const warn = (message: string) => files.warnings.push({ file, line: s.line, message });
    if (isConfig && /^services[ \t]/.test(s.header)) {
      const id = s.header.slice('services'.length).trim();
      const svc = files.services.get(id) ?? {};
      for (const [k, sub] of Object.entries(s.subs)) svc[k] = { ...svc[k], ...sub };
      files.services.set(id, svc);
      continue;
    }
    const name = isConfig ? configProfile(s.header, warn) : s.header;
    if (name === undefined) continue;
    if (isConfig && name === 'default' && s.header === 'default' && profileDefault) {
      warn(`[default] is ignored: [profile default] (line ${profileDefault.line}) is in the same file and wins`);
      continue;
    }
    if (!NAME_CHARS.test(name)) {
      const hint = !isConfig && /^profile[ \t]/.test(name) ? ' (in the credentials file a profile is [NAME], without "profile")' : '';
      warn(`profile name ${JSON.stringify(name)} has characters other than A-Z a-z 0-9 _ - / . % @ : +${hint}: skipped`);
      continue;
    }
    merge(files, name, s, file);
  }
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new CredentialsError(`cannot read ${file}: ${errorLine(err)}`, { cause: err });
  }
}

/** Read both files, afresh on each call (a missing file is no error; an unreadable one is). */
export async function loadSharedFiles(env: NodeJS.ProcessEnv): Promise<SharedFiles> {
  const files = emptyFiles(configFilePath(env), credentialsFilePath(env));
  for (const [file, isConfig] of [[files.configFile, true], [files.credentialsFile, false]] as const) {
    const text = await readIfPresent(file);
    if (text === undefined) continue;
    files.read.push(file);
    addFile(files, text, file, isConfig);
  }
  return files;
}

/**
 * Both files read synchronously, at start-up (region and endpoint resolution). Absent or unreadable
 * files are left out: the credential step reports them.
 */
export function loadSharedFilesSync(env: NodeJS.ProcessEnv): SharedFiles {
  const files = emptyFiles(configFilePath(env), credentialsFilePath(env));
  for (const [file, isConfig] of [[files.configFile, true], [files.credentialsFile, false]] as const) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    files.read.push(file);
    addFile(files, text, file, isConfig);
  }
  return files;
}

/** The region of a profile, read synchronously at start-up (region resolution); undefined if none. */
export function profileRegionSync(env: NodeJS.ProcessEnv, profile: string): string | undefined {
  return loadSharedFilesSync(env).profiles.get(profile)?.values.region || undefined;
}
