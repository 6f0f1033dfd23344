// Runs native-client.js under Deno or Bun: `deno run --allow-net
// native-client-cli.mjs <ws-url> [--max-size N]` or `bun native-client-cli.mjs
// ...`. Prints one JSON line per check and exits 0 when all passed.
import './native-client.js';

const args = globalThis.Deno ? Deno.args : process.argv.slice(2);
const url = args[0];
const sizeFlag = args.indexOf('--max-size');
const maxSize = sizeFlag >= 0 ? Number(args[sizeFlag + 1]) : undefined;
const results = await globalThis.runNativeScenarios(url, maxSize);
for (const result of results) console.log(JSON.stringify(result));
const failed = results.some((r) => !r.ok);
if (globalThis.Deno) Deno.exit(failed ? 1 : 0);
else process.exit(failed ? 1 : 0);
