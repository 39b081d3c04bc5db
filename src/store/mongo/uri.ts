import { createRequire } from 'node:module';
import type { MongoClientOptions } from 'mongodb';
import { REDACTED } from '../../logging/redact.js';

/** The options every StoryOS client is made with; the check below makes its client with them too. */
export const CLIENT_OPTIONS = { serverSelectionTimeoutMS: 5000, appName: 'storyos' } as const satisfies MongoClientOptions;

/**
 * A connection string cut as the driver cuts it (this is the pattern of
 * mongodb-connection-string-url, the driver's parser): the user name ends at the first `:` or
 * `@`, the password at the first `@`, then the hosts, then the path and the options.
 */
const PARTS = /^(?<scheme>[^/]+:\/\/)(?:(?<username>[^:@]*)(?::(?<password>[^@]*))?@)?(?<hosts>(?!:)[^/?@]*)(?<rest>.*)$/s;

/** Options whose value is a secret (option names are case-insensitive). */
const SECRET_OPTIONS = new Set(['tlscertificatekeyfilepassword', 'proxypassword']);
/** In authMechanismProperties (`KEY:value,KEY:value`), the keys whose value is a secret. */
const SECRET_PROPERTIES = new Set(['AWS_SESSION_TOKEN']);

const decode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

interface Scanned {
  /** The string with every secret replaced by [REDACTED]. */
  redacted: string;
  /** Each secret as written and as decoded. */
  secrets: string[];
  hosts: string;
  options: string[];
}

function scan(uri: string): Scanned {
  const parts = PARTS.exec(uri)?.groups;
  if (!parts) return { redacted: REDACTED, secrets: [uri], hosts: '', options: [] };
  const secrets: string[] = [];
  const keep = (written: string) => {
    if (written) secrets.push(written, decode(written));
    return written ? REDACTED : '';
  };
  const { scheme = '', username, password, hosts = '', rest = '' } = parts;
  const userinfo = username === undefined ? '' : `${username}${password === undefined ? '' : `:${keep(password)}`}@`;
  const queryAt = rest.indexOf('?');
  const path = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const params = queryAt < 0 ? [] : rest.slice(queryAt + 1).split('&');
  const options: string[] = [];
  const query = params.map((param) => {
    const eq = param.indexOf('=');
    if (eq < 0) return param;
    const [name, value] = [param.slice(0, eq), param.slice(eq + 1)];
    options.push(decode(name));
    const key = decode(name).toLowerCase();
    if (SECRET_OPTIONS.has(key)) return `${name}=${keep(value)}`;
    if (key !== 'authmechanismproperties') return param;
    const properties = decode(value)
      .split(',')
      .map((property) => {
        const colon = property.indexOf(':');
        if (colon < 0 || !SECRET_PROPERTIES.has(property.slice(0, colon).toUpperCase())) return property;
        const secret = property.slice(colon + 1);
        if (secret) secrets.push(encodeURIComponent(secret));
        return `${property.slice(0, colon + 1)}${keep(secret)}`;
      });
    return `${name}=${properties.join(',')}`;
  });
  return { redacted: `${scheme}${userinfo}${hosts}${path}${queryAt < 0 ? '' : `?${query.join('&')}`}`, secrets, hosts, options };
}

/**
 * A connection string to show (errors, `db status`, logs): the hosts, the path and the options
 * stay, and so does the user name (it names the account, it opens nothing); the password and
 * the options that hold secrets (tlsCertificateKeyFilePassword, proxyPassword, an
 * AWS_SESSION_TOKEN) are [REDACTED].
 */
export function redactMongoUri(uri: string): string {
  return scan(uri).redacted;
}

/** The secrets of a connection string, as written and decoded, for the log redactor. */
export function mongoUriSecrets(uri: string): string[] {
  return [...new Set(scan(uri).secrets)];
}

/** Where a MongoDB store lives, as `db status`, `doctor` and the errors show it. */
export function mongoLocation(uri: string, databaseName: string): string {
  return `${redactMongoUri(uri)} (database ${databaseName})`;
}

/** `text` with the connection string's secrets (of three characters or more) replaced by [REDACTED]. */
export function withoutUriSecrets(text: string, uri: string): string {
  let out = text;
  for (const secret of mongoUriSecrets(uri).sort((a, b) => b.length - a.length)) if (secret.length >= 3) out = out.split(secret).join(REDACTED);
  return out;
}

/** Why the driver refuses a connection string, as the end of a sentence, its secrets hidden. */
export function explainUriError(error: unknown, uri: string): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  const { hosts, options } = scan(uri);
  const badHost = /^Unable to parse (.+) with URL$/.exec(message)?.[1] ?? (/^Invalid port/.test(message) ? hosts : undefined);
  const unknown = /^option (\S+) is not supported$/.exec(message)?.[1];
  let reason: string;
  if (badHost !== undefined) reason = `the port of ${badHost} is not a number from 1 to 65535`;
  else if (message === 'Invalid connection string' && (uri.match(/@/g) ?? []).length > 1) reason = 'an @ in the user name or password must be written %40';
  else if (/^(Password|Username) contains unescaped characters$/.test(message)) {
    reason = `the ${message.startsWith('Password') ? 'password' : 'user name'} has a character that must be percent-encoded (: / ? # [ ] @ are written %3A %2F %3F %23 %5B %5D %40)`;
  } else if (message === 'URI malformed') reason = 'a % does not start a percent-encoded character (a % itself is written %25)';
  else if (unknown !== undefined) reason = `the MongoDB driver has no option ${options.find((o) => o.toLowerCase() === unknown) ?? unknown}`;
  else reason = `${message.charAt(0).toLowerCase()}${message.slice(1)}`.replace(/\.$/, '');
  return withoutUriSecrets(reason, uri);
}

const requireHere = createRequire(import.meta.url);

/**
 * Why the MongoDB driver would refuse this connection string (null when it accepts it): its own
 * parser decides, by making a client with StoryOS's options (which connects to nothing). The
 * driver is loaded only here, and so only when a connection string is given.
 */
export function mongoUriProblem(uri: string): string | null {
  const { MongoClient } = requireHere('mongodb') as typeof import('mongodb');
  try {
    new MongoClient(uri, CLIENT_OPTIONS);
    return null;
  } catch (error) {
    return explainUriError(error, uri);
  }
}
