import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { consentThroughSimulator } from '../../helpers/consent.ts';
import { KafkaReader, type ReadEvent } from '../../helpers/kafka-reader.ts';
import { relayServiceEnv } from '../../helpers/relay-env.ts';
import { type RelayProcess, startRelay } from '../../helpers/relay-process.ts';
import { kafkaBrokers, uniqueName } from '../../helpers/services.ts';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import type { SimulatorOptions } from '../../sim/options.ts';
import { jiraRequest, type LooseJson, obtainTokens } from '../../sim/test-client.ts';

/** Both connectors, unfiltered; the CRM one with a status mapping for `crm.ticket.update` to reverse. */
function connectorsFile(topics: { crm: string; monitoring: string }): string {
  const file = path.join(tmpdir(), `${uniqueName('connectors')}.yaml`);
  writeFileSync(
    file,
    [
      'connectors:',
      '  crm:',
      '    enabled: true',
      `    topic: ${topics.crm}`,
      '    statuses:',
      '      open: [To Do]',
      '      in_progress: [In Progress, In Review]',
      '      closed: [Done]',
      '  monitoring:',
      '    enabled: true',
      `    topic: ${topics.monitoring}`,
      '',
    ].join('\n'),
  );
  return file;
}

export interface CommandSpec {
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly site?: string;
  readonly id?: string;
  readonly source?: string;
  readonly key?: string;
}

/**
 * The relay as a user runs it (npm start: api and worker roles in one process), two simulated
 * sites connected by consent, Kafka topics of its own, a producer of commands and a reader of
 * every topic the relay writes. Commands and results go through real Kafka.
 */
export async function startTwoWayStack(
  opts: { sim?: SimulatorOptions; env?: Record<string, string>; brokers?: string[] } = {},
) {
  const brokers = opts.brokers ?? kafkaBrokers();
  const topics = {
    crm: uniqueName('crm'),
    monitoring: uniqueName('monitoring'),
    commands: uniqueName('commands'),
    results: uniqueName('results'),
    dlq: uniqueName('dlq'),
  };
  const sim: Simulator = await startSimulator({
    port: 0,
    sites: 2,
    issuesPerSite: 5,
    webhookRetryDelaysMs: [50, 100, 200, 400, 800],
    ...opts.sim,
  });
  const reader = await KafkaReader.start(brokers, Object.values(topics));
  const env = {
    ...relayServiceEnv(sim),
    KAFKA_BROKERS: brokers.join(','),
    // A relay started again must read the grants the first one sealed.
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    QUEUE_PREFIX: uniqueName('relay'),
    CONNECTORS_CONFIG: connectorsFile(topics),
    KAFKA_DLQ_TOPIC: topics.dlq,
    KAFKA_TOPIC_PARTITIONS: '3',
    KAFKA_COMMANDS_TOPIC: topics.commands,
    KAFKA_COMMAND_RESULTS_TOPIC: topics.results,
    KAFKA_COMMANDS_GROUP: uniqueName('commands-group'),
    COMMAND_RETRY_BASE_MS: '200',
    ...opts.env,
  };
  const relays: RelayProcess[] = [await startRelay(env)];
  const consent = await consentThroughSimulator(relays[0]?.url ?? '');
  if (consent.status !== 200) throw new Error(`consent failed: ${consent.status}`);
  const kafka = new Kafka({
    clientId: 'command-sender',
    brokers,
    logLevel: logLevel.NOTHING,
  });
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const token = (await obtainTokens(sim.url, { loginHint: sim.users[0]?.accountId ?? '' })).access_token;

  const site = (host?: string) => {
    const found = host ? sim.sites.find((s) => s.host === host) : sim.sites[0];
    if (!found) throw new Error(`no site ${host}`);
    return found;
  };

  return {
    sim,
    reader,
    topics,
    env,
    relays,
    site,
    /** Sends a command (a CloudEvent in binary mode); returns its id. */
    async send(spec: CommandSpec): Promise<string> {
      const id = spec.id ?? randomUUID();
      const host = spec.site ?? site().host;
      const issue = typeof spec.data.issue === 'string' ? spec.data.issue : `new:${id}`;
      await producer.send({
        topic: topics.commands,
        acks: -1,
        messages: [
          {
            key: spec.key ?? `${host}:${issue}`,
            value: JSON.stringify(spec.data),
            headers: {
              ce_specversion: '1.0',
              ce_id: id,
              ce_source: spec.source ?? 'urn:test:crm',
              ce_type: `dev.jirarelay.${spec.type}`,
              ce_time: new Date().toISOString(),
              ce_jirasite: host,
              'content-type': 'application/json',
            },
          },
        ],
      });
      return id;
    },
    /** Every result event read for a command id, waiting for at least `count`. */
    async results(commandId: string, count = 1, timeoutMs = 30_000): Promise<ReadEvent[]> {
      const mine = (all: readonly ReadEvent[]) =>
        all.filter((e) => e.topic === topics.results && e.data.commandId === commandId);
      return mine(await reader.waitFor((all) => mine(all).length >= count, timeoutMs));
    },
    /** Jira's REST view of an issue (with the origin property). */
    async issue(key: string, host?: string): Promise<LooseJson> {
      const target = { simUrl: sim.url, token, cloudId: site(host).cloudId };
      const res = await jiraRequest(
        target,
        'GET',
        `/issue/${key}?properties=jira-relay.origin&expand=changelog`,
      );
      return res.json;
    },
    async jira(method: string, path: string, body?: unknown, host?: string) {
      return jiraRequest({ simUrl: sim.url, token, cloudId: site(host).cloudId }, method, path, body);
    },
    async restartRelay(signal: NodeJS.Signals = 'SIGTERM'): Promise<RelayProcess> {
      const old = relays.pop();
      await old?.stop(signal);
      const next = await startRelay(env);
      relays.push(next);
      return next;
    },
    async stop(): Promise<void> {
      await Promise.all(relays.map((r) => r.stop()));
      await producer.disconnect();
      await reader.stop();
      await sim.close();
    },
  };
}

export type TwoWayStack = Awaited<ReturnType<typeof startTwoWayStack>>;
