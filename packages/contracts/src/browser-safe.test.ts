import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('.', import.meta.url));

describe('browser safety', () => {
  it('imports nothing but zod and its own files outside tests', () => {
    const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(sources).toContain('index.ts');
    for (const file of sources) {
      const text = readFileSync(`${dir}/${file}`, 'utf8');
      const specifiers = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      for (const specifier of specifiers)
        expect([file, specifier]).toSatisfy(([, s]) => s === 'zod' || /^\.\/[\w-]+\.ts$/.test(String(s)));
      expect(text).not.toMatch(/\bprocess\.|\bBuffer\b|require\(/);
    }
  });
});
