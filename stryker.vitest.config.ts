// The vitest configuration Stryker runs (stryker.config.mjs): the portable
// tests (the codec's behaviour, fast, no processes) against src/, no coverage.
// A mutant that survives runs every test that covers it, to the end, so the
// suite's cost decides the run's: property tests run a tenth of their runs
// (FC_RUNS_SCALE, unless set) and Autobahn's section 9 (performance: 4 MiB
// messages) a 16th of its sizes (AUTOBAHN_SIZE_DIVISOR), the same rules at a
// fraction of the time.
import base from './vitest.config.ts';

export default {
  ...base,
  test: {
    ...base.test,
    include: ['test/portable/**/*.test.ts'],
    coverage: { enabled: false },
    env: { FC_RUNS_SCALE: process.env.FC_RUNS_SCALE ?? '0.1', AUTOBAHN_SIZE_DIVISOR: process.env.AUTOBAHN_SIZE_DIVISOR ?? '16' },
  },
};
