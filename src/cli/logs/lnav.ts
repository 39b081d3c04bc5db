import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserFacingError } from '../../config/errors.js';
import { escapeControl } from '../../logging/escape.js';
import { LNAV_FORMAT_NAME, lnavFormatText } from '../../logging/lnav-format.js';
import { EXIT } from '../exit.js';

/** The lnav executable on PATH, or undefined. */
export function lnavOnPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'lnav');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

const isDir = (dir: string) => fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true;

/**
 * Where lnav 0.11 keeps installed formats, as it chooses its folder: `~/.lnav` when it exists,
 * else `lnav` in the configuration folder (XDG_CONFIG_HOME, or ~/.config) when that exists, else `~/.lnav`.
 */
export function lnavInstalledFormatsDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.HOME || os.homedir();
  const dotLnav = path.join(home, '.lnav');
  const configHome = env.XDG_CONFIG_HOME || path.join(home, '.config');
  const base = !isDir(dotLnav) && isDir(configHome) ? path.join(configHome, 'lnav') : dotLnav;
  return path.join(base, 'formats', 'installed');
}

/** With lnav on PATH, `lnav -i` installs the format; the path it reports, or the expected one. */
function installWithLnav(lnav: string, text: string): string {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'storyos-lnav-'));
  try {
    const file = path.join(scratch, `${LNAV_FORMAT_NAME}.json`);
    fs.writeFileSync(file, text);
    const result = spawnSync(lnav, ['-i', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    const said = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
    if (result.error || result.status !== 0) {
      const reason = said.trim().split('\n')[0] || result.error?.message || `exit status ${result.status}`;
      throw new UserFacingError(`lnav -i could not install the format: ${escapeControl(reason)}`, EXIT.failure);
    }
    const reported = /installed -- (.+)$/m.exec(said.replace(/\u001b\[[0-9;]*m/g, ''))?.[1]?.trim();
    return reported ?? path.join(lnavInstalledFormatsDir(), `${LNAV_FORMAT_NAME}.json`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function installByHand(text: string): string {
  const dir = lnavInstalledFormatsDir();
  const file = path.join(dir, `${LNAV_FORMAT_NAME}.json`);
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, text);
  } catch (error) {
    throw new UserFacingError(`Could not write ${file}: ${error instanceof Error ? error.message : String(error)}.`, EXIT.failure);
  }
  return file;
}

/** `storyos logs lnav [--install]`: prints the lnav format definition, or installs it for lnav. */
export async function lnav(_args: string[], flags: { install?: boolean }): Promise<number> {
  const text = lnavFormatText();
  if (!flags.install) {
    process.stdout.write(text);
    return EXIT.ok;
  }
  const executable = lnavOnPath();
  const file = executable ? installWithLnav(executable, text) : installByHand(text);
  const how = executable ? 'with lnav -i' : 'lnav is not on PATH; it reads the format from there once installed';
  process.stdout.write(
    `Installed the lnav format ${LNAV_FORMAT_NAME} (${how}): ${escapeControl(file)}\n` +
      `Open the log directory with lnav (storyos logs config shows it); its SQL table is ${LNAV_FORMAT_NAME}.\n`,
  );
  return EXIT.ok;
}
