export const RollingFileStream: new (...args: unknown[]) => never;
export const DateRollingFileStream: new (...args: unknown[]) => never;
export const RollingFileWriteStream: new (...args: unknown[]) => never;
