/** The attacks of cases.ts on examples/echo-server.mjs, each in its own process. */
import { runAttacks } from './cases.js';

runAttacks('node');
