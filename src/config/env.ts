import path from 'node:path';
import * as v from 'valibot';
import { mongoUriProblem, mongoUriSecrets } from '../store/mongo/uri.js';
import { ConfigError } from './errors.js';

export const LOG_LEVELS = ['DEBUG', 'INFO', 'PERF', 'WARN', 'ERROR'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];
export type RotationType = 'size' | 'time';

export interface LogConfig {
  dir: string;
  level: LogLevelName;
  toFile: boolean;
  maxSizeMb: number;
  backupCount: number;
  rotationType: RotationType;
  errorMaxSizeMb: number;
  /** `storyos logs stats` reads with its native scanner when it is built (false: JavaScript alone). */
  nativeScan: boolean;
}

export interface Config {
  llm: {
    apiKey: string | undefined;
    baseUrl: string;
    narratorModel: string;
    summaryModel: string;
    timeoutS: number;
    maxRetries: number;
    /** `max_tokens` of a narration; a hard cap of 8 characters a token closes a longer stream. */
    narrationMaxTokens: number;
    /** The narrator's `temperature` (0–2) for games that set none; undefined: the endpoint's own default. */
    narratorTemperature: number | undefined;
    /** World-info keys are looked for in this many last messages, and the action. */
    worldInfoWindow: number;
  };
  mongo: {
    uri: string | undefined;
    databaseName: string;
  };
  dataDir: string;
  log: LogConfig;
}

const booleanWords: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false, on: true, off: false };

type Schema = v.GenericSchema<string, unknown>;

const nonEmpty = v.pipe(v.string(), v.trim(), v.minLength(1));
const httpUrl = v.pipe(
  v.string(),
  v.trim(),
  v.check((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)),
);
const mongoUrl = v.pipe(v.string(), v.trim(), v.regex(/^mongodb(\+srv)?:\/\/\S+$/));
const number = (min: number, max: number, integer: boolean) =>
  v.pipe(v.string(), v.trim(), v.regex(integer ? /^\d+$/ : /^\d+(\.\d+)?$/), v.transform(Number), v.minValue(min), v.maxValue(max));
const boolean = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.check((value) => value in booleanWords),
  v.transform((value) => booleanWords[value] as boolean),
);
const logLevel = v.pipe(
  v.string(),
  v.trim(),
  v.toUpperCase(),
  v.transform((value) => (value === 'WARNING' ? 'WARN' : value)),
  v.picklist(LOG_LEVELS),
);
const rotationType = v.pipe(v.string(), v.trim(), v.toLowerCase(), v.picklist(['size', 'time']));
const databaseName = v.pipe(v.string(), v.trim(), v.regex(/^[A-Za-z0-9_-]{1,63}$/));

interface Variable {
  schema: Schema;
  default?: string;
  allowed: string;
  secret?: boolean;
}

/** Every variable StoryOS reads; `.env.example` documents the same list. */
export const VARIABLES = {
  XAI_API_KEY: { schema: nonEmpty, allowed: 'a non-empty API key', secret: true },
  STORYOS_LLM_BASE_URL: { schema: httpUrl, default: 'https://api.x.ai/v1', allowed: 'an http(s) URL' },
  STORYOS_NARRATOR_MODEL: { schema: nonEmpty, default: 'grok-4-fast-reasoning', allowed: 'a model name' },
  STORYOS_SUMMARY_MODEL: { schema: nonEmpty, default: 'grok-4-fast-non-reasoning', allowed: 'a model name' },
  STORYOS_LLM_TIMEOUT_S: { schema: number(1, 3600, false), default: '60', allowed: 'a number of seconds from 1 to 3600' },
  STORYOS_LLM_MAX_RETRIES: { schema: number(0, 10, true), default: '3', allowed: 'a whole number from 0 to 10' },
  STORYOS_NARRATION_MAX_TOKENS: { schema: number(64, 32768, true), default: '2048', allowed: 'a whole number of tokens from 64 to 32768' },
  STORYOS_NARRATOR_TEMPERATURE: { schema: number(0, 2, false), allowed: 'a number from 0 to 2 (unset: the endpoint default)' },
  STORYOS_WORLD_INFO_WINDOW: { schema: number(1, 50, true), default: '4', allowed: 'a whole number of messages from 1 to 50' },
  MONGODB_URI: { schema: mongoUrl, allowed: 'a mongodb:// or mongodb+srv:// connection string', secret: true },
  MONGODB_USERNAME: { schema: nonEmpty, allowed: 'a non-empty user name' },
  MONGODB_PASSWORD: { schema: nonEmpty, allowed: 'a non-empty password', secret: true },
  MONGODB_DATABASE_NAME: { schema: databaseName, default: 'storyos', allowed: '1 to 63 letters, digits, _ or -' },
  STORYOS_DATA_DIR: { schema: nonEmpty, default: './data', allowed: 'a directory path' },
  STORYOS_LOG_DIR: { schema: nonEmpty, default: './logs', allowed: 'a directory path' },
  STORYOS_LOG_LEVEL: { schema: logLevel, default: 'INFO', allowed: 'one of DEBUG, INFO, PERF, WARNING (= WARN), ERROR' },
  STORYOS_LOG_TO_FILE: { schema: boolean, default: 'true', allowed: 'true or false' },
  STORYOS_LOG_MAX_SIZE_MB: { schema: number(0.001, 102400, false), default: '10', allowed: 'a size in MB from 0.001 to 102400' },
  STORYOS_LOG_BACKUP_COUNT: { schema: number(1, 10000, true), default: '5', allowed: 'a whole number from 1 to 10000' },
  STORYOS_LOG_ROTATION_TYPE: { schema: rotationType, default: 'size', allowed: 'size or time' },
  STORYOS_LOG_ERROR_MAX_SIZE_MB: { schema: number(0.001, 102400, false), default: '5', allowed: 'a size in MB from 0.001 to 102400' },
  STORYOS_NATIVE_SCAN: { schema: boolean, default: 'true', allowed: 'true or false' },
} satisfies Record<string, Variable>;

