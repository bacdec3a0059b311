import { type Job, Worker, type WorkerOptions } from 'bullmq';
import type { Producer } from 'kafkajs';
import type { Histogram } from 'prom-client';
import type { BareJob } from './intake-route.ts';

interface IssueOfBody {
  readonly id: string;
  readonly key: string;
  readonly self: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * The floor's worker: per job, two keyed messages, one on each topic, in one produce request with
 * acks=all (-1), and the job is done when the broker acked. The producer is kafkajs's default one:
 * no linger, no idempotence, any number of requests in flight. Each message carries its job's id in
 * a `bench-job` header, so the reader can place the job's queue timestamps on the delivery's timeline.
 */
export function startPublishWorker(opts: {
  readonly queueName: string;
  readonly connection: WorkerOptions['connection'];
  readonly prefix: string;
  readonly concurrency: number;
  readonly producer: Producer;
  readonly topics: readonly [crm: string, monitoring: string];
  /** Publish to ack, as the relay's `jira_relay_kafka_publish_seconds{kind="events"}` times it. */
  readonly publishSeconds: Histogram<'kind'>;
}): Worker<BareJob> {
  const publish = async (job: Job<BareJob>) => {
    const issue = job.data.body.issue as IssueOfBody;
    const key = `${new URL(issue.self).host}:${issue.id}`;
    const value = JSON.stringify({ id: issue.id, key: issue.key, fields: issue.fields });
    const headers = { 'bench-job': String(job.id) };
    const end = opts.publishSeconds.startTimer({ kind: 'events' });
    await opts.producer.sendBatch({
      acks: -1,
      topicMessages: opts.topics.map((topic) => ({ topic, messages: [{ key, value, headers }] })),
    });
    end();
  };
  return new Worker<BareJob>(opts.queueName, publish, {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency,
  });
}
