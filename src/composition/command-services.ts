import type { ResolvedMapping } from '../../connectors/config/resolve-field-names.ts';
import { createApplyCommand } from '../commands/apply/apply-command.ts';
import { createCommandRunner } from '../commands/command-runner.ts';
import type { CommandMappings } from '../commands/contract/command-intent.ts';
import { SiteFieldCache } from '../commands/jira/site-field-list.ts';
import { CommandConsumer } from '../kafka/command-consumer.ts';
import { CommandResultProducer } from '../kafka/command-result-producer.ts';
import type { EventPublisher } from '../kafka/event-publisher.ts';
import type { createKafkaClient } from '../kafka/kafka-client.ts';
import { ensureTopics } from '../kafka/topic-admin.ts';
import type { Services } from './services.ts';

/**
 * The worker role's command consumer: the commands and results topics ensured, the result producer
 * connected, then the consumer joins its group. Stopped before the producer on shutdown.
 */
export async function startCommandConsumer(
  services: Services,
  kafka: ReturnType<typeof createKafkaClient>,
  deps: {
    readonly mappingsFor: (siteHost: string) => Promise<ReadonlyMap<string, ResolvedMapping>>;
    readonly deadLetters: EventPublisher;
  },
): Promise<CommandConsumer> {
  const { config, log } = services;
  await ensureTopics(
    kafka,
    [config.KAFKA_COMMANDS_TOPIC, config.KAFKA_COMMAND_RESULTS_TOPIC],
    {
      partitions: config.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      ...(config.KAFKA_MIN_INSYNC_REPLICAS === undefined
        ? {}
        : { minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS }),
    },
    log,
  );
  const results = new CommandResultProducer({
    kafka,
    topic: config.KAFKA_COMMAND_RESULTS_TOPIC,
    timeoutMs: config.KAFKA_PUBLISH_TIMEOUT_MS,
  });
  await results.connect();
  services.shutdown.add('command results producer', () => results.close());
  const apply = createApplyCommand({
    findConnection: (host) => services.tokens.connections.findBySiteHost(host),
    clientFor: (connection) => services.jira.clientFor(connection, 'webhook'),
    mappingsFor: async (host) => Object.fromEntries(await deps.mappingsFor(host)) as CommandMappings,
    writes: services.commands.writes,
    fieldLists: new SiteFieldCache(),
    createLookbackMinutes: config.COMMAND_CREATE_LOOKBACK_MINUTES,
    now: services.now,
  });
  const run = createCommandRunner({
    store: services.commands.store,
    apply,
    publishResult: (message) => results.publish(message),
    deadLetter: (letter) => deps.deadLetters.publishDeadLetter(letter),
    metrics: services.metrics,
    log: log.child({ component: 'commands' }),
    now: services.now,
    retry: {
      maxAttempts: config.COMMAND_MAX_ATTEMPTS,
      baseMs: config.COMMAND_RETRY_BASE_MS,
      maxMs: config.COMMAND_RETRY_MAX_MS,
    },
  });
  const consumer = new CommandConsumer({
    kafka,
    topic: config.KAFKA_COMMANDS_TOPIC,
    groupId: config.KAFKA_COMMANDS_GROUP,
    concurrency: config.COMMAND_CONCURRENCY,
    handle: run,
    log,
  });
  await consumer.start();
  services.shutdown.add('command consumer', () => consumer.stop());
  return consumer;
}
