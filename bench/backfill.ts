/**
 * Backfill benchmark (not a test): 20,000 issues from the Atlassian simulator to Kafka, through a
 * real relay process (`node src/main.ts`), compared in the same run with a naive strategy that
 * lists the ids and then makes one issue GET and one comments call per issue (its changes go into a
 * second relay's change queue, so both publish through the same pipeline).
 *   node bench/backfill.ts [sites] [issuesPerSite]     (defaults: 4 x 5000; REDIS_URL, KAFKA_BROKERS)
 * The simulator runs in a child process, with quotas high and bursts off: the budget is not the
 * limit here, the relay's own per-site rate cap (JIRA_SITE_MAX_RPS, 10/s) is. Reports issues/s from
 * the start to the last issue's CRM event on Kafka, and requests and points per 1,000 issues as the
 * simulator counted them. Writes bench/results/backfill.{json,md}.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import type { JiraComment } from '../src/atlassian/jira/jira-reads.ts';
import type { JiraIssue } from '../src/atlassian/jira/jira-search.ts';
import {
  commentChangesOf,
  issueChangeOf,
  type SyncStamp,
  syncedIssue,
} from '../src/normalize/polled-changes.ts';
import { BullChangeQueue } from '../src/queues/change-queue.ts';
import { queueNames } from '../src/queues/queue-names.ts';
import { syncFields } from '../src/sync/sync-scope.ts';
import { consentThroughSimulator } from '../test/helpers/consent.ts';
import { KafkaReader } from '../test/helpers/kafka-reader.ts';
import { deleteKeysAt } from '../test/helpers/redis-keys.ts';
import { atlassianEnv } from '../test/helpers/relay-env.ts';
import { type RelayProcess, startRelay, writeConnectorsFile } from '../test/helpers/relay-process.ts';

const TICKET = 'dev.jirarelay.crm.ticket.upserted';
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const unique = (p: string) => `${p}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

interface SimInfo {
  url: string;
  clientId: string;
  clientSecret: string;
  sites: { cloudId: string; host: string }[];
}

interface Row {
  strategy: string;
  issues: number;
  seconds: number;
  issuesPerSecond: number;
  requests: number;
  points: number;
  requestsPer1000: number;
  pointsPer1000: number;
  /** Requests and points per Jira route during the run. */
  byRoute: Counts['byRoute'];
}

if (process.argv[2] === '--serve') await serve(Number(process.argv[3]), Number(process.argv[4]));
else await main(Number(process.argv[2] ?? 4), Number(process.argv[3] ?? 5000));

async function serve(sites: number, issuesPerSite: number): Promise<void> {
  const { startSimulator } = await import('../test/sim/index.ts');
  const sim = await startSimulator({
    port: 0,
    sites,
    issuesPerSite,
    pointsPerWindow: Number.MAX_SAFE_INTEGER,
    burstGetPostPerSecond: 0,
  });
  const info: SimInfo = {
    url: sim.url,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    sites: sim.sites,
  };
  process.send?.(info);
  process.on('message', async () => {
    await sim.close();
    process.exit(0);
  });
}

/** What the simulator counted so far: Jira API requests and points, in all and by route. */
async function counters(sim: SimInfo): Promise<Counts> {
  const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as {
    requests: Record<string, number>;
    pointsBySite: Record<string, number>;
    pointsByRoute: Record<string, number>;
  };
  const byRoute: Record<string, { requests: number; points: number }> = {};
  const add = (key: string, what: 'requests' | 'points', n: number) => {
    const [method, route] = key.split(' ');
    const at = route?.indexOf('/rest/api/3/') ?? -1;
    if (!route || at < 0) return;
    const name = `${method} ${route.slice(at + '/rest/api/3'.length)}`;
    byRoute[name] ??= { requests: 0, points: 0 };
    byRoute[name][what] += n;
  };
  for (const [key, n] of Object.entries(stats.requests)) add(key, 'requests', n);
  for (const [key, n] of Object.entries(stats.pointsByRoute)) add(key, 'points', n);
  const requests = Object.values(byRoute).reduce((sum, r) => sum + r.requests, 0);
  return { requests, points: Object.values(stats.pointsBySite).reduce((a, b) => a + b, 0), byRoute };
}

