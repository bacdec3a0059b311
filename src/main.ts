import type { Worker } from 'bullmq';
import closeWithGrace from 'close-with-grace';
import { type Config, ConfigError, loadConfig } from '../config/index.ts';
import { startChangesWorker } from '../workers/changes-worker.ts';
import { deadLetterOnFinalFailure } from '../workers/dead-letter-on-failure.ts';
import { startEventsWorker } from '../workers/events-worker.ts';
import { scheduleMaintenance, startMaintenanceWorker } from '../workers/maintenance-worker.ts';
import { startSyncWorker } from '../workers/sync-worker.ts';
import { buildApp, buildMetricsApp } from './app.ts';
import { startCommandConsumer } from './composition/command-services.ts';
import { loadConnectorsConfig } from './composition/connectors-file.ts';
import { adminRouteDeps, oauthRouteDeps, webhookRouteDeps } from './composition/route-deps.ts';
import { createServices, type Services } from './composition/services.ts';
import { createWorkerDeps } from './composition/worker-deps.ts';
import { createKafkaClient } from './kafka/kafka-client.ts';
import { kafkaReadiness } from './kafka/kafka-health.ts';
import { createLogger } from './logger.ts';
import { observeJobDurations } from './metrics/queue-metrics.ts';
import { logProcessWarnings } from './process-warnings.ts';

/**
 * The one entry point: configuration, the services (composition/), then the roles ROLE asks for
 * (api: HTTP; worker: every queue's worker; all: both). The only module that imports workers/.
 * SIGTERM closes what was built in reverse: intake first, then workers (in-flight jobs finish),
 * the Kafka producer (flushed), the queues and Redis.
 */
function exitWith(problems: readonly string[]): never {
  for (const problem of problems) process.stderr.write(`config error: ${problem}\n`);
  process.exit(1);
}

function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) exitWith(err.problems);
    throw err;
  }
}

async function startWorkers(services: Services, kafka: ReturnType<typeof createKafkaClient>): Promise<void> {
  const connectorsFile = await loadConnectorsConfig(services.config.CONNECTORS_CONFIG);
  if (!connectorsFile.ok) exitWith(connectorsFile.problems);
  const deps = await createWorkerDeps(services, kafka, connectorsFile.config);
  const workers: Worker[] = [
    startEventsWorker(deps.connection, deps.events),
    startChangesWorker(deps.connection, deps.changes),
    startSyncWorker(deps.connection, deps.sync, deps.syncOptions),
    startMaintenanceWorker(deps.connection, deps.maintenance),
  ];
  const { log } = services;
  for (const worker of workers) {
    deadLetterOnFinalFailure(worker, deps.publisher, log);
    observeJobDurations(services.metrics, worker);
    worker.on('error', (err) => log.error({ err, queue: worker.name }, 'worker error'));
  }
  services.shutdown.add('workers', () => Promise.all(workers.map((w) => w.close())));
  if (services.config.COMMANDS_ENABLED) {
    await startCommandConsumer(services, kafka, {
      mappingsFor: (host) => deps.mappings.mappingsFor(host),
      deadLetters: deps.publisher,
    });
  }
  await scheduleMaintenance(services.queues.maintenance, deps.maintenanceIntervals);
  await services.sync.scheduler.schedulePlanner();
  log.info(
    { queues: workers.map((w) => w.name), connectors: deps.connectors.map((c) => c.name) },
    'workers started',
  );
}

async function main(): Promise<void> {
  const config = readConfig();
  const log = createLogger({ level: config.LOG_LEVEL });
  logProcessWarnings(log);
  const services = createServices(config, log);
  await services.connect();
  const kafka = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, log });
  const kafkaCheck = kafkaReadiness(kafka);
  services.shutdown.add('kafka readiness', () => kafkaCheck.close());

  if (config.ROLE !== 'api') await startWorkers(services, kafka);
  // Worker-only processes still answer /healthz, /readyz and /metrics, so they can be probed and scraped;
  // /metrics is on METRICS_PORT instead of PORT when that is set.
  const app = await buildApp({
    config,
    log,
    readiness: [
      { name: 'redis', check: async () => void (await services.redis.ping()) },
      { name: 'kafka', check: () => kafkaCheck.check() },
    ],
    metrics: services.metrics,
    ...(config.ROLE === 'worker'
      ? {}
      : {
          webhooks: webhookRouteDeps(services),
          oauth: oauthRouteDeps(config, services.tokens, services.onConnected),
          admin: adminRouteDeps(services),
        }),
  });
  const metricsPort = config.METRICS_PORT;
  const metricsApp =
    metricsPort === undefined ? undefined : await buildMetricsApp({ config, log, metrics: services.metrics });
  // Built last, closed first: nothing new is accepted while the rest drains.
  services.shutdown.add('http', () => Promise.all([app.close(), metricsApp?.close()]));
  await app.listen({ port: config.PORT, host: config.HOST });
  if (metricsApp && metricsPort !== undefined)
    await metricsApp.listen({ port: metricsPort, host: config.HOST });
  log.info({ role: config.ROLE, port: config.PORT, metricsPort: config.METRICS_PORT }, 'jira-relay started');

  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger: log }, async ({ err, signal }) => {
    if (err) log.error({ err }, 'shutting down after an error');
    else log.info({ signal }, 'shutting down');
    await services.shutdown.run(log);
  });
}

await main();
