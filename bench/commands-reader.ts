import { randomBytes } from 'node:crypto';
import { type Consumer, type IHeaders, Kafka, logLevel } from 'kafkajs';

/** A `command.result` as read, with the reader's receive time (epoch ms, this machine's clock). */
export interface ReadResult {
  readonly commandId: string;
  readonly status: string;
  readonly reason: string | undefined;
  readonly issue: { readonly id?: string; readonly key?: string } | null;
  readonly jira: Record<string, unknown> | null;
  readonly attempts: number;
  readonly at: number;
}

/** An event on a connector topic, reduced to what the echo accounting matches on. */
export interface ReadEvent {
  readonly connector: 'crm' | 'monitoring';
  /** `{siteHost}:{issueId}`. */
  readonly key: string;
  readonly type: string;
  /** `ce_time`: the changed entity's version as ISO 8601. */
  readonly time: string;
  /** `ce_subject`: the issue key. */
  readonly subject: string;
  /** A ticket's Jira status name (`jiraStatus`), for the issues the backfill published. */
  readonly status: string | undefined;
  readonly origin: string | undefined;
  /** The comment id of a note or an annotation. */
  readonly commentId: string | undefined;
  readonly at: number;
}

export interface BenchTopics {
  readonly commands: string;
  readonly results: string;
  readonly crm: string;
  readonly monitoring: string;
  readonly dlq: string;
}

const text = (headers: IHeaders | undefined, name: string) => {
  const value = headers?.[name];
  return value === undefined ? undefined : String(value);
};

function commentIdOf(data: Record<string, unknown>, type: string): string | undefined {
  if (type.endsWith('crm.note.upserted')) return String(data.id);
  const payload = data.payload as { custom_details?: { comment_id?: unknown } } | undefined;
  const id = payload?.custom_details?.comment_id;
  return id === undefined ? undefined : String(id);
}

/**
 * Reads the results topic and both connector topics from the beginning, as a downstream system
 * would; every message is stamped with the time its batch reached this process.
 */
export class CommandsReader {
  /** Every result read, in order; more than one per command id would be a repeat. */
  readonly results: ReadResult[] = [];
  readonly events: ReadEvent[] = [];
  readonly #consumer: Consumer;

  private constructor(consumer: Consumer) {
    this.#consumer = consumer;
  }

  static async start(brokers: string[], topics: BenchTopics): Promise<CommandsReader> {
    const kafka = new Kafka({ clientId: 'bench-commands-reader', brokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({
      groupId: `bench-commands-reader-${randomBytes(4).toString('hex')}`,
      maxWaitTimeInMs: 100,
    });
    const reader = new CommandsReader(consumer);
    await consumer.connect();
    await consumer.subscribe({
      topics: [topics.results, topics.crm, topics.monitoring],
      fromBeginning: true,
    });
    await consumer.run({
      partitionsConsumedConcurrently: 6,
      eachBatch: async ({ batch }) => {
        const at = Date.now();
        for (const message of batch.messages) {
          const data = JSON.parse(String(message.value)) as Record<string, unknown>;
          if (batch.topic === topics.results) reader.#result(data, at);
          else reader.#event(batch.topic === topics.crm ? 'crm' : 'monitoring', message, data, at);
        }
      },
    });
    return reader;
  }

  #result(data: Record<string, unknown>, at: number): void {
    this.results.push({
      commandId: String(data.commandId),
      status: String(data.status),
      reason: typeof data.reason === 'string' ? data.reason : undefined,
      issue: (data.issue as ReadResult['issue']) ?? null,
      jira: (data.jira as ReadResult['jira']) ?? null,
      attempts: Number(data.attempts ?? 0),
      at,
    });
  }

  #event(
    connector: ReadEvent['connector'],
    message: { key: Buffer | null; headers?: IHeaders },
    data: Record<string, unknown>,
    at: number,
  ): void {
    const type = text(message.headers, 'ce_type') ?? '';
    this.events.push({
      connector,
      key: String(message.key),
      type,
      time: text(message.headers, 'ce_time') ?? '',
      subject: text(message.headers, 'ce_subject') ?? '',
      status: typeof data.jiraStatus === 'string' ? data.jiraStatus : undefined,
      origin: text(message.headers, 'ce_origin'),
      commentId: commentIdOf(data, type),
      at,
    });
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }
}
