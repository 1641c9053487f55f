import { defineConfig } from 'vitest/config';
import { reporters } from '../../vitest.reporters.ts';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts'],
    reporters: reporters('@lookout/server'),
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
