/** The attacks of cases.ts on examples/bun-echo-server.mjs, each in its own process. */
import { runAttacks } from './cases.js';

runAttacks('bun');
