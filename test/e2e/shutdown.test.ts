import { afterAll, describe, expect, it } from 'vitest';
import { consentThroughSimulator } from '../helpers/consent.ts';
import { KafkaReader } from '../helpers/kafka-reader.ts';
import { relayServiceEnv } from '../helpers/relay-env.ts';
import { type RelayProcess, startRelay, writeConnectorsFile } from '../helpers/relay-process.ts';
import { kafkaBrokers, uniqueName } from '../helpers/services.ts';
import { type Simulator, startSimulator } from '../sim/index.ts';

describe('graceful shutdown under load', () => {
  let sim: Simulator | undefined;
  let reader: KafkaReader | undefined;
  let relay: RelayProcess | undefined;

  afterAll(async () => {
    await relay?.stop('SIGKILL');
    await reader?.stop();
    await sim?.close();
  });

  it('SIGTERM mid-stream, then a restart: every change arrives on Kafka', async () => {
    // Jira retries a refused delivery for a while; the relay is down only for its restart.
    sim = await startSimulator({
      port: 0,
      sites: 1,
      issuesPerSite: 5,
      webhookRetryDelaysMs: [500, 1000, 2000, 4000, 8000],
    });
    const [site] = sim.sites;
    if (!site) throw new Error('no site');
    const topics = { crm: uniqueName('crm'), monitoring: uniqueName('monitoring') };
    reader = await KafkaReader.start(kafkaBrokers(), [topics.crm, topics.monitoring]);
    const env = {
      ...relayServiceEnv(sim),
      QUEUE_PREFIX: uniqueName('relay'),
      CONNECTORS_CONFIG: writeConnectorsFile(topics),
      SHUTDOWN_TIMEOUT_MS: '20000',
    };
    relay = await startRelay(env);
    const first = relay;
    expect((await consentThroughSimulator(first.url)).status).toBe(200);
    while (sim.control.state().sites[0]?.webhooks !== 1) await new Promise((r) => setTimeout(r, 100));

    const ids: string[] = [];
    const create = (n: number) => {
      for (let i = 0; i < n; i++)
        ids.push(sim?.createIssue(site.cloudId, { fields: { summary: `load ${ids.length}` } }).id ?? '');
    };
    create(40);
    const stopped = first.stop('SIGTERM');
    create(40); // arrives while the relay drains and is down: Jira retries
    expect(await stopped).toBe(0);
    expect(first.output()).not.toMatch(/"level":(50|60)/);

    relay = await startRelay({ ...first.env }, { port: first.port });
    create(20);

    const keys = new Set(ids.map((id) => `${site.host}:${id}`));
    await reader.waitFor(
      (events) =>
        new Set(events.filter((e) => e.topic === topics.crm && keys.has(e.key)).map((e) => e.key)).size ===
        keys.size,
      60_000,
    );
    const crm = reader.events.filter((e) => e.topic === topics.crm && keys.has(e.key));
    // At least once: any repeat carries the id of the first.
    const idsByKey = new Map<string, Set<string>>();
    for (const e of crm) idsByKey.set(e.key, (idsByKey.get(e.key) ?? new Set()).add(e.headers.ce_id ?? ''));
    for (const set of idsByKey.values()) expect(set.size).toBe(1);
  }, 120_000);
});
