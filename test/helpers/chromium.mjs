// Headless Chromium for every browser test (runtime tests, interop, demo,
// README examples): the Debian `chromium` package (installed by
// scripts/install-system-deps.sh) driven by playwright-core, which downloads
// no browser of its own. Plain JavaScript so that both vitest files and the
// runtime runner (plain Node) can import it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

/** The browser binary: `CHROMIUM_PATH`, or Debian's. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless, no sandbox (tests run as root), no GPU, and none of Chromium's own
 * background traffic: this machine reaches no network but the package
 * registries, and each refused connection would only slow the tests.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches Chromium with a fresh profile; `close()` ends it and deletes the
 * profile. `options.args` adds flags (e.g. `--ignore-certificate-errors` for
 * a test server's self-signed certificate).
 * @param {{ args?: string[] }} [options]
 */
export async function launchChromium(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'wscodec-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...(options.args ?? [])],
    timeout: 60_000,
  });
  return {
    context,
    version: context.browser()?.version() ?? 'unknown',
    /** The first tab (a persistent context opens one), or a new one. */
    page: async () => context.pages()[0] ?? (await context.newPage()),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
