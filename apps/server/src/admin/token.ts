import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AdminToken {
  readonly token: string;
  /** Where it came from: the config (env, flag, file) or the data dir's token file. */
  readonly source: 'config' | 'file' | 'generated';
  readonly file: string | undefined;
}

const TOKEN_FILE = 'admin-token';

/**
 * The admin token: the configured one, else the one saved in the data dir, else a new one saved there
 * with mode 0600 (the caller prints a generated token once).
 */
export function resolveAdminToken(configured: string | undefined, dataDir: string): AdminToken {
  if (configured !== undefined) return { token: configured, source: 'config', file: undefined };
  const file = join(dataDir, TOKEN_FILE);
  try {
    const saved = readFileSync(file, 'utf8').trim();
    if (saved.length >= 16) {
      // Tighten a token file someone loosened by hand.
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
      return { token: saved, source: 'file', file };
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { token, source: 'generated', file };
}

/** Compares a presented token with the real one in constant time (length leaks only). */
export function tokenMatches(presented: string | undefined, actual: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(actual);
  if (a.length !== b.length) {
    timingSafeEqual(b, b); // same work either way
    return false;
  }
  return timingSafeEqual(a, b);
}
