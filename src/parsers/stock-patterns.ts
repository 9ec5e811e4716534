import { nodeCrypto } from '../lazy-require.js';
import { BUILTIN_SPECS } from './builtin-specs.js';

/**
 * Fluent Bit's own stock patterns that backtrack catastrophically, by the SHA-256 of their text,
 * each with the stock parser whose linear pattern gives the same fields. A parsers file copied
 * from Fluent Bit (its parsers.conf defines `nginx`, `apache`, …) thus gets Wren's linear
 * patterns, not the ones that cost seconds of CPU on a long line that does not match.
 */
const SLOW: ReadonlyMap<string, string> = new Map([
  ['bb0aee465ecfd16fc276066fc261387fbadb59a16e611dff305d7dce3354b375', 'apache'],
  ['42a32f2780b298094a516ff55d964a8d30f76c3475dfa7edf9b229cef91a6f8b', 'apache2'],
  ['81b5e2b20b58eabddda3c5bfc2dec4bf9b8ebc091b57e358f15be109614a72cf', 'nginx'],
  ['d858db256bacaec6828f8e817587f3c7a1a0936209db27039c70ae5fa41cd895', 'k8s-nginx-ingress'],
  ['3a0f11bc8f521d7b7b5d03d45c808b5a4eb3c94e5bc1099371500999a34403ad', 'mongodb'],
  ['ef28344d0809b162d570072512fe126b7b4fabf46f4a4f9ccf3c2d1e58889005', 'envoy'],
  ['c281795faa27e436b1c1a73d7a4b485835e169b2e78b6d41fae49b260a49f4fd', 'istio-envoy-proxy'],
  ['7a0b4e8fd1eabc32c97532bc3b49068549c0d0103aca2712ac520e7ecd122e25', 'kube-custom'],
]);

/** The stock parser standing in for a Fluent Bit stock pattern, when `regex` is one. */
export function stockStandIn(regex: string | undefined): { name: string; regex?: string } | undefined {
  if (!regex || regex.length > 2000) return undefined;
  const name = SLOW.get(nodeCrypto().createHash('sha256').update(regex.trim()).digest('hex'));
  if (name === undefined) return undefined;
  return { name, regex: BUILTIN_SPECS.find((s) => s.name === name)?.regex };
}