function relayEnv(sim: SimInfo, prefix: string, topics: { crm: string; monitoring: string }) {
  return {
    REDIS_URL: redisUrl,
    KAFKA_BROKERS: brokers.join(','),
    ...atlassianEnv(sim),
    QUEUE_PREFIX: prefix,
    CONNECTORS_CONFIG: writeConnectorsFile(topics),
    KAFKA_DLQ_TOPIC: unique('bench-dlq'),
    KAFKA_TOPIC_PARTITIONS: '6',
    LOG_LEVEL: 'warn',
    // Tunables to try (SYNC_INLINE_CHANGES=64 node bench/backfill.ts) reach the relay as they are.
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k]) => /^(SYNC|JIRA|WORKER|KAFKA_LINGER)_/.test(k)),
    ),
  };
}

async function consent(relay: RelayProcess): Promise<void> {
  const { status } = await consentThroughSimulator(relay.url);
  if (status !== 200) throw new Error(`consent answered ${status}`);
}

/** Waits until every issue has its CRM ticket event on the topics the reader follows. */
async function allPublished(reader: KafkaReader, total: number): Promise<void> {
  await reader.waitFor(
    (events) => new Set(events.filter((e) => e.headers.ce_type === TICKET).map((e) => e.key)).size >= total,
    900_000,
  );
}

function row(strategy: string, issues: number, ms: number, before: Counts, after: Counts): Row {
  const requests = after.requests - before.requests;
  const points = after.points - before.points;
  return {
    strategy,
    issues,
    seconds: ms / 1000,
    issuesPerSecond: issues / (ms / 1000),
    requests,
    points,
    requestsPer1000: (requests / issues) * 1000,
    pointsPer1000: (points / issues) * 1000,
    byRoute: Object.fromEntries(
      Object.entries(after.byRoute).map(([route, r]) => {
        const was = before.byRoute[route] ?? { requests: 0, points: 0 };
        return [route, { requests: r.requests - was.requests, points: r.points - was.points }];
      }),
    ),
  };
}

interface Counts {
  readonly requests: number;
  readonly points: number;
  readonly byRoute: Record<string, { readonly requests: number; readonly points: number }>;
}

/** The relay: consent, then its own backfill of every site, until the last issue is on Kafka. */
async function relayBackfill(sim: SimInfo, total: number): Promise<Row> {
  const topics = { crm: unique('bench-crm'), monitoring: unique('bench-mon') };
  const prefix = unique('bench-backfill');
  const reader = await KafkaReader.start(brokers, [topics.crm, topics.monitoring]);
  const relay = await startRelay(relayEnv(sim, prefix, topics));
  try {
    const before = await counters(sim);
    const t0 = performance.now();
    await consent(relay);
    await allPublished(reader, total);
    return row(
      'relay backfill (search pages of 100, comments past 20)',
      total,
      performance.now() - t0,
      before,
      await counters(sim),
    );
  } finally {
    await relay.stop();
    await reader.stop();
    await deleteKeysAt(redisUrl, prefix);
  }
}

/** The naive strategy: ids first, then one issue GET and one comments call per issue. */
async function naiveBackfill(sim: SimInfo, total: number): Promise<Row> {
  const topics = { crm: unique('bench-crm'), monitoring: unique('bench-mon') };
  const prefix = unique('bench-naive');
  const reader = await KafkaReader.start(brokers, [topics.crm, topics.monitoring]);
  const relay = await startRelay(relayEnv(sim, prefix, topics));
  const queue = new Queue(queueNames.changes, { connection: { url: redisUrl }, prefix });
  const changes = new BullChangeQueue(queue);
  try {
    const { obtainTokens } = await import('../test/sim/test-client.ts');
    const { access_token } = await obtainTokens(sim.url);
    const before = await counters(sim);
    const t0 = performance.now();
    for (const site of sim.sites) {
      const call = jira(sim.url, site.cloudId, access_token);
      const stamp: SyncStamp = {
        site: { host: site.host, cloudId: site.cloudId },
        source: 'backfill',
        observedAt: Date.now(),
        markdown: false,
      };
      const ids = await listIds(call);
      await inParallel(ids, 8, async (id) => {
        const issue = await call<JiraIssue>(`issue/${id}?fields=${syncFields([]).join(',')}`);
        const comments = await call<{ comments: JiraComment[] }>(`issue/${id}/comment?maxResults=100`);
        const synced = syncedIssue(issue, stamp);
        if (!synced) return;
        const issueChange = issueChangeOf(synced, undefined, stamp);
        const commentChanges = commentChangesOf(synced, comments.comments, new Map(), stamp).changes;
        await changes.enqueue([...(issueChange ? [issueChange] : []), ...commentChanges]);
      });
    }
    await allPublished(reader, total);
    return row(
      'naive (issue GET + comments GET per issue)',
      total,
      performance.now() - t0,
      before,
      await counters(sim),
    );
  } finally {
    await queue.close();
    await relay.stop();
    await reader.stop();
    await deleteKeysAt(redisUrl, prefix);
  }
}

