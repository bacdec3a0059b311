/**
 * `npm run demo`: the Atlassian simulator, the relay (api + workers, as `npm start` runs it) and
 * Jira activity, with every CloudEvent read back from Kafka printed on one line. After the first
 * round of activity, two commands come the other way (two-way sync: scripts/demo/two-way.ts).
 * Runs until Ctrl-C, or for DEMO_SECONDS seconds. Uses REDIS_URL / KAFKA_BROKERS when they answer.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { isKafkajsNegativeTimeout } from '../src/process-warnings.ts';
import { deleteKeysAt } from '../test/helpers/redis-keys.ts';
import { type Simulator, startSimulator } from '../test/sim/index.ts';
import { Cleanups } from './demo/cleanups.ts';
import { CommandSender } from './demo/command-sender.ts';
import { eventLine } from './demo/event-line.ts';
import { EventLog } from './demo/event-log.ts';
import { checkRedis, deleteTopics, ensureKafka } from './demo/services.ts';
import { showTwoWaySync } from './demo/two-way.ts';
import { answers } from './tcp-answers.ts';

const root = path.resolve(import.meta.dirname, '..');
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const brokers = process.env.KAFKA_BROKERS || '127.0.0.1:9092';
const port = Number(process.env.PORT || 3000);
const seconds = Number(process.env.DEMO_SECONDS || 0);
const adminToken = process.env.ADMIN_TOKEN || `demo-${randomBytes(12).toString('hex')}`;
const topics = ['jira.crm.events', 'jira.monitoring.events', 'jira.relay.dlq'];
// The commands and results topics are this run's own: a shared commands topic would hand this run's
// commands to another relay in the group, or an earlier run's unanswered ones to this simulator.
const run = randomBytes(3).toString('hex');
const commandTopics = { commands: `jira.commands.demo-${run}`, results: `jira.command.results.demo-${run}` };
const cleanups = new Cleanups();
const events = new EventLog();

async function startRelay(sim: Simulator): Promise<ChildProcess> {
  const prefix = process.env.QUEUE_PREFIX || `demo-${randomBytes(3).toString('hex')}`;
  // A generated prefix belongs to this run alone (its encryption key dies with it): its keys go
  // once the relay has stopped (cleanups run last-in, first-out).
  if (!process.env.QUEUE_PREFIX) cleanups.add(() => deleteKeysAt(redisUrl, prefix));
  cleanups.add(() => deleteTopics(brokers, Object.values(commandTopics)));
  if (await answers(`127.0.0.1:${port}`)) throw new Error(`port ${port} is taken: set PORT to a free one`);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PORT: String(port),
      PUBLIC_URL: url,
      REDIS_URL: redisUrl,
      KAFKA_BROKERS: brokers,
      ATLASSIAN_AUTH_URL: sim.url,
      ATLASSIAN_API_URL: sim.url,
      ATLASSIAN_CLIENT_ID: sim.clientId,
      ATLASSIAN_CLIENT_SECRET: sim.clientSecret,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_TOKEN: adminToken,
      CONNECTORS_CONFIG: process.env.CONNECTORS_CONFIG || 'config/connectors.demo.yaml',
      QUEUE_PREFIX: prefix,
      KAFKA_COMMANDS_TOPIC: commandTopics.commands,
      KAFKA_COMMAND_RESULTS_TOPIC: commandTopics.results,
      KAFKA_COMMANDS_GROUP: `jira-relay-commands-demo-${run}`,
      LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
    },
  });
  cleanups.add(() => stopChild(child));
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the relay exited with code ${child.exitCode}`);
    if (
      (await fetch(`${url}/readyz`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      return child;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the relay did not become ready within 60 s');
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * The operator's and the browser's part of OAuth, done for you: a connect link from the admin API,
 * /oauth/start, the simulator's consent, the callback.
 */
