import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';

/** A command as an external system sends it (docs/schemas/commands/README.md). */
export interface DemoCommand {
  /** The type without the prefix: `crm.note.create`. */
  readonly type: string;
  /** `ce_source`: the sending system. */
  readonly source: string;
  /** `ce_jirasite`: the target site's host. */
  readonly siteHost: string;
  /** The issue's id: one issue's commands share the message key `{siteHost}:{issueId}`. */
  readonly issueId: string;
  readonly data: Record<string, unknown>;
}

/**
 * What an external system does to change Jira through the relay: a CloudEvent in binary mode on the
 * commands topic, with a fresh `ce_id` as its idempotency key.
 */
export class CommandSender {
  readonly #producer: Producer;
  readonly #topic: string;

  private constructor(producer: Producer, topic: string) {
    this.#producer = producer;
    this.#topic = topic;
  }

  static async connect(brokers: string[], topic: string): Promise<CommandSender> {
    const kafka = new Kafka({ clientId: 'jira-relay-demo-commands', brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    return new CommandSender(producer, topic);
  }

  /** Sends the command; returns its id (`ce_id`). */
  async send(command: DemoCommand): Promise<string> {
    const id = randomUUID();
    await this.#producer.send({
      topic: this.#topic,
      acks: -1,
      messages: [
        {
          key: `${command.siteHost}:${command.issueId}`,
          value: JSON.stringify(command.data),
          headers: {
            ce_specversion: '1.0',
            ce_id: id,
            ce_source: command.source,
            ce_type: `dev.jirarelay.${command.type}`,
            ce_time: new Date().toISOString(),
            ce_jirasite: command.siteHost,
            'content-type': 'application/json',
          },
        },
      ],
    });
    return id;
  }

  async close(): Promise<void> {
    await this.#producer.disconnect();
  }
}
