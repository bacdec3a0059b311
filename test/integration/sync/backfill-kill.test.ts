import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueNames } from '../../../src/queues/queue-names.ts';
import { consentThroughSimulator } from '../../helpers/consent.ts';
import { KafkaReader } from '../../helpers/kafka-reader.ts';
import { scanKeys } from '../../helpers/redis-keys.ts';
import { relayServiceEnv } from '../../helpers/relay-env.ts';
import { type RelayProcess, startRelay, writeConnectorsFile } from '../../helpers/relay-process.ts';
import { bullPrefixOf, kafkaBrokers, testRedis, uniqueName } from '../../helpers/services.ts';
import { waitUntil as waitFor } from '../../helpers/wait-until.ts';
import { type Simulator, startSimulator } from '../../sim/index.ts';

const ISSUES = 2000;
const TICKET = 'dev.jirarelay.crm.ticket.upserted';

function waitUntil(what: string, check: () => Promise<boolean> | boolean) {
  return waitFor(what, check, { timeoutMs: 120_000, everyMs: 100 });
}

async function consent(relay: RelayProcess): Promise<void> {
  const { status } = await consentThroughSimulator(relay.url);
  if (status !== 200) throw new Error(`consent answered ${status}`);
}

describe('a backfill survives SIGKILL', () => {
  let sim: Simulator;

  beforeAll(async () => {
    // Slow pages, so the backfill is still running when the worker is killed.
    sim = await startSimulator({ port: 0, sites: 1, issuesPerSite: ISSUES, latencyMs: 100 });
  });
  afterAll(() => sim?.close());

  const searches = () =>
    Object.entries(sim.stats().requests)
      .filter(([route]) => route.includes('/search/jql'))
      .reduce((sum, [, n]) => sum + n, 0);

  /** One relay run from consent to a drained pipeline; returns the distinct ce_ids it published. */
  async function run(kill: boolean): Promise<Set<string>> {
    const prefix = uniqueName('kill');
    const topics = { crm: uniqueName('crm'), monitoring: uniqueName('monitoring') };
    const reader = await KafkaReader.start(kafkaBrokers(), [topics.crm, topics.monitoring]);
    const env = {
      ...relayServiceEnv(sim),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      QUEUE_PREFIX: prefix,
      CONNECTORS_CONFIG: writeConnectorsFile(topics),
      KAFKA_DLQ_TOPIC: uniqueName('dlq'),
      KAFKA_TOPIC_PARTITIONS: '3',
      SYNC_JOB_LOCK_MS: '4000',
      SYNC_SITE_LEASE_MS: '4000',
      SYNC_SITE_BUSY_RETRY_MS: '200',
      SYNC_BACKFILL_SLICE_PAGES: '2',
    };
    const redis = testRedis();
    // The site's backfill checkpoint, found by SCAN on every primary (KEYS asks one node of a cluster).
    let backfillKey: string | undefined;
    const checkpoint = async (): Promise<Record<string, string>> => {
      backfillKey ??= (await scanKeys(redis, prefix)).find((key) => /^[^:]+:sync:[^:]+:backfill$/.test(key));
      return backfillKey ? redis.hgetall(backfillKey) : {};
    };
    let relay = await startRelay(env);
    try {
      await consent(relay);
      let searchesAtRestart: number | undefined;
      if (kill) {
        await waitUntil(
          'half the backfill',
          async () => Number((await checkpoint()).issues ?? 0) >= ISSUES / 2,
        );
        expect((await checkpoint()).status).toBe('running');
        relay.child.kill('SIGKILL');
        await relay.stop();
        searchesAtRestart = searches();
        relay = await startRelay(env);
      }
      await waitUntil('the backfill', async () => (await checkpoint()).status === 'done');
      if (searchesAtRestart !== undefined) {
        // Resumed from the checkpoint: fewer pages after the restart than a backfill from scratch needs.
        expect(searches() - searchesAtRestart).toBeLessThan(ISSUES / 100);
      }
      const changes = new Queue(queueNames.changes, { connection: redis, prefix: bullPrefixOf(prefix) });
      await waitUntil('the change queue to drain', async () => {
        const counts = await changes.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        return Object.values(counts).every((n) => n === 0);
      });
      await changes.close();
      const events = await reader.waitFor(
        (all) => new Set(all.filter((e) => e.headers.ce_type === TICKET).map((e) => e.key)).size >= ISSUES,
      );
      await new Promise((r) => setTimeout(r, 1000)); // anything still on its way to the reader
      return new Set([...events, ...reader.events].map((e) => e.headers.ce_id ?? ''));
    } finally {
      await relay.stop();
      await reader.stop();
    }
  }

  it('resumes from its checkpoint after a restart and publishes the same ce_ids as a run without the kill', async () => {
    const undisturbed = await run(false);
    const killed = await run(true);
    expect(undisturbed.size).toBeGreaterThan(ISSUES);
    expect([...killed].filter((id) => !undisturbed.has(id))).toEqual([]);
    expect([...undisturbed].filter((id) => !killed.has(id))).toEqual([]);
  }, 300_000);
});
