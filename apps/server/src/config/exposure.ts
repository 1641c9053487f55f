import { isIPv4, isIPv6 } from 'node:net';
import type { ConfigProblem } from './load.ts';
import type { LookoutConfig } from './schema.ts';

/** Whether binding `host` keeps the listeners on this machine: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIPv4(h)) return h.startsWith('127.');
  if (isIPv6(h)) {
    // The URL parser writes an IPv6 address in its one canonical form: ::1, or ::ffff:7fxx:xxxx for 127/8.
    const canonical = new URL(`http://[${h.split('%')[0]}]/`).hostname;
    return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
  }
  return false;
}

/**
 * A dashboard other machines can reach must be guarded by an admin token someone chose: a generated
 * one is printed to the start-up output and kept in the data dir, which is not a secret worth
 * exposing to a network. Returns the problem that stops the start, or undefined.
 */
export function exposureProblem(
  config: Pick<LookoutConfig, 'host' | 'adminToken'>,
  origins: Readonly<Record<string, string>> = {},
): ConfigProblem | undefined {
  if (config.adminToken !== undefined || isLoopbackHost(config.host)) return undefined;
  return {
    key: origins.host ?? 'LOOKOUT_HOST',
    message:
      `binds ${config.host}, which other machines can reach, but no admin token is set. ` +
      'Set LOOKOUT_ADMIN_TOKEN (or --admin-token, or adminToken in lookout.yaml) to a secret of at ' +
      'least 16 characters, or bind 127.0.0.1. A token generated into the data dir does not count: ' +
      'it is printed at start and sits beside the database.',
  };
}
