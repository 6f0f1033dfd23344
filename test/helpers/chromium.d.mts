import type { BrowserContext, Page } from 'playwright-core';

/** The browser binary: `CHROMIUM_PATH`, or Debian's. */
export declare const CHROMIUM_PATH: string;
/** Flags for headless Chromium on this machine. */
export declare const CHROMIUM_FLAGS: readonly string[];
/** A launched browser with a fresh profile. */
export interface Chromium {
  context: BrowserContext;
  version: string;
  page(): Promise<Page>;
  close(): Promise<void>;
}
/** Launches Chromium with a fresh profile (and extra flags, if given); `close()` ends it and deletes the profile. */
export declare function launchChromium(options?: { args?: string[] }): Promise<Chromium>;
