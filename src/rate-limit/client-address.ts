import { isIPv4, isIPv6 } from 'node:net';

/**
 * The part of a client address that a per-IP limit counts: IPv4 as is (also when it arrives as
 * `::ffff:a.b.c.d` on a dual-stack socket), IPv6 by its /64, which one subscriber usually holds whole.
 */
export function addressBucket(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return ip;
  return `${expandIPv6(ip).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(ip: string): string[] {
  const bare = ip.split('%')[0];
  const [head, tail] = bare.includes('::') ? bare.split('::') : [bare, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  // an embedded IPv4 tail counts for two groups
  const groups = (xs: string[]) => xs.flatMap((g) => (g.includes('.') ? ipv4Groups(g) : [g]));
  const hg = groups(h);
  const tg = groups(t);
  const fill = tail === undefined ? [] : Array(8 - hg.length - tg.length).fill('0');
  return [...hg, ...fill, ...tg].map((g) => parseInt(g, 16).toString(16));
}

function ipv4Groups(v4: string): string[] {
  const [a, b, c, d] = v4.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
