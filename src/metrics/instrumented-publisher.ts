import type { RelayEvent } from '../../connectors/relay-event.ts';
import type { DeadLetter, EventPublisher } from '../kafka/event-publisher.ts';
import { PublishRefusedError } from '../kafka/publish-refused-error.ts';
import type { Metrics } from './registry.ts';

/** An EventPublisher that times each publish to the broker's ack and counts failures. */
export function instrumentPublisher(inner: EventPublisher, metrics: Metrics): EventPublisher {
  const timed = async (kind: 'events' | 'dead_letter', publish: () => Promise<void>) => {
    const end = metrics.kafkaPublishSeconds.startTimer({ kind });
    try {
      await publish();
      end();
    } catch (err) {
      metrics.kafkaPublishFailures.inc({ kind });
      if (err instanceof PublishRefusedError) metrics.kafkaPublishRefused.inc({ kind, reason: err.reason });
      throw err;
    }
  };
  return {
    publish: (events: readonly RelayEvent[]) => timed('events', () => inner.publish(events)),
    publishDeadLetter: (letter: DeadLetter) => timed('dead_letter', () => inner.publishDeadLetter(letter)),
    close: () => inner.close(),
  };
}
