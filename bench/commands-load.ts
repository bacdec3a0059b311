import type { Message, Producer } from 'kafkajs';
import type { CommandMessage, CommandMix, CommandType, SentCommand } from './commands-mix.ts';

export interface PacedSend {
  readonly phase: string;
  /** Commands per second. */
  readonly rate: number;
  readonly seconds: number;
  /** Only this type (the points batches); the weighted mix otherwise. */
  readonly type?: CommandType;
}

export interface SendOutcome {
  /** Epoch ms the first command fell due. */
  readonly startedAt: number;
  /** Epoch ms Kafka acknowledged the last one. */
  readonly endedAt: number;
  /** Commands per second the producer achieved (acknowledged), over the whole send. */
  readonly achievedRate: number;
  /** Latest acknowledgement after a command's due time, ms: how far the producer fell behind. */
  readonly maxProducerLagMs: number;
}

const batchEveryMs = 10;

function toMessage({ command, data }: CommandMessage, dueAt: number): Message {
  return {
    key: command.key,
    value: JSON.stringify(data),
    headers: {
      ce_specversion: '1.0',
      ce_id: command.id,
      ce_source: command.source,
      ce_type: `dev.jirarelay.${command.type}`,
      ce_time: new Date(dueAt).toISOString(),
      ce_jirasite: command.host,
      'content-type': 'application/json',
    },
  };
}

/**
 * Open-loop load at an even pace: command i falls due at start + i/rate and carries that instant as
 * its `ce_time`, so a producer that falls behind adds to the measured latency instead of hiding it
 * (no coordinated omission). What is due goes out in one produce request (acks=all, idempotent
 * producer); what falls due meanwhile goes in the next. Each command is pushed to `sent` once Kafka
 * has acknowledged it, so a sampler can read the backlog while the load runs.
 */
export async function sendPaced(
  producer: Producer,
  topic: string,
  mix: CommandMix,
  step: PacedSend,
  sent: SentCommand[],
): Promise<SendOutcome> {
  const total = Math.max(1, Math.round(step.rate * step.seconds));
  const interval = 1000 / step.rate;
  const startedAt = Date.now();
  let next = 0;
  let maxProducerLagMs = 0;
  while (next < total) {
    const due = Math.min(total, Math.floor((Date.now() - startedAt) / interval) + 1);
    if (due <= next) {
      // At most one produce request per 10 ms: what fell due meanwhile keeps its own `ce_time`.
      await new Promise((r) =>
        setTimeout(r, Math.max(batchEveryMs, startedAt + next * interval - Date.now())),
      );
      continue;
    }
    const batch: SentCommand[] = [];
    const messages: Message[] = [];
    for (; next < due; next++) {
      const dueAt = Math.round(startedAt + next * interval);
      const message = step.type === undefined ? mix.next() : mix.next(step.type);
      batch.push({ ...message.command, dueAt, phase: step.phase });
      messages.push(toMessage(message, dueAt));
    }
    await producer.send({ topic, acks: -1, messages });
    const ackedAt = Date.now();
    maxProducerLagMs = Math.max(maxProducerLagMs, ackedAt - (batch[0]?.dueAt ?? ackedAt));
    sent.push(...batch);
  }
  const endedAt = Date.now();
  const elapsed = Math.max(1, endedAt - startedAt) / 1000;
  return { startedAt, endedAt, achievedRate: total / elapsed, maxProducerLagMs };
}
