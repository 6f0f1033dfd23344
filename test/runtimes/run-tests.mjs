// Runs the portable tests that test/runtimes/vitest-shim.ts registered, one
// bundled test file at a time. Plain JavaScript with no imports, so the same
// file runs in Node and, served as is, in the browser.

const REGISTRY = '__wscodecRegisteredTests'; // the key vitest-shim.ts registers under

function takeRegisteredTests() {
  const tests = globalThis[REGISTRY] ?? [];
  globalThis[REGISTRY] = [];
  return tests;
}

function describeError(error) {
  if (error instanceof Error) return error.stack && error.stack.includes(error.message) ? error.stack : `${error.name}: ${error.message}\n${error.stack ?? ''}`;
  return String(error);
}

/**
 * Loads each file with `load(file)` (which registers its tests), runs the
 * registered tests in order and reports through `log`. A file that fails to
 * load counts as one failure. Resolves to `{ passed, failed }`.
 */
export async function runFiles(files, load, log) {
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    takeRegisteredTests();
    try {
      await load(file);
    } catch (error) {
      failed++;
      log(`✗ ${file}: failed to load\n${describeError(error)}`);
      continue;
    }
    const tests = takeRegisteredTests();
    let filePassed = 0;
    for (const { name, fn } of tests) {
      try {
        await fn();
        filePassed++;
      } catch (error) {
        failed++;
        log(`✗ ${file} > ${name}\n    ${describeError(error).split('\n').join('\n    ')}`);
      }
    }
    passed += filePassed;
    log(`${filePassed === tests.length ? '✓' : '✗'} ${file} (${filePassed}/${tests.length} passed)`);
  }
  return { passed, failed };
}
