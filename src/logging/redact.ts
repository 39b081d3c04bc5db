export const REDACTED = '[REDACTED]';

/** Context keys whose values are secrets whatever they contain. */
const SECRET_KEY = /pass(word|wd|phrase)?$|secret|api[-_]?key|authorization|hash|credential|cookie|(^|_)token$/i;

const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/\$argon2(?:id|i|d)\$(?:[^\s,)]|,(?!\s))+/g, REDACTED],
  // An Authorization value (header, query or JSON text), whatever its scheme: up to the closing quote or the end of the line.
  [/\b((?:proxy-)?authorization"?\s*[=:]\s*)("[^"\n]*"?|'[^'\n]*'?|[^\n]+)/gi, `$1${REDACTED}`],
  // A bearer token of any length; Basic credentials (base64) from 8 characters, so the word "basic" stays.
  [/\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [/\b(Basic)\s+[A-Za-z0-9+/=]{8,}/gi, `$1 ${REDACTED}`],
  [/\b(?:xai|sk)-[A-Za-z0-9_-]{16,}/g, REDACTED],
  [/(mongodb(?:\+srv)?:\/\/[^:@/\s]+):[^@/\s]+@/g, `$1:${REDACTED}@`],
  [/\b(password|passwd|api[-_]?key|secret|token)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,)&]+)/gi, `$1$2${REDACTED}`],
];

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * Known secret values (API key, database password) to be removed from any text, whatever their
 * length: a short secret is still a secret (it also means every occurrence of those letters goes).
 */
let knownSecrets: string[] = [];

export function setKnownSecrets(values: string[]): void {
  knownSecrets = [...new Set(values.filter((v) => v.length > 0))].sort((a, b) => b.length - a.length);
}

export function redactText(text: string): string {
  let out = text;
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