export type VariableName = keyof typeof VARIABLES;

function readVariable(env: NodeJS.ProcessEnv, name: VariableName): unknown {
  const spec: Variable = VARIABLES[name];
  const raw = env[name];
  const value = raw === undefined || raw.trim() === '' ? spec.default : raw;
  if (value === undefined) return undefined;
  const parsed = v.safeParse(spec.schema, value);
  if (!parsed.success) {
    const shown = spec.secret ? '(hidden)' : JSON.stringify(value);
    throw new ConfigError(`Invalid ${name}=${shown}: expected ${spec.allowed}.`);
  }
  return parsed.output;
}

/** Fills `<username>`/`<password>` placeholders of a MongoDB URI, URL-encoding the values. */
export function fillMongoPlaceholders(uri: string, username: string | undefined, password: string | undefined): string {
  const fill = (text: string, placeholder: string, value: string | undefined, variable: string) => {
    if (!text.includes(placeholder)) return text;
    if (value === undefined) throw new ConfigError(`MONGODB_URI contains ${placeholder} but ${variable} is not set.`);
    return text.split(placeholder).join(encodeURIComponent(value));
  };
  return fill(fill(uri, '<username>', username, 'MONGODB_USERNAME'), '<password>', password, 'MONGODB_PASSWORD');
}

/** The filled connection string, if the MongoDB driver accepts it (its own parser decides). */
function checkedMongoUri(uri: string): string {
  const problem = mongoUriProblem(uri);
  if (problem !== null) throw new ConfigError(`Invalid MONGODB_URI: ${problem}.`);
  return uri;
}

/** Validates the environment; throws ConfigError naming the first bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const read = <T>(name: VariableName) => readVariable(env, name) as T;
  const mongoUri = read<string | undefined>('MONGODB_URI');
  return {
    llm: {
      apiKey: read('XAI_API_KEY'),
      baseUrl: read('STORYOS_LLM_BASE_URL'),
      narratorModel: read('STORYOS_NARRATOR_MODEL'),
      summaryModel: read('STORYOS_SUMMARY_MODEL'),
      timeoutS: read('STORYOS_LLM_TIMEOUT_S'),
      maxRetries: read('STORYOS_LLM_MAX_RETRIES'),
      narrationMaxTokens: read('STORYOS_NARRATION_MAX_TOKENS'),
      narratorTemperature: read('STORYOS_NARRATOR_TEMPERATURE'),
      worldInfoWindow: read('STORYOS_WORLD_INFO_WINDOW'),
    },
    mongo: {
      uri: mongoUri && checkedMongoUri(fillMongoPlaceholders(mongoUri, read('MONGODB_USERNAME'), read('MONGODB_PASSWORD'))),
      databaseName: read('MONGODB_DATABASE_NAME'),
    },
    dataDir: path.resolve(cwd, read<string>('STORYOS_DATA_DIR')),
    log: {
      dir: path.resolve(cwd, read<string>('STORYOS_LOG_DIR')),
      level: read('STORYOS_LOG_LEVEL'),
      toFile: read('STORYOS_LOG_TO_FILE'),
      maxSizeMb: read('STORYOS_LOG_MAX_SIZE_MB'),
      backupCount: read('STORYOS_LOG_BACKUP_COUNT'),
      rotationType: read('STORYOS_LOG_ROTATION_TYPE'),
      errorMaxSizeMb: read('STORYOS_LOG_ERROR_MAX_SIZE_MB'),
      nativeScan: read('STORYOS_NATIVE_SCAN'),
    },
  };
}

/**
 * Secret values present in the configuration, for the log redactor: the API key, the database
 * password (as given and URL-encoded, as it is in the connection string), and of MONGODB_URI only
 * its secrets (the password, secret options), so that its hosts stay readable in the logs.
 */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  const values = (Object.keys(VARIABLES) as VariableName[])
    .filter((name) => (VARIABLES[name] as Variable).secret)
    .flatMap((name) => {
      const value = env[name]?.trim();
      if (!value) return [];
      if (name === 'MONGODB_PASSWORD') return [value, encodeURIComponent(value)];
      if (name !== 'MONGODB_URI') return [value];
      let filled = value;
      try {
        filled = fillMongoPlaceholders(value, env.MONGODB_USERNAME?.trim() || undefined, env.MONGODB_PASSWORD?.trim() || undefined);
      } catch {
        // A placeholder without its variable: the configuration is refused anyway.
      }
      return mongoUriSecrets(filled);
    });
  return [...new Set(values)].filter((v) => v.length > 0);
}
