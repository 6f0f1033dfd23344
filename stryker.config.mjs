// Mutation testing (`npm run mutation`; long, not part of `npm test`):
// Stryker mutates src/ and runs the portable tests against the mutated
// sources (WSCODEC_TEST_SRC=1, see vitest.config.ts) through the vitest
// runner. One file or folder: `npm run mutation -- --mutate src/connection/utf8.ts`.
// The HTML report is written to .tmp/mutation/index.html.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'stryker.vitest.config.ts' },
  mutate: ['src/**/*.ts', '!src/**/index.ts'],
  coverageAnalysis: 'perTest',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: '.tmp/mutation/index.html' },
  jsonReporter: { fileName: '.tmp/mutation/report.json' },
  tempDirName: '.tmp/stryker',
  cleanTempDir: 'always',
  ignorePatterns: ['dist', '.tmp', 'bench', 'examples', 'test/interop'],
  timeoutMS: 20_000,
};
