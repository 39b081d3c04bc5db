export function startYoga(loadYoga: (module: object) => Promise<unknown>, wasmBytes: Uint8Array): typeof import('yoga-layout').default;
