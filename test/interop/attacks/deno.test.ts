/** The attacks of cases.ts on examples/deno-echo-server.mjs, each in its own process. */
import { runAttacks } from './cases.js';

runAttacks('deno');
