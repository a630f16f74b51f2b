export declare const root: string;
export declare const builtServer: string;
export declare function buildIfStale(): void;
