import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import { buildApp } from '../../src/app.ts';
import { createServices } from '../../src/composition/services.ts';
import { createKafkaClient } from '../../src/kafka/kafka-client.ts';
import { kafkaReadiness } from '../../src/kafka/kafka-health.ts';
import type { ReadinessCheck } from '../../src/routes/health.ts';
import { captureLog } from '../helpers/log-capture.ts';
import { freePort } from '../helpers/relay-process.ts';
import { kafkaBrokers, redisUrl, uniqueName } from '../helpers/services.ts';
import { validEnv } from '../helpers/valid-env.ts';

/**
 * The relay's HTTP app with the readiness checks src/main.ts gives it (a PING on the services'
 * Redis connection, cluster metadata from Kafka), against the real services or a port where
 * nothing listens.
 */
async function relayApp(env: { REDIS_URL: string; KAFKA_BROKERS: string }) {
  // Its own queue prefix: the run's teardown removes what the services' queues write.
  const config = loadConfig(validEnv({ ...env, QUEUE_PREFIX: uniqueName('relay') }));
  const { log } = captureLog('fatal');
  const services = createServices(config, log);
  await services.connect().catch(() => undefined); // main.ts would exit; here Redis goes away later
  const kafka = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, log });
  const kafkaCheck = kafkaReadiness(kafka);
  const readiness: ReadinessCheck[] = [
    { name: 'redis', check: async () => void (await services.redis.ping()) },
    { name: 'kafka', check: () => kafkaCheck.check() },
  ];
  const app = await buildApp({ config, log, readiness });
  onTestFinished(async () => {
    await app.close();
    await kafkaCheck.close();
    await services.shutdown.run();
  });
  return app;
}

async function probe(app: Awaited<ReturnType<typeof relayApp>>, url: '/readyz' | '/healthz') {
  const response = await app.inject({ method: 'GET', url });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
}

const deadAddress = async () => `127.0.0.1:${await freePort()}`;

describe('/readyz: Redis and Kafka answer', () => {
  it('is 200 when both answer', async () => {
    const app = await relayApp({ REDIS_URL: redisUrl(), KAFKA_BROKERS: kafkaBrokers().join(',') });
    expect(await probe(app, '/readyz')).toEqual({
      status: 200,
      body: { status: 'ready', down: [] },
    });
  });

  it('is 503 naming Redis when Redis does not answer; the process is still alive', async () => {
    const app = await relayApp({
      REDIS_URL: `redis://${await deadAddress()}`,
      KAFKA_BROKERS: kafkaBrokers().join(','),
    });
    const { status, body } = await probe(app, '/readyz');
    expect(status).toBe(503);
    expect(body).toEqual({ status: 'not ready', down: ['redis'] });
    expect(await probe(app, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('is 503 naming Kafka when no broker answers', async () => {
    const app = await relayApp({ REDIS_URL: redisUrl(), KAFKA_BROKERS: await deadAddress() });
    const { status, body } = await probe(app, '/readyz');
    expect(status).toBe(503);
    expect(body).toEqual({ status: 'not ready', down: ['kafka'] });
  });
});
