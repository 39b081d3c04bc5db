export function equal(actual: unknown, expected: unknown, message?: string): void;
