import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fillMongoPlaceholders, parseConfig, secretValues, VARIABLES } from '../../src/config/env.js';
import { ConfigError } from '../../src/config/errors.js';
import { thrown } from '../support/errors.js';

const cwd = '/srv/storyos';

const configError = (env: Record<string, string>) => thrown(() => parseConfig(env, cwd), ConfigError);

describe('configuration', () => {
  it('has the documented defaults with an empty environment', () => {
    const config = parseConfig({}, cwd);
    expect(config).toEqual({
      llm: {
        apiKey: undefined,
        baseUrl: 'https://api.x.ai/v1',
        narratorModel: 'grok-4-fast-reasoning',
        summaryModel: 'grok-4-fast-non-reasoning',
        timeoutS: 60,
        maxRetries: 3,
        narrationMaxTokens: 2048,
        narratorTemperature: undefined,
        worldInfoWindow: 4,
      },
      mongo: { uri: undefined, databaseName: 'storyos' },
      dataDir: path.join(cwd, 'data'),
      log: {
        dir: path.join(cwd, 'logs'),
        level: 'INFO',
        toFile: true,
        maxSizeMb: 10,
        backupCount: 5,
        rotationType: 'size',
        errorMaxSizeMb: 5,
        nativeScan: true,
      },
    });
  });

  it('reads and converts every kind of value', () => {
    const config = parseConfig(
      {
        XAI_API_KEY: 'xai-abc',
        STORYOS_LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
        STORYOS_LLM_TIMEOUT_S: '2.5',
        STORYOS_LLM_MAX_RETRIES: '0',
        STORYOS_LOG_LEVEL: 'warning',
        STORYOS_LOG_TO_FILE: 'No',
        STORYOS_LOG_MAX_SIZE_MB: '0.5',
        STORYOS_LOG_ROTATION_TYPE: 'TIME',
        STORYOS_LOG_DIR: '/var/log/storyos',
        STORYOS_DATA_DIR: 'state',
      },
      cwd,
    );
    expect(config.llm).toMatchObject({ apiKey: 'xai-abc', baseUrl: 'http://127.0.0.1:11434/v1', timeoutS: 2.5, maxRetries: 0 });
    expect(config.log).toMatchObject({ level: 'WARN', toFile: false, maxSizeMb: 0.5, rotationType: 'time', dir: '/var/log/storyos' });
    expect(config.dataDir).toBe(path.join(cwd, 'state'));
  });

  it('reads the narrator temperature (0 to 2, unset by default) and the world-info window', () => {
    expect(parseConfig({ STORYOS_NARRATOR_TEMPERATURE: '0.8', STORYOS_WORLD_INFO_WINDOW: '6' }, cwd).llm).toMatchObject({
      narratorTemperature: 0.8,
      worldInfoWindow: 6,
    });
    expect(parseConfig({ STORYOS_NARRATOR_TEMPERATURE: '0' }, cwd).llm.narratorTemperature).toBe(0);
    expect(configError({ STORYOS_NARRATOR_TEMPERATURE: '2.5' }).message).toBe(
      'Invalid STORYOS_NARRATOR_TEMPERATURE="2.5": expected a number from 0 to 2 (unset: the endpoint default).',
    );
    expect(configError({ STORYOS_WORLD_INFO_WINDOW: '0' }).message).toBe(
      'Invalid STORYOS_WORLD_INFO_WINDOW="0": expected a whole number of messages from 1 to 50.',
    );
  });

  it.each([
    ['STORYOS_LOG_LEVEL', 'LOUD', 'Invalid STORYOS_LOG_LEVEL="LOUD": expected one of DEBUG, INFO, PERF, WARNING (= WARN), ERROR.'],
    ['STORYOS_LOG_TO_FILE', 'maybe', 'Invalid STORYOS_LOG_TO_FILE="maybe": expected true or false.'],
    ['STORYOS_LOG_MAX_SIZE_MB', '-1', 'Invalid STORYOS_LOG_MAX_SIZE_MB="-1": expected a size in MB from 0.001 to 102400.'],
    ['STORYOS_LOG_BACKUP_COUNT', '2.5', 'Invalid STORYOS_LOG_BACKUP_COUNT="2.5": expected a whole number from 1 to 10000.'],
    ['STORYOS_LOG_BACKUP_COUNT', '0', 'Invalid STORYOS_LOG_BACKUP_COUNT="0": expected a whole number from 1 to 10000.'],
    ['STORYOS_LOG_ROTATION_TYPE', 'weekly', 'Invalid STORYOS_LOG_ROTATION_TYPE="weekly": expected size or time.'],
    ['STORYOS_LLM_TIMEOUT_S', '0', 'Invalid STORYOS_LLM_TIMEOUT_S="0": expected a number of seconds from 1 to 3600.'],
    ['STORYOS_LLM_MAX_RETRIES', '11', 'Invalid STORYOS_LLM_MAX_RETRIES="11": expected a whole number from 0 to 10.'],
    ['STORYOS_LLM_BASE_URL', 'ftp://example.com', 'Invalid STORYOS_LLM_BASE_URL="ftp://example.com": expected an http(s) URL.'],
    ['MONGODB_DATABASE_NAME', 'my db', 'Invalid MONGODB_DATABASE_NAME="my db": expected 1 to 63 letters, digits, _ or -.'],
  ])('rejects %s=%s in one sentence', (name, value, message) => {
    const error = configError({ [name]: value });
    expect(error.message).toBe(message);
    expect(error.exitCode).toBe(2);
  });

  it('never repeats a secret value in its error', () => {
    const error = configError({ MONGODB_URI: 'postgres://user:hunter22@host/db' });
    expect(error.message).toBe('Invalid MONGODB_URI=(hidden): expected a mongodb:// or mongodb+srv:// connection string.');
  });

  it.each([
    ['mongodb://localhost:99999/storyos', 'Invalid MONGODB_URI: the port of localhost:99999 is not a number from 1 to 65535.'],
    ['mongodb://db1.example:27017,db2.example:port', 'Invalid MONGODB_URI: the port of db2.example:port is not a number from 1 to 65535.'],
    ['mongodb://localhost:0', 'Invalid MONGODB_URI: the port of localhost:0 is not a number from 1 to 65535.'],
    ['mongodb://admin:hunt@r22@db.example/storyos', 'Invalid MONGODB_URI: an @ in the user name or password must be written %40.'],
    [
      'mongodb://admin:hunt/er22@db.example/storyos',
      'Invalid MONGODB_URI: the password has a character that must be percent-encoded (: / ? # [ ] @ are written %3A %2F %3F %23 %5B %5D %40).',
    ],
    ['mongodb://admin:hunter%zz22@db.example', 'Invalid MONGODB_URI: a % does not start a percent-encoded character (a % itself is written %25).'],
    ['mongodb://db.example/?replicaSett=rs0', 'Invalid MONGODB_URI: the MongoDB driver has no option replicaSett.'],
    ['mongodb://db.example/?tls=maybe', 'Invalid MONGODB_URI: tls/ssl must be either "true" or "false".'],
    ['mongodb+srv://cluster.example:27017/', 'Invalid MONGODB_URI: mongodb+srv URI cannot have port number.'],
  ])('refuses MONGODB_URI=%s as the MongoDB driver does, in one sentence without the password, exit 2', (value, message) => {
    const error = configError({ MONGODB_URI: value });
    expect(error.message).toBe(message);
    expect(error.exitCode).toBe(2);
    expect(error.message).not.toMatch(/hunt|er22/);
  });

  it('accepts what the MongoDB driver accepts', () => {
    for (const uri of [
      'mongodb://localhost:27017/storyos',
      'mongodb://admin:p%40ss%3Aw%2Frd@db1.example:27017,db2.example:27018/storyos?replicaSet=rs0&authSource=admin',
      'mongodb://[::1]:65535/?directConnection=true',
      'mongodb+srv://admin:hunter22@cluster0.example.net/?retryWrites=true&w=majority',
    ]) {
      expect(parseConfig({ MONGODB_URI: uri }, cwd).mongo.uri).toBe(uri);
    }
  });

  it('checks the connection string with its placeholders filled', () => {
    expect(
      configError({ MONGODB_URI: 'mongodb://<username>:<password>@db.example:70000', MONGODB_USERNAME: 'storyos', MONGODB_PASSWORD: 'hunter22' }).message,
    ).toBe('Invalid MONGODB_URI: the port of db.example:70000 is not a number from 1 to 65535.');
  });

  it('fills and URL-encodes MongoDB placeholders', () => {
    const config = parseConfig(
      { MONGODB_URI: 'mongodb+srv://<username>:<password>@cluster.example/?retryWrites=true', MONGODB_USERNAME: 'story os', MONGODB_PASSWORD: 'p@ss:w/rd' },
      cwd,
    );
    expect(config.mongo.uri).toBe('mongodb+srv://story%20os:p%40ss%3Aw%2Frd@cluster.example/?retryWrites=true');
    expect(() => fillMongoPlaceholders('mongodb://<username>@h', undefined, undefined)).toThrow(
      'MONGODB_URI contains <username> but MONGODB_USERNAME is not set.',
    );
  });

  it('lists the secret values for the log redactor', () => {
    expect(secretValues({ XAI_API_KEY: 'xai-1234567890', MONGODB_PASSWORD: 'hunter22', STORYOS_LOG_DIR: '/tmp/x' }).sort()).toEqual([
      'hunter22',
      'xai-1234567890',
    ]);
  });

  it('gives the redactor only the secrets of MONGODB_URI, never the whole string, so that its host stays readable', () => {
    expect(
      secretValues({ MONGODB_URI: 'mongodb://storyos:hunter%4022@db.example:27017/storyos?tls=true&tlsCertificateKeyFilePassword=keyfile-secret' }).sort(),
    ).toEqual(['hunter%4022', 'hunter@22', 'keyfile-secret']);
    expect(
      secretValues({ MONGODB_URI: 'mongodb://<username>:<password>@db.example/', MONGODB_USERNAME: 'storyos', MONGODB_PASSWORD: 'p@ss:w/rd' }).sort(),
    ).toEqual(['p%40ss%3Aw%2Frd', 'p@ss:w/rd']);
    expect(secretValues({ MONGODB_URI: 'mongodb://db.example:27017/storyos' })).toEqual([]);
  });

  it('documents every variable in .env.example', async () => {
    const { readFileSync } = await import('node:fs');
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    for (const name of Object.keys(VARIABLES)) expect(example).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });
});
