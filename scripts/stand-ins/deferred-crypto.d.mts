export const createHash: typeof import('node:crypto').createHash;
export const randomBytes: typeof import('node:crypto').randomBytes;
export const randomUUID: typeof import('node:crypto').randomUUID;
