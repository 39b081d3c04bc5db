import { describe, expect, it } from 'vitest';
import { newSessionId } from '../../src/store/ids.js';

describe('newSessionId', () => {
  it('never starts with "-", so that the id can follow a command as it is (one in 64 did)', () => {
    const ids = Array.from({ length: 20_000 }, () => newSessionId());
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
    expect(ids.every((id) => /^[A-Za-z0-9_][A-Za-z0-9_-]{11}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
