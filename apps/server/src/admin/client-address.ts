import { isIPv6 } from 'node:net';
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';

/**
 * Who a request comes from, for rate limits: the TCP peer's address. `X-Forwarded-For` is not trusted
 * (any client can write it); behind a reverse proxy every client shares the proxy's limit. An IPv6
 * client is keyed by its /64, the block one host usually holds, so it cannot hop addresses to reset.
 */
export function clientKey(c: Context): string {
  const bindings = c.env as Partial<HttpBindings> | undefined;
  const address = bindings?.incoming?.socket?.remoteAddress;
  return address === undefined ? 'unknown' : addressKey(address);
}

/** `::ffff:10.0.0.1` -> `10.0.0.1`; `2001:db8:1:2:3:4:5:6` -> `2001:db8:1:2::/64`; IPv4 unchanged. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // A trailing dotted IPv4 part fills two groups.
  const width = (parts: string[]) => parts.length + (parts.at(-1)?.includes('.') ? 1 : 0);
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - width(left) - width(right)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
