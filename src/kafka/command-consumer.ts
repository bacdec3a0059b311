import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from '../logger.ts';

/** One command message as the handler sees it. */
export interface IncomingCommand {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;
}

export interface CommandConsumerOptions {
  readonly kafka: Kafka;
  /** KAFKA_COMMANDS_TOPIC. */
  readonly topic: string;
  /** KAFKA_COMMANDS_GROUP. */
  readonly groupId: string;
  /** COMMAND_CONCURRENCY: keys applied at once per process; one key's commands go one at a time. */
  readonly concurrency: number;
  /**
   * Applies one command and publishes its result; resolves only when the result is on Kafka. A
   * rejection means the command could not be answered now (Redis or Kafka away): it is tried again
   * after `retryDelayMs`, and its offset is not committed meanwhile.
   */
  readonly handle: (message: IncomingCommand) => Promise<void>;
  readonly retryDelayMs?: number;
  readonly log: Logger;
}

/**
 * The command consumer (group `jira-relay-commands`), run by every worker process; Kafka spreads the
 * partitions over them. Within a batch, commands of one message key run in order, different keys in
 * parallel up to `concurrency`; an offset is resolved (and committed) only when it and every earlier
 * offset of its partition have their result on Kafka, so a process killed mid-batch leaves the rest
 * to be read again. A partition whose commands wait (Jira budget, a retry, the result producer) is
 * not fetched further: the consumer is never flooded.
 */
export class CommandConsumer {
  readonly #o: CommandConsumerOptions;
  readonly #consumer: Consumer;
  #stopping = false;

  constructor(opts: CommandConsumerOptions) {
    this.#o = opts;
    this.#consumer = opts.kafka.consumer({ groupId: opts.groupId, allowAutoTopicCreation: false });
  }

  async start(): Promise<void> {
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topic: this.#o.topic, fromBeginning: true });
    await this.#consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, Math.min(this.#o.concurrency, 8)),
      eachBatch: (payload) => this.#batch(payload),
    });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#consumer.disconnect();
  }

  async #batch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, commitOffsetsIfNecessary, heartbeat } = payload;
    const live = () => !this.#stopping && payload.isRunning() && !payload.isStale();
    const order = batch.messages.map((m) => m.offset);
    const done = new Set<string>();
    let next = 0;
    const advance = async () => {
      while (next < order.length && done.has(order[next] as string)) resolveOffset(order[next++] as string);
      await commitOffsetsIfNecessary();
    };
    const beat = setInterval(() => void heartbeat().catch(() => undefined), 3000);
    try {
      await runByKey(batch.messages, this.#o.concurrency, async (message) => {
        if (!live()) return false;
        await this.#handleUntilAnswered(toIncoming(batch.topic, batch.partition, message), live);
        if (!live()) return false;
        done.add(message.offset);
        await advance();
        return true;
      });
    } finally {
      clearInterval(beat);
    }
  }

  /** Tries a command until it is answered, or until this consumer gives the partition up. */
  async #handleUntilAnswered(message: IncomingCommand, live: () => boolean): Promise<void> {
    for (let attempt = 1; live(); attempt++) {
      try {
        await this.#o.handle(message);
        return;
      } catch (err) {
        this.#o.log.warn(
          { err, partition: message.partition, offset: message.offset, attempt },
          'a command could not be answered now; trying again',
        );
        await sleep(Math.min(30_000, (this.#o.retryDelayMs ?? 1000) * 2 ** Math.min(attempt - 1, 5)));
      }
    }
  }
}

/**
 * Runs `work` over the messages, one key after another in offset order, up to `limit` keys at once.
 * A `false` from `work` stops that key's remaining messages (the partition was given up).
 */
async function runByKey(
  messages: readonly KafkaMessage[],
  limit: number,
  work: (message: KafkaMessage) => Promise<boolean>,
): Promise<void> {
  const byKey = new Map<string, KafkaMessage[]>();
  for (const m of messages) {
    const key = m.key?.toString() ?? `offset:${m.offset}`;
    const chain = byKey.get(key);
    if (chain) chain.push(m);
    else byKey.set(key, [m]);
  }
  const chains = [...byKey.values()];
  const runners = Array.from({ length: Math.min(limit, chains.length) }, async () => {
    for (let chain = chains.shift(); chain !== undefined; chain = chains.shift()) {
      for (const message of chain) if (!(await work(message))) break;
    }
  });
  await Promise.all(runners);
}

function toIncoming(topic: string, partition: number, m: KafkaMessage): IncomingCommand {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key?.toString() ?? null,
    value: m.value,
    headers: m.headers ?? {},
  };
}
