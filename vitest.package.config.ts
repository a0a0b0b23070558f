import { defineConfig } from 'vitest/config';

// `npm run test:package`: the packed tarball installed in a fresh project (needs the npm registry).
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    testTimeout: 120000,
    hookTimeout: 300000,
  },
});
