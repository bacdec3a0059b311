import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Job, type RedisQueueBackend } from 'bullmq';
import { Command, type Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { RawJsonQueue } from '../../../../src/queues/bullmq-internals/raw-json-queue.ts';
import { redisUrl, uniqueName } from '../../../helpers/services.ts';

/**
 * src/queues/bullmq-internals/ uses BullMQ and ioredis internals (its README lists them). This test
 * fails loudly when an upgrade changes the versions it was written against or the shape it relies
 * on, before the intake's own tests fail in a less readable way.
 */
const readme = readFileSync(
  new URL('../../../../src/queues/bullmq-internals/README.md', import.meta.url),
  'utf8',
);
const require = createRequire(import.meta.url);

function pinnedVersion(pkg: string): string | undefined {
  return new RegExp(`^\\| ${pkg} \\| (\\S+) \\|$`, 'm').exec(readme)?.[1];
}

function installedVersion(pkg: string): string {
  return (require(`${pkg}/package.json`) as { version: string }).version;
}

const upgradeHint = 're-check every internal in src/queues/bullmq-internals/README.md, then update its table';

describe('the BullMQ and ioredis internals the intake is written against', () => {
  it.each(['bullmq', 'ioredis'])('%s is the version the internals README names', (pkg) => {
    const pinned = pinnedVersion(pkg);
    expect(pinned, `src/queues/bullmq-internals/README.md names no version of ${pkg}`).toBeDefined();
    expect(installedVersion(pkg), `${pkg} changed: ${upgradeHint}`).toBe(pinned);
  });

  it('BullMQ still has the backend, queue and job internals the raw JSON queue calls', async () => {
    const queue = new RawJsonQueue(uniqueName('pinned'), { connection: { url: redisUrl() } });
    onTestFinished(() => queue.close());
    await queue.waitUntilReady();
    const backend = queue.backend as RedisQueueBackend;
    expect(typeof backend.addJobToTransaction, upgradeHint).toBe('function');
    expect(typeof backend.finishedErrors, upgradeHint).toBe('function');
    expect(typeof queue.toKey, upgradeHint).toBe('function');
    expect(queue.jobsOpts, upgradeHint).toBeTypeOf('object');
    const job = Job.prototype as unknown as Record<string, unknown>;
    expect(typeof job.validateOptions, upgradeHint).toBe('function');
    expect(typeof job.asJSON, upgradeHint).toBe('function');
    // The add scripts the writer connection copies, by the name prefixes raw-json-queue.ts knows.
    const client = (await backend.client) as unknown as Redis;
    const scripts = client.scriptsSet as Record<string, { lua?: unknown; numberOfKeys?: unknown }>;
    for (const prefix of ['addStandardJob:', 'addDelayedJob:', 'addPrioritizedJob:']) {
      const script = Object.entries(scripts).find(([name]) => name.startsWith(prefix))?.[1];
      expect(script?.lua, `no BullMQ script named ${prefix}…: ${upgradeHint}`).toBeTypeOf('string');
      expect(script && 'numberOfKeys' in script, upgradeHint).toBe(true);
    }
  });

  it('ioredis still writes a command through toWritable, on a socket it can cork', async () => {
    expect(typeof (Command.prototype as unknown as Record<string, unknown>).toWritable, upgradeHint).toBe(
      'function',
    );
    const queue = new RawJsonQueue(uniqueName('pinned'), { connection: { url: redisUrl() } });
    onTestFinished(() => queue.close());
    const tx = await queue.transaction();
    expect(tx).toBeDefined();
    const client = (await (queue.backend as RedisQueueBackend).client) as unknown as Redis;
    const socket = (client as unknown as { stream?: { cork?: unknown; uncork?: unknown } }).stream;
    expect(typeof socket?.cork, upgradeHint).toBe('function');
    expect(typeof socket?.uncork, upgradeHint).toBe('function');
    expect(typeof client.sendCommand, upgradeHint).toBe('function');
  });
});
