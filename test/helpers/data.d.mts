/** A pseudo-random generator (xorshift32) giving numbers in [0, 1). */
export declare function random(seed: number): () => number;
/** Binary data of `size` bytes that compresses somewhat, like images or PDF streams: runs, repeats and noise. */
export declare function binaryLike(size: number, seed: number): Uint8Array;
