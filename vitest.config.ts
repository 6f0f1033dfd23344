import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import the package by its public name. By default that resolves to the
// built bundle (dist/), so what is tested is what ships; set WSCODEC_TEST_SRC=1
// to run against src/ while developing (no build step).
const fromSrc = process.env.WSCODEC_TEST_SRC === '1';
const target = (sub: string, file: string) =>
  fileURLToPath(new URL(fromSrc ? `./src/${sub}` : `./dist/${file}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^wscodec$/, replacement: target('index.ts', 'index.js') },
      { find: /^wscodec\/frame$/, replacement: target('frame/index.ts', 'frame.js') },
      { find: /^wscodec\/connection$/, replacement: target('connection/index.ts', 'connection.js') },
      { find: /^wscodec\/handshake$/, replacement: target('handshake/index.ts', 'handshake.js') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
