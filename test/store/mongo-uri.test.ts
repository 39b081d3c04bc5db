import { afterEach, describe, expect, it } from 'vitest';
import { secretValues } from '../../src/config/env.js';
import { redactText, setKnownSecrets } from '../../src/logging/redact.js';
import { explainUriError, mongoLocation, mongoUriProblem, mongoUriSecrets, redactMongoUri } from '../../src/store/mongo/uri.js';

afterEach(() => setKnownSecrets([]));

describe('a MongoDB connection string as shown', () => {
  it.each([
    ['mongodb://storyos:hunter22@db.example:27017/storyos', 'mongodb://storyos:[REDACTED]@db.example:27017/storyos'],
    [
      'mongodb+srv://storyos:p%40ss%3Aw%2Frd@cluster0.example.net/?retryWrites=true&w=majority',
      'mongodb+srv://storyos:[REDACTED]@cluster0.example.net/?retryWrites=true&w=majority',
    ],
    ['mongodb://db1.example:27017,db2.example:27018/?replicaSet=rs0', 'mongodb://db1.example:27017,db2.example:27018/?replicaSet=rs0'],
    ['mongodb://storyos@db.example/?authSource=admin', 'mongodb://storyos@db.example/?authSource=admin'],
    ['mongodb://storyos:@db.example', 'mongodb://storyos:@db.example'],
    [
      'mongodb://db.example/?tls=true&tlsCertificateKeyFilePassword=keyfile-secret&appName=x',
      'mongodb://db.example/?tls=true&tlsCertificateKeyFilePassword=[REDACTED]&appName=x',
    ],
    [
      'mongodb://u:pw@db.example/?proxyHost=p&proxyUsername=pu&PROXYPASSWORD=proxy-secret',
      'mongodb://u:[REDACTED]@db.example/?proxyHost=p&proxyUsername=pu&PROXYPASSWORD=[REDACTED]',
    ],
    [
      'mongodb://db.example/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok%2Fen-secret,SERVICE_NAME:mongodb',
      'mongodb://db.example/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:[REDACTED],SERVICE_NAME:mongodb',
    ],
  ])('%s shows as %s', (uri, shown) => {
    expect(redactMongoUri(uri)).toBe(shown);
  });

  it('keeps the hosts, user name and database in the location, and lists each secret as written and decoded', () => {
    expect(mongoLocation('mongodb://storyos:hunter%4022@db.example:27017/?authSource=admin', 'games')).toBe(
      'mongodb://storyos:[REDACTED]@db.example:27017/?authSource=admin (database games)',
    );
    expect(mongoUriSecrets('mongodb://storyos:hunter%4022@db.example:27017/?authMechanismProperties=AWS_SESSION_TOKEN:tok%2Fen').sort()).toEqual([
      'hunter%4022',
      'hunter@22',
      'tok%2Fen',
      'tok/en',
    ]);
    expect(mongoUriSecrets('mongodb://db.example')).toEqual([]);
    expect(redactMongoUri('not a connection string: user:hunter22@host')).toBe('[REDACTED]');
  });

  it('stays readable in the logs: the redactor primed from the environment hides the password only', () => {
    const uri = 'mongodb://storyos:hunter22@db.example:27017/storyos';
    setKnownSecrets(secretValues({ MONGODB_URI: uri }));
    expect(redactText(`Cannot reach MongoDB at ${mongoLocation(uri, 'storyos')}`)).toBe(
      'Cannot reach MongoDB at mongodb://storyos:[REDACTED]@db.example:27017/storyos (database storyos)',
    );
    expect(redactText(`connecting to ${uri}; the password was hunter22`)).toBe(
      'connecting to mongodb://storyos:[REDACTED]@db.example:27017/storyos; the password was [REDACTED]',
    );
  });

  it('explains the driver’s refusals without repeating a secret', () => {
    expect(mongoUriProblem('mongodb://storyos:hunter22@db.example:27017/storyos')).toBeNull();
    expect(explainUriError(new Error('Expected x to be hunter22'), 'mongodb://u:hunter22@h')).toBe('expected x to be [REDACTED]');
    expect(mongoUriProblem('mongodb://u:hunter22@db.example/?readPreference=closest')).toBe('invalid read preference mode "closest"');
  });
});
