/** Absolute path of the package root, with a trailing slash. */
export declare const root: string;
/** Each public specifier (`wscodec`, `wscodec/frame`, …) → its built file for `condition`, e.g. `dist/frame.js`. */
export declare function exportTargets(condition: 'import' | 'require'): Record<string, string>;
/** Each runtime dependency (package.json "dependencies") → its ESM file, e.g. `node_modules/pako/dist/pako.mjs`. */
export declare function dependencyTargets(): Record<string, string>;
