import { BlockList, isIP } from 'node:net';

/**
 * NO_PROXY as curl and most tools read it, decided per request origin:
 * - `*` alone: nothing goes through the proxy;
 * - `example.com`, `.example.com`, `*.example.com`: that host and every host under it;
 * - `host:port` (or `[v6]:port`): only that port;
 * - an IP literal (`10.1.2.3`, `::1`) or a CIDR block (`10.0.0.0/8`, `fd00::/8`): hosts given as
 *   IP addresses inside it (names are not resolved).
 * Entries are comma- or space-separated and case-insensitive.
 */
export interface NoProxy {
  /** True when a request to hostname:port must go direct. `hostname` as in URL (IPv6 in brackets ok). */
  bypass(hostname: string, port: number): boolean;
}

interface NameRule { suffix: string; port?: number }

interface IpRule { list: BlockList; port?: number }

function ipFamily(addr: string): 'ipv4' | 'ipv6' | undefined {
  const v = isIP(addr);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Split `host:port`, `[v6]:port`, `v6` (no port), `cidr/len`. */
function splitEntry(entry: string): { host: string; port?: number } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracket) return { host: bracket[1]!, port: bracket[2] ? Number(bracket[2]) : undefined };
  const colons = entry.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = entry.split(':') as [string, string];
    if (/^\d+$/.test(port)) return { host, port: Number(port) };
  }
  return { host: entry };
}

export function parseNoProxy(text: string | undefined): NoProxy {
  const entries = (text ?? '').split(/[\s,]+/).map((e) => e.trim().toLowerCase()).filter((e) => e.length > 0);
  if (entries.includes('*')) return { bypass: () => true };
  const names: NameRule[] = [];
  const ips: IpRule[] = [];
  for (const entry of entries) {
    const { host, port } = splitEntry(entry);
    const slash = host.indexOf('/');
    const addr = slash >= 0 ? host.slice(0, slash) : host;
    const family = ipFamily(addr);
    if (family) {
      const list = new BlockList();
      if (slash >= 0) {
        const prefix = Number(host.slice(slash + 1));
        if (!Number.isInteger(prefix)) continue;
        list.addSubnet(addr, prefix, family);
      } else {
        list.addAddress(addr, family);
      }
      ips.push({ list, port });
      continue;
    }
    const suffix = host.replace(/^\*?\.+/, '');
    if (suffix.length > 0) names.push({ suffix, port });
  }
  if (names.length === 0 && ips.length === 0) return { bypass: () => false };
  return {
    bypass(hostname: string, port: number): boolean {
      const host = stripBrackets(hostname.toLowerCase()).replace(/\.$/, '');
      const family = ipFamily(host);
      if (family) {
        for (const r of ips) {
          if ((r.port === undefined || r.port === port) && r.list.check(host, family)) return true;
        }
      }
      for (const r of names) {
        if (r.port !== undefined && r.port !== port) continue;
        if (host === r.suffix || host.endsWith(`.${r.suffix}`)) return true;
      }
      return false;
    },
  };
}