async function connect(): Promise<void> {
  const link = await fetch(`http://127.0.0.1:${port}/admin/api/connect-links`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (link.status !== 201) throw new Error(`connect link answered ${link.status}`);
  const { url } = (await link.json()) as { url: string };
  const start = await fetch(url, { redirect: 'manual' });
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const consent = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
  const callback = await fetch(consent.headers.get('location') ?? '', { headers: { cookie } });
  if (callback.status !== 200) throw new Error(`OAuth callback answered ${callback.status}`);
}

async function readEvents(): Promise<void> {
  const kafka = new Kafka({
    clientId: 'jira-relay-demo',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `demo-${randomBytes(4).toString('hex')}` });
  cleanups.add(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: false });
  // This run's results topic is new: read from its beginning, so no result can slip past.
  await consumer.subscribe({ topics: [commandTopics.results], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      const data = JSON.parse(String(message.value)) as Record<string, unknown>;
      events.add({ topic, headers, data });
      console.log(eventLine(headers, data));
    },
  });
}

/**
 * Jira activity on the first site, one step every 1.5 s: create, edit, transition, comment, delete,
 * round after round. After the first round, `afterFirstRound` runs with the activity paused, so what
 * it prints is not mixed with the activity's events.
 */
async function driveActivity(sim: Simulator, afterFirstRound: () => Promise<void>): Promise<void> {
  const [site] = sim.sites;
  if (!site) return;
  const stop = new AbortController();
  cleanups.add(() => stop.abort());
  let key = '';
  const steps = [
    () =>
      (key = sim.createIssue(site.cloudId, {
        fields: { summary: 'Checkout page returns 500', description: 'Customers *cannot* pay.' },
      }).key),
    () => sim.updateIssue(site.cloudId, key, { fields: { priority: { name: 'Highest' } } }),
    () => sim.transition(site.cloudId, key, 'In Progress'),
    () => sim.addComment(site.cloudId, key, 'Rolled back the last deploy; watching error rates.'),
    () => sim.transition(site.cloudId, key, 'Done'),
    () => sim.deleteIssue(site.cloudId, key),
  ];
  for (let round = 0; ; round++) {
    for (const step of steps) {
      const stopped = await sleep(1500, false, { signal: stop.signal }).catch(() => true);
      if (stopped) return;
      try {
        step();
      } catch (err) {
        console.error(`simulator step failed: ${(err as Error).message}`);
      }
    }
    if (round === 0) await afterFirstRound();
  }
}

/** The two-way part: commands sent as a CRM and a pager would, and what came of them. */
async function sendCommands(sim: Simulator): Promise<void> {
  const sender = await CommandSender.connect(brokers.split(','), commandTopics.commands);
  try {
    await showTwoWaySync({
      sim,
      events,
      sender,
      topics: { ...commandTopics, crm: 'jira.crm.events', monitoring: 'jira.monitoring.events' },
      relayUrl: `http://127.0.0.1:${port}`,
      adminToken,
    });
  } catch (err) {
    console.error(`two-way part failed: ${(err as Error).message}`);
  } finally {
    await sender.close();
  }
}

async function main(): Promise<void> {
  await checkRedis(redisUrl);
  const stopKafka = await ensureKafka(brokers);
  if (stopKafka) cleanups.add(stopKafka);
  const sim = await startSimulator({ port: Number(process.env.SIM_PORT || 0), issuesPerSite: 50 });
  cleanups.add(() => sim.close());
  await startRelay(sim);
  await readEvents();
  await connect();
  console.log(`\njira-relay is running on http://127.0.0.1:${port} against the simulator at ${sim.url}`);
  console.log(`dashboard: http://127.0.0.1:${port}/admin/queues  (token: ${adminToken})`);
  console.log(`metrics:   http://127.0.0.1:${port}/metrics`);
  console.log(
    `${seconds > 0 ? `running for ${seconds} s` : 'Ctrl-C stops everything'}; events as they arrive on Kafka:\n`,
  );
  void driveActivity(sim, () => sendCommands(sim));
  if (seconds > 0) setTimeout(() => void shutdown(0), seconds * 1000);
}

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Last in, first out: the activity, then the Kafka reader, then the relay, before the simulator
  // and the broker it talks to.
  for (const err of await cleanups.runAll())
    console.error(`demo: while stopping: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(code);
}

// kafkajs 2.2.4's one known false alarm on Node 24 (see src/process-warnings.ts) is not shown.
const warningPrinters = process.listeners('warning');
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (!isKafkajsNegativeTimeout(warning)) for (const print of warningPrinters) print.call(process, warning);
});
process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));
main().catch(async (err: Error) => {
  console.error(`demo: ${err.message}`);
  await shutdown(1);
});
