// Types of scripts/build-inputs.mjs, for the tests that import it.
export declare const ROOT: string;
export declare const DEFAULT_OUTFILE: string;
export declare const BUNDLES: readonly { readonly entry: string; readonly file: string }[];
export declare function bundlesOf(outfile: string): { entry: string; outfile: string }[];
export declare const CONSOLE_FILES: readonly string[];
export declare function consoleDirOf(outfile: string): string;
export declare function builtFiles(outfile: string): string[];
export declare function newestInput(): number;
export declare function staleness(outfile: string): string | undefined;
