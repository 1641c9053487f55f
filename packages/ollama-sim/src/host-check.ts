import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

/** Go's net.SplitHostPort fallback: the host part, or the whole header when it has no port. */
function hostPart(header: string): string {
  const bracketed = /^\[([^\]]*)\]:\d*$/.exec(header);
  if (bracketed) return bracketed[1] as string;
  const colon = header.lastIndexOf(':');
  if (colon >= 0 && header.indexOf(':') === colon) return header.slice(0, colon);
  return header;
}

function ipv4Allowed(ip: string): boolean {
  const [a = 0, b = 0] = ip.split('.').map(Number);
  return (
    a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || ip === '0.0.0.0'
  );
}

function ipv6Allowed(ip: string): boolean {
  const lower = ip.toLowerCase();
  if (lower === '::1' || lower === '::') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return ipv4Allowed(mapped[1] as string);
  return /^f[cd]/.test(lower);
}

function isLocalInterfaceAddress(ip: string): boolean {
  return Object.values(networkInterfaces()).some((addresses) =>
    (addresses ?? []).some((a) => a.address.toLowerCase() === ip.toLowerCase()),
  );
}

/**
 * Ollama's allowedHostsMiddleware for a loopback listener: loopback, private, unspecified or local IPs,
 * localhost, the machine's hostname, and *.localhost / *.local / *.internal names pass.
 */
export function hostAllowed(hostHeader: string | undefined): boolean {
  const host = hostPart(hostHeader ?? '');
  const family = isIP(host);
  if (family === 4 && (ipv4Allowed(host) || isLocalInterfaceAddress(host))) return true;
  if (family === 6 && (ipv6Allowed(host) || isLocalInterfaceAddress(host))) return true;
  const name = host.toLowerCase();
  if (name === '' || name === 'localhost') return true;
  if (name === hostname().toLowerCase()) return true;
  return ['localhost', 'local', 'internal'].some((tld) => name.endsWith(`.${tld}`));
}
