import cluster from 'node:cluster';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { equal } from '../../scripts/stand-ins/deferred-assert.mjs';
import { createHash, randomBytes, randomUUID } from '../../scripts/stand-ins/deferred-crypto.mjs';

const noClusterWorkers = createRequire(import.meta.url)(
  '../../scripts/stand-ins/no-cluster-workers.cjs',
) as typeof import('../../scripts/stand-ins/no-cluster-workers.cjs');

describe("the stand-ins that put off Node's modules the first frame does not use", () => {
  it("node:crypto's functions, as node:crypto's own", () => {
    expect(createHash('sha256').update('storyos').digest('hex')).toBe(crypto.createHash('sha256').update('storyos').digest('hex'));
    expect(randomBytes(9)).toHaveLength(9);
    expect(randomBytes(4).toString('hex')).not.toBe(randomBytes(4).toString('hex'));
    expect(randomUUID()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("assert.equal for signal-exit: silent when equal (loosely, as assert.equal), node:assert's error when not", () => {
    expect(() => equal(typeof (() => 0), 'function', 'a callback must be provided')).not.toThrow();
    expect(() => equal(1, '1')).not.toThrow();
    expect(() => equal(typeof undefined, 'function', 'a callback must be provided for exit handler')).toThrow(
      expect.objectContaining({ name: 'AssertionError', code: 'ERR_ASSERTION', message: 'a callback must be provided for exit handler' }),
    );
  });

  it('cluster for log4js: this process is the primary, as node:cluster says, and listening hears nothing', () => {
    expect([noClusterWorkers.isPrimary, noClusterWorkers.isMaster, noClusterWorkers.isWorker]).toEqual([cluster.isPrimary, cluster.isMaster, cluster.isWorker]);
    const receiver = () => undefined;
    expect(noClusterWorkers.on('message', receiver)).toBe(noClusterWorkers);
    expect(noClusterWorkers.removeListener('message', receiver)).toBe(noClusterWorkers);
  });
});
