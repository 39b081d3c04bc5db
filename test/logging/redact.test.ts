import { afterEach, describe, expect, it } from 'vitest';
import { secretValues } from '../../src/config/env.js';
import { formatRecord } from '../../src/logging/format.js';
import { redactText, setKnownSecrets } from '../../src/logging/redact.js';

afterEach(() => setKnownSecrets([]));

const line = (message: string, context?: Record<string, string>) => formatRecord({ time: new Date(), level: 'DEBUG', category: 'llm_utils', message, context });

describe('secrets of any length', () => {
  it('redacts a configured secret however short it is', () => {
    setKnownSecrets(secretValues({ XAI_API_KEY: 'abc12', MONGODB_PASSWORD: 'pw' }));
    const text = line('Calling with key abc12 and password pw', { note: 'sent abc12' });
    expect(text).not.toContain('abc12');
    expect(text).not.toMatch(/\bpw\b/);
    expect(text).toContain('key [REDACTED]');
  });

  it('redacts bearer tokens of any length, and Authorization values whatever their scheme', () => {
    expect(redactText('Bearer abc12')).toBe('Bearer [REDACTED]');
    expect(redactText('sent bearer x now')).toBe('sent bearer [REDACTED] now');
    for (const text of [
      'Authorization: Bearer abc12',
      'Authorization: Digest username="a", response="6629fae4"',
      'authorization=Token tok1',
      'Proxy-Authorization: Basic YTpi',
    ]) {
      const out = redactText(text);
      expect(out).toMatch(/authorization"?\s*[=:]\s*\[REDACTED\]$/i);
      expect(out).not.toMatch(/abc12|6629fae4|tok1|YTpi/);
    }
    expect(redactText('{"Authorization":"Bearer q1","accept":"json"}')).toBe('{"Authorization":[REDACTED],"accept":"json"}');
    expect(line('headers', { headers: 'Authorization: Bearer abc12' })).toContain('(headers: Authorization: [REDACTED])');
  });

  it('keeps ordinary words', () => {
    expect(redactText('basic setup done')).toBe('basic setup done');
  });
});
