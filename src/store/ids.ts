import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Short enough to type (`storyos sessions export Xb3kR9aQ2mZt`), random enough never to collide,
 * and never starting with `-`, which a command line would read as an option (one id in 64 did).
 */
export function newSessionId(): string {
  for (;;) {
    const id = randomBytes(9).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export function newMessageId(): string {
  return randomUUID();
}
