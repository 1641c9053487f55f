import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveAdminToken, tokenMatches } from './token.ts';

describe('resolveAdminToken', () => {
  it('generates a token once, saves it 0600, and reads it back on the next start', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lookout-token-')), 'data');
    const first = resolveAdminToken(undefined, dir);
    expect(first.source).toBe('generated');
    expect(first.token.length).toBeGreaterThanOrEqual(32);
    expect(statSync(first.file!).mode & 0o777).toBe(0o600);
    const second = resolveAdminToken(undefined, dir);
    expect(second).toEqual({ token: first.token, source: 'file', file: first.file });
  });

  it('prefers the configured token and tightens a loosened file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lookout-token-'));
    expect(resolveAdminToken('a-configured-token-123', dir)).toMatchObject({ source: 'config' });
    writeFileSync(join(dir, 'admin-token'), 'saved-token-0123456789\n', { mode: 0o644 });
    const t = resolveAdminToken(undefined, dir);
    expect(t.token).toBe('saved-token-0123456789');
    expect(statSync(join(dir, 'admin-token')).mode & 0o777).toBe(0o600);
  });
});

describe('tokenMatches', () => {
  it('accepts only the exact token', () => {
    expect(tokenMatches('secret-token', 'secret-token')).toBe(true);
    expect(tokenMatches('secret-tokem', 'secret-token')).toBe(false);
    expect(tokenMatches('secret', 'secret-token')).toBe(false);
    expect(tokenMatches(undefined, 'secret-token')).toBe(false);
  });
});
