import type { LogConfig } from '../config/env.js';
import type { RotationPolicy } from './rotation.js';

const MB = 1024 * 1024;

export function mainLogPolicy(log: LogConfig): RotationPolicy {
  return log.rotationType === 'time'
    ? { type: 'time', backups: log.backupCount }
    : { type: 'size', maxBytes: Math.round(log.maxSizeMb * MB), backups: log.backupCount };
}

/** The error log always rotates by size. */
export function errorLogPolicy(log: LogConfig): RotationPolicy {
  return { type: 'size', maxBytes: Math.round(log.errorMaxSizeMb * MB), backups: log.backupCount };
}
