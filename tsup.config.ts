import { defineConfig } from 'tsup';

// One entry per public subpath; see package.json "exports".
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    frame: 'src/frame/index.ts',
    connection: 'src/connection/index.ts',
    handshake: 'src/handshake/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  splitting: true,
  treeshake: true,
});
