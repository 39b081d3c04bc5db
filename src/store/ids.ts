import { randomBytes, randomUUID } from 'node:crypto';

/** Short enough to type (`storyos sessions export Xb3kR9aQ2mZt`), random enough never to collide. */
export function newSessionId(): string {
  return randomBytes(9).toString('base64url');
}

export function newMessageId(): string {
  return randomUUID();
}
