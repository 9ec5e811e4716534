import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { errorLine } from '../../errors.js';
import { CredentialsError } from '../types.js';

/** One profile's keys (lower-case), and the files they came from. */
export interface Profile {
  name: string;
  values: Record<string, string>;
  files: string[];
}

export interface SharedFiles {
  configFile: string;
  credentialsFile: string;
  /** Profiles by name, config and credentials merged (credentials win). */
  profiles: Map<string, Profile>;
  /** Files that existed and were read. */
  read: string[];
}

/** Parse AWS-style INI: `[section]`, `key = value`, `#`/`;` comments; nested sub-keys become `parent.key`. */
export function parseIni(text: string): Map<string, Record<string, string>> {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  let parent: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(raw) || raw.trim() === '') continue;
    const section = /^\s*\[([^\]]+)\]/.exec(raw);
    if (section) {
      const name = section[1]!.trim();
      current = sections.get(name) ?? {};
      sections.set(name, current);
      parent = undefined;
      continue;
    }
    if (!current) continue;
    const line = raw.split(/\s[#;]/)[0]!;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (/^\s/.test(raw) && parent) {
      current[`${parent}.${key}`] = value;
      continue;
    }
    parent = value === '' ? key : undefined;
    current[key] = value;
  }
  return sections;
}

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

function addSections(profiles: Map<string, Profile>, text: string, file: string, isConfig: boolean): void {
  for (const [section, values] of parseIni(text)) {
    let name: string | undefined;
    if (isConfig) {
      if (section === 'default') name = 'default';
      else if (/^profile\s+/.test(section)) name = section.replace(/^profile\s+/, '').trim();
    } else {
      name = section;
    }
    if (!name) continue; // sso-session, services, …
    const p = profiles.get(name) ?? { name, values: {}, files: [] };
    Object.assign(p.values, values);
    if (!p.files.includes(file)) p.files.push(file);
    profiles.set(name, p);
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
  const configFile = configFilePath(env);
  const credentialsFile = credentialsFilePath(env);
  const profiles = new Map<string, Profile>();
  const read: string[] = [];
  for (const [file, isConfig] of [[configFile, true], [credentialsFile, false]] as const) {
    const text = await readIfPresent(file);
    if (text === undefined) continue;
    read.push(file);
    addSections(profiles, text, file, isConfig);
  }
  return { configFile, credentialsFile, profiles, read };
}

/** The region of a profile, read synchronously at start-up (region resolution); undefined if none. */
export function profileRegionSync(env: NodeJS.ProcessEnv, profile: string): string | undefined {
  const profiles = new Map<string, Profile>();
  for (const [file, isConfig] of [[configFilePath(env), true], [credentialsFilePath(env), false]] as const) {
    try {
      addSections(profiles, readFileSync(file, 'utf8'), file, isConfig);
    } catch {
      // absent or unreadable: the credential step reports it
    }
  }
  return profiles.get(profile)?.values.region || undefined;
}
