import { Kafka } from 'kafkajs';
import type { Logger } from '../logger.ts';
import { kafkaLogLevel, pinoLogCreator } from './kafka-logger.ts';

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly log: Logger;
}

/** The one kafkajs client of a process; producers and admins are made from it. */
export function createKafkaClient(opts: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: opts.clientId,
    brokers: [...opts.brokers],
    logLevel: kafkaLogLevel(opts.log),
    logCreator: pinoLogCreator(opts.log),
  });
}
