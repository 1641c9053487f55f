import { defineConfig } from 'vitest/config';
import { reporters } from '../../vitest.reporters.ts';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    reporters: reporters('@lookout/ollama-sim'),
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
