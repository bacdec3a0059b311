import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';

/** One event as the reader saw it: when it was readable here, and when its producer created it. */
export interface EventSeen {
  /** Epoch ms, this process's clock, when the consumer got it (first copy). */
  readonly readAt: number;
  /** Epoch ms, the producer's clock: the Kafka message timestamp (CreateTime, set when the produce request was built). */
  readonly createdAt: number;
}

/** What a delivery gave so far. */
export interface Arrival {
  crm?: EventSeen;
  monitoring?: EventSeen;
  /** Copies read, both topics: 2 when every event came exactly once. */
  events: number;
  /** The bare pipeline's job id (its messages' `bench-job` header); the relay's comes from Redis. */
  job?: string;
}

export function now(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The one consumer of a run: reads both connector topics from the start and records, per issue id
 * (the second part of the message key, `<site>:<issue id>`), when each event was first readable.
 * The relay and the bare pipeline write the same two topics and the same keys; issue ids are never
 * reused within a run, so their events never mix.
 */
export async function startReader(
  kafka: Kafka,
  topics: { readonly crm: string; readonly monitoring: string },
) {
  const arrivals = new Map<number, Arrival>();
  const consumer: Consumer = kafka.consumer({
    groupId: `bench-${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: 5,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.crm, topics.monitoring], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const readAt = now();
      const issueId = Number(String(message.key).split(':')[1]);
      let arrival = arrivals.get(issueId);
      if (!arrival) {
        arrival = { events: 0 };
        arrivals.set(issueId, arrival);
      }
      arrival.events++;
      const seen = { readAt, createdAt: Number(message.timestamp) };
      if (topic === topics.crm) arrival.crm ??= seen;
      else arrival.monitoring ??= seen;
      const job = message.headers?.['bench-job'];
      if (job !== undefined) arrival.job ??= String(job);
    },
  });
  return { arrivals, stop: () => consumer.disconnect() };
}
