import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedFinalStates } from '../../../bench/chaos/expected.ts';
import { Load } from '../../../bench/chaos/load.ts';
import { LoadModel } from '../../../bench/chaos/load-model.ts';
import { sleep } from '../../../bench/chaos/processes.ts';
import { lostLines } from '../../../bench/chaos/report.ts';
import { computeFigures } from '../../../bench/chaos/verify.ts';
import { envVars } from '../../../config/schema.ts';
import { Cleanups } from '../../../scripts/demo/cleanups.ts';
import { messageSchemaErrors } from '../../helpers/event-schemas.ts';
import { type FaultPlan, runFaults } from '../../helpers/fleet/faults.ts';
import { ReadinessWatch } from '../../helpers/fleet/readiness-watch.ts';
import { fleetReport } from '../../helpers/fleet/report.ts';
import { type FleetRig, setUpFleet } from '../../helpers/fleet/rig.ts';
import { canRunBroker } from '../kafka/own-broker.ts';

/**
 * The one switch: on the Redis Cluster (and with its failover fault) as soon as the relay's config
 * knows REDIS_CLUSTER_NODES (DESIGN.md, Scale-out); on the one Redis of the test run until then.
 */
const onRedisCluster = 'REDIS_CLUSTER_NODES' in envVars;

const hasRedisServer = await promisify(execFile)('sh', ['-c', 'command -v redis-server']).then(
  () => true,
  () => false,
);
const skipReason = !canRunBroker
  ? 'no Java, or neither the Kafka jars nor Maven (test/infra/kafka-cluster.sh needs them)'
  : onRedisCluster && !hasRedisServer
    ? 'no redis-server for test/infra/redis-cluster.sh'
    : undefined;
if (skipReason) console.log(`fleet test skipped: ${skipReason}`);

const LOAD_SECONDS = 60;
const CHANGES = 200;
const plan = (redisSlot: number | undefined): FaultPlan => ({
  redisSlot,
  kafkaNode: 2,
  workerToKill: 'worker-3',
  atSeconds: { redis: 5, kafka: 15, worker: 38 },
  brokerDownMs: 5000,
  restartDelayMs: 1000,
});

/**
 * The figures once every expected final state is on Kafka, or after 60 s: enough for polls (every
 * 3-10 s), the deletion reconcile (15 s) and BullMQ's stalled-job check (30 s) to take over a
 * killed worker's jobs.
 */
async function awaitFinalStates(rig: FleetRig, expectations: Parameters<typeof computeFigures>[1]) {
  const deadline = Date.now() + 60_000;
  let figures = computeFigures(rig.reader.messages, expectations, rig.topics.dlq);
  while (figures.lost.length > 0 && Date.now() < deadline) {
    await sleep(2000);
    if (rig.reader.crashed) throw new Error(`the Kafka reader crashed: ${rig.reader.crashed}`);
    figures = computeFigures(rig.reader.messages, expectations, rig.topics.dlq);
  }
  await sleep(3000); // late repeats
  await rig.reader.waitCaughtUp();
  return computeFigures(rig.reader.messages, expectations, rig.topics.dlq);
}

describe.skipIf(skipReason !== undefined)(
  'the fleet: 2 api + 3 worker processes behind a load balancer, on a 3-broker Kafka, under faults',
  () => {
    const cleanups = new Cleanups();
    let rig: FleetRig;

    beforeAll(async () => {
      rig = await setUpFleet(cleanups, { redisCluster: onRedisCluster });
      console.log(`fleet set-up: ${rig.setUpTimes}`);
    }, 180_000);

    afterAll(async () => {
      const startedAt = Date.now();
      for (const err of await cleanups.runAll()) console.error('fleet test: while stopping:', err);
      console.log(`fleet teardown: ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    }, 120_000);

    it('publishes every final state once the faults are over, with one ce_id per version, and every process ready again', async () => {
      const model = new LoadModel(Date.now() % 100_000);
      for (const site of rig.sites)
        model.addSeeded(site, await rig.jira.allIssues(site.cloudId, site.projects));
      const readiness = new ReadinessWatch();
      readiness.start(rig.fleet);
      cleanups.add(() => readiness.stop()); // when the test fails before it stops the watch
      const load = new Load(rig.sim, model, rig.sites);
      const loadStartedAt = Date.now();
      const [faults] = await Promise.all([
        runFaults(rig.fleet, plan(rig.redisSlot), loadStartedAt),
        load.run(LOAD_SECONDS, CHANGES),
      ]);
      const loadEndedAt = Date.now();
      const expectations = await expectedFinalStates(rig.jira, model, rig.sites);
      const figures = await awaitFinalStates(rig, expectations);
      await readiness.stop();
      const notReadyAtEnd = await rig.fleet.notReady();
      rig.webhooks.stop();
      const webhooks = rig.webhooks.stats();

      const messages = rig.reader.messages;
      const schemaErrors = messages.flatMap((m) =>
        m.topic === rig.topics.dlq ? [] : messageSchemaErrors(m.headers, m.data),
      );
      const publishTimes = messages
        .filter((m) => m.topic !== rig.topics.dlq)
        .map((m) => m.timestamp)
        .sort((a, b) => a - b);
      console.log(
        fleetReport({
          redis: onRedisCluster ? 'cluster, 3 primaries + 3 replicas' : 'one server',
          figures,
          changes: model.changeCount,
          eventsRead: messages.length,
          schemaErrors: schemaErrors.length,
          faults,
          loadStartedAt,
          loadEndedAt,
          publishTimes,
          samples: readiness.samples,
          webhooks,
          webhooksPerApi: [...rig.balancer.webhooksAnswered.values()],
        }),
        `\nload: ${LOAD_SECONDS} s, ${model.changeCount} changes (${load.failures.length} refused by Jira)`,
      );

      const logs = `relay logs (written when the fleet stops): ${rig.logDir}`;
      const cloudIdOf = (host: string) => rig.sites.find((site) => site.host === host)?.cloudId ?? '';
      const lost = lostLines(figures, { watch: rig.webhooks, cloudIdOf, loadStartedAt, expectations });
      expect(figures.expected, 'the load touched issues and comments').toBeGreaterThan(50);
      expect(lost, logs).toEqual([]);
      expect(figures.sameVersionIds, 'one ce_id per (type, subject, version)').toBe(0);
      expect(schemaErrors).toEqual([]);
      expect(notReadyAtEnd, logs).toEqual([]);
      // Webhooks refused during a fault come back as retries (1 to 16 s apart): none may run out.
      expect(webhooks.failed, `webhook deliveries that gave up; ${logs}`).toBe(0);
      // The balancer spread the webhooks over both api processes.
      expect([...rig.balancer.webhooksAnswered.values()].filter((n) => n > 0)).toHaveLength(2);
    }, 240_000);
  },
);
