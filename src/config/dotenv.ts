import path from 'node:path';
import dotenv from 'dotenv';

/** Loads `.env` from the working directory; variables already in the environment win. */
export function loadDotenv(cwd = process.cwd()): void {
  dotenv.config({ path: path.join(cwd, '.env'), quiet: true });
}
