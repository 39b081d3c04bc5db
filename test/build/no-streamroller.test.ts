import { describe, expect, it } from 'vitest';
import { DateRollingFileStream, RollingFileStream } from '../../scripts/stand-ins/no-streamroller.mjs';

describe('the stand-in for streamroller (log4js file appenders)', () => {
  it('refuses to be used, naming the appender StoryOS writes its files with', () => {
    expect(() => new RollingFileStream('x.log')).toThrow(/not in the StoryOS bundle; use src\/logging\/appenders\.ts/);
    expect(() => new DateRollingFileStream('x.log')).toThrow(/not in the StoryOS bundle/);
  });
});
