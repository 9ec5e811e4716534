import { ImdsHttpError, type ImdsClient } from '../../src/aws/credentials/imds-client.js';
import { CredentialsError } from '../../src/aws/types.js';
import type { Field } from './config.js';

/** A piece of metadata fetched on its own (Fluent Bit's metadata groups): a field, or the tags. */
export type Group = Field | 'tags';

/** What one round of fetching found; groups absent from both maps were not tried (IMDS unreachable). */
export interface FetchResult {
  values: Map<Field, string>;
  /** Tag key → value, in IMDS's order; [] when the instance exposes no tags. */
  tags?: [string, string][];
  /** Why tags are empty because IMDS said 404 (instance-metadata-tags off, or no tags). */
  tagsMissing?: boolean;
  errors: Map<Group, unknown>;
}

const M = '/latest/meta-data/';

const PATHS: Record<Exclude<Field, 'vpc_id' | 'account_id'>, string> = {
  az: `${M}placement/availability-zone`,
  ec2_instance_id: `${M}instance-id`,
  ec2_instance_type: `${M}instance-type`,
  private_ip: `${M}local-ipv4`,
  ami_id: `${M}ami-id`,
  hostname: `${M}hostname`,
};

async function fetchField(imds: ImdsClient, f: Field): Promise<string> {
  if (f === 'vpc_id') {
    const mac = (await imds.get(`${M}mac`)).trim();
    return (await imds.get(`${M}network/interfaces/macs/${mac}/vpc-id`)).trim();
  }
  if (f === 'account_id') {
    const doc = JSON.parse(await imds.get('/latest/dynamic/instance-identity/document')) as { accountId?: unknown };
    if (typeof doc.accountId !== 'string') throw new Error('the instance identity document has no accountId');
    return doc.accountId;
  }
  return (await imds.get(PATHS[f])).trim();
}

/** A tag key in a URL path: spaces and the like escaped, `?` and `#` too. */
function pathPart(key: string): string {
  return encodeURI(key).replace(/\?/g, '%3F').replace(/#/g, '%23');
}

async function fetchTags(imds: ImdsClient): Promise<{ tags: [string, string][]; missing: boolean }> {
  let list: string;
  try {
    list = await imds.get(`${M}tags/instance`);
  } catch (err) {
    if (err instanceof ImdsHttpError && err.status === 404) return { tags: [], missing: true };
    throw err;
  }
  const tags: [string, string][] = [];
  for (const key of list.split('\n').map((k) => k.trim()).filter(Boolean)) {
    tags.push([key, await imds.get(`${M}tags/instance/${pathPart(key)}`)]);
  }
  return { tags, missing: false };
}

/**
 * Fetch the groups asked for, one after the other. A group IMDS answers with an error status
 * fails alone; a transport failure (timeout, refused) ends the round, leaving the rest untried.
 */
export async function fetchGroups(imds: ImdsClient, groups: readonly Group[]): Promise<FetchResult> {
  const out: FetchResult = { values: new Map(), errors: new Map() };
  for (const g of groups) {
    try {
      if (g === 'tags') {
        const t = await fetchTags(imds);
        out.tags = t.tags;
        out.tagsMissing = t.missing;
      } else {
        out.values.set(g, await fetchField(imds, g));
      }
    } catch (err) {
      out.errors.set(g, err);
      if (err instanceof CredentialsError && !(err instanceof ImdsHttpError)) break; // IMDS not answering
    }
  }
  return out;
}
