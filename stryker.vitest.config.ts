// The vitest configuration Stryker runs (stryker.config.mjs): the portable
// tests (the codec's behaviour, fast, no processes) against src/, no coverage.
import base from './vitest.config.ts';

export default {
  ...base,
  test: { ...base.test, include: ['test/portable/**/*.test.ts'], coverage: { enabled: false } },
};
