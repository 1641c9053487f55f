import { defineConfig } from 'vitest/config';
import { reporters } from '../../vitest.reporters.ts';

// No React plugin here: vitest's own transform compiles TSX with the automatic JSX runtime
// (tsconfig `jsx: react-jsx`); the plugin is for the dev server's fast refresh and the build.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'happy-dom',
    reporters: reporters('@lookout/web'),
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
