import fs from 'node:fs';

/**
 * Read from package.json at run time, so there is one place to bump it. The path holds from both
 * dist/cli/version.js (tsc) and dist/bundle/*.js (the bundle), two levels below the package.
 */
export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
