// The hand-made mutants of the test-strength review (issue 12), re-made one
// at a time in a copy of the project, each checked against the portable
// suite: every one must be killed (a test fails). Stryker (`npm run
// mutation`) has no mutator for numeric bounds such as 0xA0 → 0x9F, nor for
// most of these single-line slips, so they are kept here as a list.
//
//   node scripts/hand-mutants.mjs [--only <regular expression matched against the names>] [--check]
//
// Long (about half a minute per mutant on 2 cores): not part of `npm test`.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** [name, file, the exact text to find (once), its replacement] */
const MUTANTS = [
  ['fragment count not reset between messages', 'src/connection/receiver.ts', '    this.messageSize = 0;\n    this.fragments = 0;\n', '    this.messageSize = 0;\n'],
  ['message size not reset between messages', 'src/connection/receiver.ts', '    this.messageOpcode = 0;\n    this.messageSize = 0;\n', '    this.messageOpcode = 0;\n'],
  ['65,535 B payload with a 64-bit length (not minimal, §5.2)', 'src/frame/encode.ts', 'payloadLength <= 0xffff ? 2 : 8', 'payloadLength < 0xffff ? 2 : 8'],
  ['65,535 B payload header written with a 64-bit length', 'src/frame/encode.ts', '} else if (length <= 0xffff) {', '} else if (length < 0xffff) {'],
  ['short sendText ignores fragmentSize', 'src/connection/connection.ts', 'shortTextFrame(opcode, text, fin, this.mask, this.fragmentSize)', 'shortTextFrame(opcode, text, fin, this.mask, Infinity)'],
  ['long sendText ignores fragmentSize', 'src/connection/connection.ts', 'pushTextFrame(this.writableOutput(), opcode, text, fin, this.mask, this.fragmentSize)', 'pushTextFrame(this.writableOutput(), opcode, text, fin, this.mask, Infinity)'],
  ['one byte dropped from long non-ASCII text', 'src/connection/framing.ts', '  const length = written + rest.length;\n', '  const length = written + rest.length - 1;\n'],
  ['extensions decode in send order, not reversed', 'src/connection/receiver.ts', 'this.decoders = [...options.extensions].reverse();', 'this.decoders = [...options.extensions];'],
  ['no size check after the extensions decode', 'src/connection/receiver.ts', '    if (payload.length > this.maxMessageSize - this.messageSize) return this.tooBig(payload.length);\n    this.messageSize += payload.length;\n    this.dataPiece(payload, true, true);', '    this.messageSize += payload.length;\n    this.dataPiece(payload, true, true);'],
  ['RSV bits accepted on a control frame', 'src/connection/receiver.ts', '      if (header.rsv1 || header.rsv2 || header.rsv3) {\n        return this.fail(1002, \'reserved bits set on a control frame\');', '      if (false) {\n        return this.fail(1002, \'reserved bits set on a control frame\');'],
  ['close reason of a failure not cut to 123 bytes', 'src/connection/connection.ts', ".replace(/[^\\x20-\\x7e]/g, '?').slice(0, MAX_REASON_BYTES)", ".replace(/[^\\x20-\\x7e]/g, '?')"],
  ['close codes 1012–1014 refused', 'src/constants.ts', '(code >= 1007 && code <= 1014)', '(code >= 1007 && code <= 1011)'],
  ['UTF-8: E0 followed by 0x9F accepted (overlong)', 'src/connection/utf8.ts', 'if (byte === 0xe0) lower = 0xa0;', 'if (byte === 0xe0) lower = 0x9f;'],
  ['UTF-8: ED followed by 0xA0 accepted (surrogate)', 'src/connection/utf8.ts', 'if (byte === 0xed) upper = 0x9f;', 'if (byte === 0xed) upper = 0xa0;'],
  ['UTF-8: F0 followed by 0x8F accepted (overlong)', 'src/connection/utf8.ts', 'if (byte === 0xf0) lower = 0x90;', 'if (byte === 0xf0) lower = 0x8f;'],
  ['UTF-8: F4 followed by 0x90 accepted (above U+10FFFF)', 'src/connection/utf8.ts', 'if (byte === 0xf4) upper = 0x8f;', 'if (byte === 0xf4) upper = 0x90;'],
];

if (process.argv.includes('--check')) {
  // Only check that every mutant still applies to the sources (run after editing src/).
  for (const [name, file, find] of MUTANTS) {
    const text = readFileSync(join(root, file), 'utf8');
    const at = text.indexOf(find);
    console.log(`${at >= 0 && text.indexOf(find, at + 1) < 0 ? 'applies ' : 'STALE   '} ${name}`);
  }
  process.exit(0);
}
const only = process.argv.includes('--only') ? new RegExp(process.argv[process.argv.indexOf('--only') + 1]) : undefined;
const work = join(root, '.tmp', 'hand-mutants');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
for (const entry of ['src', 'test', 'package.json', 'tsconfig.json', 'vitest.config.ts', 'stryker.vitest.config.ts']) {
  cpSync(join(root, entry), join(work, entry), { recursive: true });
}
symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'), 'dir');

const results = [];
for (const [name, file, find, replace] of MUTANTS) {
  if (only && !only.test(name)) continue;
  const path = join(work, file);
  const original = readFileSync(path, 'utf8');
  const at = original.indexOf(find);
  if (at < 0 || original.indexOf(find, at + 1) >= 0) throw new Error(`${name}: the text to mutate is not found exactly once in ${file}`);
  writeFileSync(path, original.slice(0, at) + replace + original.slice(at + find.length));
  const started = Date.now();
  const run = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'stryker.vitest.config.ts', '--bail', '1'], {
    cwd: work,
    env: { ...process.env, WSCODEC_TEST_SRC: '1', CI: 'true' },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  writeFileSync(path, original);
  const output = `${run.stdout}\n${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
  const failed = output.match(/(?:FAIL|×)\s+(.+)/)?.[1]?.trim().slice(0, 140) ?? '';
  const killed = run.status !== 0;
  results.push({ name, killed, seconds: (Date.now() - started) / 1000, by: failed });
  console.log(`${killed ? 'killed  ' : 'SURVIVED'} ${name} (${((Date.now() - started) / 1000).toFixed(0)} s)${killed ? ` — ${failed}` : ''}`);
}
if (existsSync(work)) rmSync(work, { recursive: true, force: true });
const survived = results.filter((r) => !r.killed);
console.log(`\n${results.length - survived.length} of ${results.length} hand-made mutants killed`);
process.exitCode = survived.length > 0 ? 1 : 0;
