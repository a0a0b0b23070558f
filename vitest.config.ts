import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser test needs Debian's chromium: .ci/run installs it and runs `npm run test:browser`.
    exclude: ['test/browser/**', 'test/package/**', '**/node_modules/**'],
    testTimeout: 20000,
  },
});
