import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ConfigError } from './load.ts';

/** A fresh temporary folder holding `files` (name -> text), to load a configuration from. */
export function configDir(files: Record<string, string> = {}): string {
  const d = mkdtempSync(join(tmpdir(), 'lookout-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

/** The problems of the `ConfigError` that `fn` throws, as `key: message` lines; fails if it throws none. */
export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems.map((p) => `${p.key}: ${p.message}`);
  }
  throw new Error('expected a ConfigError');
}
