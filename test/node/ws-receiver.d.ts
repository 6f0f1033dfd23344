// `ws` exports its frame Receiver from the package root at run time
// (lib/receiver.js), but @types/ws does not declare it. The differential test
// uses only this much of it.
import type { Writable } from 'node:stream';

declare module 'ws' {
  /** ws's incoming frame parser: a Writable fed raw bytes, emitting what it parsed. */
  export class Receiver extends Writable {
    constructor(options?: { isServer?: boolean; maxPayload?: number; skipUTF8Validation?: boolean });
  }
}
