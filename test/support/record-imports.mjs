// `node --import <this file>`: records every module URL resolved by the ESM loader into the
// file named by STORYOS_IMPORT_LOG, so tests can check what a command loads.
import { register } from 'node:module';

register('./import-hooks.mjs', import.meta.url);