function jira(url: string, cloudId: string, token: string) {
  return async <T>(pathAndQuery: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}/ex/jira/${cloudId}/rest/api/3/${pathAndQuery}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status !== 200) throw new Error(`${pathAndQuery} answered ${res.status}`);
    return (await res.json()) as T;
  };
}

async function listIds(call: ReturnType<typeof jira>): Promise<string[]> {
  const ids: string[] = [];
  let next: string | undefined;
  do {
    const page = await call<{ issues: { id: string }[]; nextPageToken?: string }>('search/jql', {
      jql: 'project in (OPS, CRM, WEB) ORDER BY id ASC',
      fields: ['id'],
      maxResults: 5000,
      ...(next ? { nextPageToken: next } : {}),
    });
    ids.push(...page.issues.map((i) => i.id));
    next = page.nextPageToken;
  } while (next);
  return ids;
}

async function inParallel<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

async function main(sites: number, issuesPerSite: number): Promise<void> {
  const total = sites * issuesPerSite;
  const child = fork(import.meta.filename, ['--serve', String(sites), String(issuesPerSite)], {
    stdio: 'inherit',
  });
  const sim = await new Promise<SimInfo>((resolve) => child.once('message', (m) => resolve(m as SimInfo)));
  try {
    const rows = [await relayBackfill(sim, total), await naiveBackfill(sim, total)];
    report(rows, sites, issuesPerSite);
  } finally {
    child.send('stop');
  }
}

function report(rows: readonly Row[], sites: number, issuesPerSite: number): void {
  const cpus = os.cpus();
  const lines = [
    '# Backfill benchmark',
    '',
    `${new Date().toISOString()}, Node ${process.version}, ${cpus.length} x ${cpus[0]?.model ?? 'cpu'}. ` +
      `${sites} sites x ${issuesPerSite} issues (${sites * issuesPerSite}) from the simulator (child process, quotas high,` +
      ' bursts off) to Kafka through a real relay process; Redis and the broker on this machine. Issues/s: from the' +
      " start (the consent, for the relay) to the last issue's CRM event read back from Kafka. Requests and points:" +
      ' as the simulator counted them (points: 1 + objects returned per request).',
    '',
    '| strategy | issues | seconds | issues/s | requests / 1,000 issues | points / 1,000 issues | points / issue |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.strategy} | ${r.issues} | ${r.seconds.toFixed(1)} | **${r.issuesPerSecond.toFixed(0)}** | ${r.requestsPer1000.toFixed(1)} | ${r.pointsPer1000.toFixed(0)} | **${(r.pointsPer1000 / 1000).toFixed(3)}** |`,
    ),
    '',
    'Goals: at most 1.05 points per issue; at least 1,000 issues/s when the budget is not the limit.',
    '',
    'Where the points went (requests and points per Jira route, `/rest/api/3/` left out):',
    '',
    '| strategy | route | requests | points | points / issue |',
    '|---|---|---|---|---|',
    ...rows.flatMap((r) =>
      Object.entries(r.byRoute)
        .filter(([, c]) => c.requests > 0)
        .sort(([, a], [, b]) => b.points - a.points)
        .map(
          ([route, c]) =>
            `| ${r.strategy.split(' (')[0]} | \`${route}\` | ${c.requests} | ${c.points} | ${(c.points / r.issues).toFixed(3)} |`,
        ),
    ),
  ];
  const markdown = lines.join('\n');
  const dir = path.join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'backfill.md'), `${markdown}\n`);
  writeFileSync(
    path.join(dir, 'backfill.json'),
    `${JSON.stringify({ sites, issuesPerSite, rows }, null, 2)}\n`,
  );
  console.log(markdown);
}
