// Which network addresses a capture may reach: never private, loopback, link-local or otherwise
// non-public ones (unless an administrator allows them), checked on every address a name resolves to,
// and the connection then pinned to the address that was checked (no second lookup to rebind).
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ValidationError } from '../lib/errors.ts';

function ipv4Bytes(ip: string): number[] | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : null;
}

function ipv6Bytes(input: string): number[] | null {
  let ip = input.split('%')[0]!.toLowerCase(); // a zone id (fe80::1%eth0) says nothing about the range
  let tail: number[] = [];
  const lastColon = ip.lastIndexOf(':');
  if (ip.includes('.')) {
    const v4 = ipv4Bytes(ip.slice(lastColon + 1));
    if (!v4) return null;
    tail = v4;
    ip = `${ip.slice(0, lastColon + 1)}0:0`;
  }
  const halves = ip.split('::');
  if (halves.length > 2) return null;
  const groups = (text: string) => (text === '' ? [] : text.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return null;
  const all = [...head, ...Array<string>(Math.max(missing, 0)).fill('0'), ...rest];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
    const n = Number.parseInt(g, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

const inPrefix = (bytes: number[], prefix: number[], bits: number): boolean => {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if ((bytes[byte]! & mask) !== (prefix[byte]! & mask)) return false;
  }
  return true;
};

// [first bytes, prefix length, what it is]
const V4_BLOCKED: [number[], number, string][] = [
  [[0, 0, 0, 0], 8, '"this network"'],
  [[10, 0, 0, 0], 8, 'private'],
  [[100, 64, 0, 0], 10, 'carrier-grade NAT (shared)'],
  [[127, 0, 0, 0], 8, 'loopback'],
  [[169, 254, 0, 0], 16, 'link-local'],
  [[172, 16, 0, 0], 12, 'private'],
  [[192, 0, 0, 0], 24, 'IETF protocol assignments'],
  [[192, 0, 2, 0], 24, 'documentation'],
  [[192, 88, 99, 0], 24, '6to4 relay'],
  [[192, 168, 0, 0], 16, 'private'],
  [[198, 18, 0, 0], 15, 'benchmarking'],
  [[198, 51, 100, 0], 24, 'documentation'],
  [[203, 0, 113, 0], 24, 'documentation'],
  [[224, 0, 0, 0], 4, 'multicast'],
  [[240, 0, 0, 0], 4, 'reserved'],
];

const V6_BLOCKED: [number[], number, string][] = [
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 128, 'unspecified'],
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128, 'loopback'],
  [[0, 0x64, 0xff, 0x9b, 0, 1], 48, 'local-use NAT64'],
  [[1, 0, 0, 0, 0, 0, 0, 0], 64, 'discard-only'],
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'documentation'],
  [[0x20, 0x01, 0, 0], 23, 'IETF protocol assignments'],
  [[0xfc, 0], 7, 'unique local (private)'],
  [[0xfe, 0x80], 10, 'link-local'],
  [[0xfe, 0xc0], 10, 'site-local'],
  [[0xff, 0], 8, 'multicast'],
];

/** Why an address is not public (private, loopback, link-local…), or null for a public address. */
export function blockedReason(address: string): string | null {
  const ip = address.replace(/^\[|\]$/g, '');
  const family = isIP(ip.split('%')[0]!);
  if (family === 4) {
    const bytes = ipv4Bytes(ip)!;
    for (const [prefix, bits, what] of V4_BLOCKED) if (inPrefix(bytes, prefix, bits)) return what;
    if (bytes.every((b) => b === 255)) return 'broadcast';
    return null;
  }
  if (family !== 6) return 'not an IP address';
  const bytes = ipv6Bytes(ip);
  if (!bytes) return 'not an IP address';
  for (const [prefix, bits, what] of V6_BLOCKED) if (inPrefix(bytes, prefix, bits)) return what;
  // IPv6 forms that carry an IPv4 address: judge the IPv4 address they lead to.
  const embedded = (offset: number) => blockedReason(bytes.slice(offset, offset + 4).join('.'));
  if (inPrefix(bytes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96)) return embedded(12); // IPv4-mapped
  if (inPrefix(bytes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 96)) return embedded(12) ?? 'IPv4-compatible';
  if (inPrefix(bytes, [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96)) return embedded(12); // NAT64
  if (inPrefix(bytes, [0x20, 0x02], 16)) return embedded(2); // 6to4
  return null;
}

export interface ResolvedHost {
  host: string;
  addresses: { address: string; family: 4 | 6 }[];
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

export class AddressRefusedError extends ValidationError {
  constructor(message: string) {
    super([{ field: 'url', message }]);
  }
}

/**
 * Resolves a URL's host and checks every address it resolves to (IPv4 and IPv6). Refuses the whole
 * host when any of them is not public, unless `allowPrivate`. Throws a ValidationError naming why.
 */
export async function resolvePublic(
  url: URL,
  allowPrivate: boolean,
  resolver: Resolver = systemResolver,
  /** Non-public addresses allowed one by one (an administrator's exceptions). */
  allowAddress: (address: string) => boolean = () => false,
): Promise<ResolvedHost> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AddressRefusedError(`only http and https URLs can be captured (got ${url.protocol})`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await resolver(host);
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new AddressRefusedError(
        `cannot resolve ${host}${code ? ` (${code})` : ''}: the page cannot be fetched; nothing was stored`,
      );
    }
    if (addresses.length === 0) throw new AddressRefusedError(`${host} resolves to no address`);
  }
  if (!allowPrivate) {
    for (const { address } of addresses) {
      const why = blockedReason(address);
      if (why && !allowAddress(address)) {
        throw new AddressRefusedError(
          `${host} resolves to ${address}, a ${why} address: captures may only reach public addresses ` +
            '(an administrator can allow others with VIGIL_CAPTURE_ALLOW_PRIVATE=1)',
        );
      }
    }
  }
  return {
    host,
    addresses: addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })),
  };
}
