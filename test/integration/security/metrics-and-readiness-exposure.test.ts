import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../../config/index.ts';
import { buildApp, buildMetricsApp } from '../../../src/app.ts';
import { createMetrics } from '../../../src/metrics/registry.ts';
import type { SyncMetricsSnapshot } from '../../../src/metrics/sync-families.ts';
import { captureLog } from '../../helpers/log-capture.ts';
import { freePort, startRelay } from '../../helpers/relay-process.ts';
import { kafkaBrokers, redisEnv, uniqueName } from '../../helpers/services.ts';
import { validEnv } from '../../helpers/valid-env.ts';

const tenant = 'tenant-a.atlassian.net';
const snapshot: SyncMetricsSnapshot = {
  budget: [],
  pointsThisWindow: { [tenant]: 5 },
  pointsTotal: {},
  pollOnlyShare: {},
  webhookCoverage: {},
  webhookLatenessSeconds: {},
  pollLagSeconds: {},
  pollIntervalSeconds: {},
  connectionsByStatus: {},
  connectionStatusBySite: {},
};

async function listen(app: FastifyInstance, port = 0): Promise<string> {
  onTestFinished(() => app.close());
  return app.listen({ port, host: '127.0.0.1' });
}

/**
 * Issue 17, "/metrics lists tenant hosts and /readyz returns raw errors, both on the public port":
 * with METRICS_PORT set, the public port has no /metrics (every tenant's site host is a label
 * there); /readyz names what is down and nothing else (errors carry hosts, users, addresses).
 */
describe('what the public port tells strangers', () => {
  it('serves /metrics only on METRICS_PORT when it is set', async () => {
    const metricsPort = await freePort();
    const config = loadConfig(validEnv({ METRICS_PORT: String(metricsPort) }));
    const { log } = captureLog('silent');
    const metrics = createMetrics({ syncState: async () => snapshot });
    const publicUrl = await listen(await buildApp({ config, log, readiness: [], metrics }));
    const privateUrl = await listen(await buildMetricsApp({ config, log, metrics }), metricsPort);

    const onPublic = await fetch(`${publicUrl}/metrics`);
    expect(onPublic.status).toBe(404);
    expect(await onPublic.text()).not.toContain(tenant);
    const onPrivate = await fetch(`${privateUrl}/metrics`);
    expect(onPrivate.status).toBe(200);
    expect(await onPrivate.text()).toContain(tenant);
    expect((await fetch(`${privateUrl}/readyz`)).status).toBe(404);

    const unset = loadConfig(validEnv());
    const todays = await listen(await buildApp({ config: unset, log, readiness: [], metrics }));
    expect(await (await fetch(`${todays}/metrics`)).text()).toContain(tenant);
  });

  it('starts the relay (npm start) with /metrics on METRICS_PORT and not on PORT', {
    timeout: 90_000,
  }, async () => {
    const metricsPort = await freePort();
    const queuePrefix = uniqueName('relay-metrics');
    const relay = await startRelay({
      ROLE: 'api',
      METRICS_PORT: String(metricsPort),
      QUEUE_PREFIX: queuePrefix,
      ...redisEnv(),
      KAFKA_BROKERS: kafkaBrokers().join(','),
      ATLASSIAN_CLIENT_ID: 'sim-client-id',
      ATLASSIAN_CLIENT_SECRET: 'sim-client-secret',
    });
    // Its keys carry this run's tag in QUEUE_PREFIX: the run's teardown removes them.
    onTestFinished(() => relay.stop().then(() => undefined));
    expect((await fetch(`${relay.url}/metrics`)).status).toBe(404);
    const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('jira_relay_');
  });

  it('answers /readyz with the names of what is down, never the errors, which go to the log', async () => {
    const dead = new Redis(`redis://relay:hunter2@127.0.0.1:${await freePort()}`, {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on('error', () => undefined);
    onTestFinished(() => dead.disconnect());
    const { log, records } = captureLog('info');
    const app = await buildApp({
      config: loadConfig(validEnv()),
      log,
      readiness: [
        { name: 'redis', check: async () => void (await dead.ping()) },
        {
          name: 'kafka',
          check: async () => {
            throw new Error(
              'Connection error: connect ECONNREFUSED 10.20.30.40:9093 (broker kafka-0.internal)',
            );
          },
        },
        { name: 'disk', check: async () => undefined },
      ],
    });
    onTestFinished(() => app.close());
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'not ready', down: ['redis', 'kafka'] });
    const logged = records().filter((r) => r.msg === 'not ready');
    expect(logged.map((r) => r.dependency).sort()).toEqual(['kafka', 'redis']);
    expect(JSON.stringify(logged)).toContain('10.20.30.40:9093');
  });
});
