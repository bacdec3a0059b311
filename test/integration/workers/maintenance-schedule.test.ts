import { rmSync } from 'node:fs';
import { Queue } from 'bullmq';
import { describe, expect, it, onTestFinished } from 'vitest';
import { maintenanceJobs } from '../../../src/queues/maintenance-jobs.ts';
import { queueNames } from '../../../src/queues/queue-names.ts';
import { deleteKeysWithPrefix } from '../../helpers/redis-keys.ts';
import { relayServiceEnv } from '../../helpers/relay-env.ts';
import { type RelayProcess, startRelay, writeConnectorsFile } from '../../helpers/relay-process.ts';
import { bullPrefixOf, testRedis, uniqueName } from '../../helpers/services.ts';
import { startSimulator } from '../../sim/index.ts';

describe('maintenance schedules of the relay as started', () => {
  // Two relay starts and stops, 20 s on a quiet machine.
  it('registers the token keep-alive as a job scheduler every TOKEN_KEEPALIVE_INTERVAL_SECONDS, and a restart updates it', {
    timeout: 90_000,
  }, async () => {
    const sim = await startSimulator({ port: 0 });
    const prefix = uniqueName('jr-keepalive');
    const queue = new Queue(queueNames.maintenance, {
      connection: testRedis(),
      prefix: bullPrefixOf(prefix),
    });
    const redis = testRedis();
    const relays: RelayProcess[] = [];
    const connectorsFile = writeConnectorsFile({
      crm: uniqueName('crm'),
      monitoring: uniqueName('monitoring'),
    });
    onTestFinished(async () => {
      for (const relay of relays) await relay.stop();
      await queue.close();
      await deleteKeysWithPrefix(redis, prefix);
      await sim.close();
      rmSync(connectorsFile, { force: true });
    });
    const env = {
      ...relayServiceEnv(sim),
      ROLE: 'worker',
      QUEUE_PREFIX: prefix,
      CONNECTORS_CONFIG: connectorsFile,
      KAFKA_DLQ_TOPIC: uniqueName('dlq'),
      // Distinct from the other maintenance intervals, so only the keep-alive's own setting can match.
      WEBHOOK_REFRESH_INTERVAL_SECONDS: '3600',
      ACCESSIBLE_RESOURCES_REFRESH_SECONDS: '7200',
    };
    const keepAlive = async () =>
      (await queue.getJobSchedulers()).filter((s) => s.name === maintenanceJobs.keepTokensAlive);

    // /readyz answers only after the workers and their schedules are in place.
    relays.push(await startRelay({ ...env, TOKEN_KEEPALIVE_INTERVAL_SECONDS: '4321' }));
    expect(await keepAlive()).toEqual([
      expect.objectContaining({ key: 'token-keep-alive', every: 4_321_000 }),
    ]);

    await relays[0]?.stop();
    relays.push(await startRelay({ ...env, TOKEN_KEEPALIVE_INTERVAL_SECONDS: '900' }));
    expect(await keepAlive()).toEqual([expect.objectContaining({ key: 'token-keep-alive', every: 900_000 })]);
  });
});
