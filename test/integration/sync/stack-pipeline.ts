import type { Queue } from 'bullmq';
import type { Config } from '../../../config/index.ts';
import type { SyncServices } from '../../../src/composition/sync-services.ts';
import type { EventPublisher } from '../../../src/kafka/event-publisher.ts';
import type { Logger } from '../../../src/logger.ts';
import { createMetrics } from '../../../src/metrics/registry.ts';
import { createChangePipeline } from '../../../src/pipeline/change-pipeline.ts';
import type { MappingProvider } from '../../../src/pipeline/mapping-provider.ts';
import { BullChangeQueue } from '../../../src/queues/change-queue.ts';
import type { RedisEntityState } from '../../../src/state/entity-state.ts';
import type { RedisPublishedVersions } from '../../../src/state/published-versions.ts';
import { startChangesWorker } from '../../../workers/changes-worker.ts';
import { deadLetterOnFinalFailure } from '../../../workers/dead-letter-on-failure.ts';
import type { WorkerConnection } from '../../../workers/worker-options.ts';

export interface StackPipelineDeps {
  readonly entities: RedisEntityState;
  readonly mappings: MappingProvider;
  readonly published: RedisPublishedVersions;
  readonly publisher: EventPublisher;
  readonly sync: SyncServices;
  readonly changesQueue: Queue;
  readonly worker: WorkerConnection;
  readonly log: Logger;
  readonly config: Pick<Config, 'PUBLISH_BUSY_RETRY_MS' | 'FUTURE_VERSION_SKEW_SECONDS'>;
}

/**
 * The change pipeline as the relay's worker role wires it: the changes worker (with its dead-letter
 * listener) and the one handler the events worker and the sync passes take their changes through.
 */
export function startStackPipeline(deps: StackPipelineDeps) {
  const { process, handle } = createChangePipeline({
    entities: deps.entities,
    mappings: deps.mappings,
    published: deps.published,
    publisher: deps.publisher,
    log: deps.log,
    metrics: createMetrics(),
    now: () => new Date(),
    busyRetryMs: deps.config.PUBLISH_BUSY_RETRY_MS,
    futureVersionSkewMs: deps.config.FUTURE_VERSION_SKEW_SECONDS * 1000,
    retryQueue: new BullChangeQueue(deps.changesQueue),
    coverage: deps.sync.coverage,
    known: deps.sync.known,
  });
  const worker = startChangesWorker({ ...deps.worker, concurrency: 50 }, process);
  deadLetterOnFinalFailure(worker, deps.publisher, deps.log);
  return { worker, handle };
}
