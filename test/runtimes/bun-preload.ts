// Bun adapter (`bun test --preload`): Bun runs the portable tests natively,
// mapping `vitest` imports to `bun:test`; this only states the runtime and
// where `wscodec` resolves (the package's own "exports", i.e. dist/index.js).
declare const Bun: { version: string };
console.log(`bun ${Bun.version} (${process.execPath}), ESM: wscodec resolves to ${import.meta.resolve('wscodec')}`);
