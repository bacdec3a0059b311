/**
 * `node scripts/docs-screenshot.ts`: regenerates docs/images/connections-page.png from a real run:
 * the Atlassian simulator with two sites of a few hundred issues each and a slow Jira API, the
 * relay as `npm start` runs it, both sites connected through the consent, Jira activity (with some
 * webhook deliveries lost, so coverage is not a flat 100%), and headless chromium signed in to
 * /admin/connections once both backfills are part-way and the planner has sampled a few times.
 * Needs Redis and Kafka (REDIS_URL / KAFKA_BROKERS, as `npm run demo`) and Debian's chromium.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isKafkajsNegativeTimeout } from '../src/process-warnings.ts';
import { launchBrowser } from '../test/e2e/browser/browser.ts';
import { consentThroughSimulator } from '../test/helpers/consent.ts';
import { deleteKeysAt } from '../test/helpers/redis-keys.ts';
import { startRelay, writeConnectorsFile } from '../test/helpers/relay-process.ts';
import { startSimulator } from '../test/sim/index.ts';
import { Cleanups } from './demo/cleanups.ts';
import { checkRedis, deleteTopics, ensureKafka } from './demo/services.ts';

const root = path.resolve(import.meta.dirname, '..');
const target = path.join(root, 'docs/images/connections-page.png');
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const brokers = process.env.KAFKA_BROKERS || '127.0.0.1:9092';
const adminToken = `docs-${randomBytes(12).toString('hex')}`;
const run = `docs-shot-${randomBytes(3).toString('hex')}`;
const topics = { crm: `${run}.crm`, monitoring: `${run}.monitoring`, dlq: `${run}.dlq` };
/** The bars are photographed while every backfill is between these shares of its total. */
const partWay = { from: 0.25, to: 0.75 };

interface Listed {
  readonly site: { readonly host: string };
  readonly sync: {
    readonly progress: { readonly backfill: { done: number; total: number | null } | null } | null;
  };
}

async function main(cleanups: Cleanups): Promise<void> {
  await checkRedis(redisUrl);
  const stopKafka = await ensureKafka(brokers);
  if (stopKafka) cleanups.add(stopKafka);
  // Slow pages (latency on every Jira call, small pages): a backfill of 300 issues takes a minute.
  const sim = await startSimulator({ port: 0, sites: 2, issuesPerSite: 300, latencyMs: 120 });
  cleanups.add(() => sim.close());
  cleanups.add(() => deleteKeysAt(redisUrl, run));
  cleanups.add(() => deleteTopics(brokers, Object.values(topics)));
  const relay = await startRelay({
    REDIS_URL: redisUrl,
    KAFKA_BROKERS: brokers,
    ATLASSIAN_AUTH_URL: sim.url,
    ATLASSIAN_API_URL: sim.url,
    ATLASSIAN_CLIENT_ID: sim.clientId,
    ATLASSIAN_CLIENT_SECRET: sim.clientSecret,
    ADMIN_TOKEN: adminToken,
    QUEUE_PREFIX: run,
    CONNECTORS_CONFIG: writeConnectorsFile({ crm: topics.crm, monitoring: topics.monitoring }),
    KAFKA_DLQ_TOPIC: topics.dlq,
    KAFKA_TOPIC_PARTITIONS: '1',
    COMMANDS_ENABLED: 'false',
    JIRA_SEARCH_PAGE_SIZE: '10',
    SYNC_BACKFILL_SLICE_PAGES: '1',
    SYNC_POLL_MIN_INTERVAL_SECONDS: '2',
    SYNC_PLAN_INTERVAL_SECONDS: '2',
  });
  cleanups.add(() => relay.stop());
  const consent = await consentThroughSimulator(relay.url, adminToken);
  if (consent.status !== 200) throw new Error(`the consent answered ${consent.status}`);
  sim.setFaults({ webhookDropRate: 0.1 });

  const activity = setInterval(() => touchIssues(sim), 700);
  cleanups.add(() => clearInterval(activity));

  // Signed in before the wait, so the picture is taken the moment the bars are where they should be.
  const browser = await launchBrowser();
  cleanups.add(() => browser.close());
  const { page } = browser;
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${relay.url}/admin/connections`);
  await page.fill('input[name=token]', adminToken);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/admin\/connections$/);
  await untilPartWay(relay.url, Date.now() + 180_000);
  await page.reload();
  await page.screenshot({ path: target, fullPage: true });
  console.log(`wrote ${path.relative(root, target)}`);
}

/** An edit on a random issue of each site: webhooks (some lost) and polls both see it. */
function touchIssues(sim: Awaited<ReturnType<typeof startSimulator>>): void {
  for (const site of sim.sites) {
    const key = `OPS-${1 + Math.floor(Math.random() * 50)}`;
    try {
      sim.updateIssue(site.cloudId, key, { fields: { summary: `edited ${new Date().toISOString()}` } });
    } catch {
      // Not every key exists in every project: the next tick picks another.
    }
  }
}

/** Waits until every site's backfill is part-way and the planner has had time for a few samples. */
async function untilPartWay(relayUrl: string, deadline: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    const response = await fetch(`${relayUrl}/admin/api/connections`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const { connections } = (await response.json()) as { connections: Listed[] };
    const shares = connections.map((c) => {
      const backfill = c.sync.progress?.backfill;
      return backfill?.total ? backfill.done / backfill.total : 0;
    });
    const line = connections
      .map((c, i) => `${c.site.host} ${Math.round((shares[i] ?? 0) * 100)}%`)
      .join(', ');
    console.log(`backfills: ${line}`);
    const ready = shares.length === 2 && shares.every((s) => s >= partWay.from && s <= partWay.to);
    if (ready && Date.now() - started > 12_000) return;
    if (shares.some((s) => s > partWay.to))
      throw new Error('a backfill went past the mark: slow the simulator');
    if (Date.now() > deadline) throw new Error('the backfills did not get part-way in time');
    await sleep(1000);
  }
}

// kafkajs's admin client (deleting this run's topics) sets a negative timeout Node warns about.
const warningPrinters = process.listeners('warning');
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (!isKafkajsNegativeTimeout(warning)) for (const print of warningPrinters) print.call(process, warning);
});
const cleanups = new Cleanups();
try {
  await main(cleanups);
} finally {
  for (const err of await cleanups.runAll()) console.error(err);
}
