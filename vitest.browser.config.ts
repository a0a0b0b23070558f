import { defineConfig } from 'vitest/config';

// `npm run test:browser`: the report opened in a real headless Chromium (Debian's package).
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 60000,
  },
});
