import { CloudEvent, Kafka } from 'cloudevents';
import type { RelayEvent } from '../../connectors/relay-event.ts';
import type { DeadLetter } from './event-publisher.ts';

/** A message as kafkajs sends it: string key and value, string headers only. */
export interface OutgoingMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * CloudEvents 1.0 binary content mode through the `cloudevents` Kafka binding: attributes as `ce_*`
 * headers (`ce_dataschema`: the `$id` of the type's JSON Schema), `content-type` from
 * `datacontenttype`, the JSON data as the value, the event key as the
 * message key. The binding also writes `undefined` headers (kafkajs rejects them) and repeats the
 * content type as `ce_datacontenttype`, which the binding spec maps to `content-type` only: both go.
 */
export function toKafkaMessage(event: RelayEvent): OutgoingMessage {
  const cloudEvent = new CloudEvent(
    {
      specversion: '1.0',
      id: event.id,
      type: event.type,
      source: event.source,
      subject: event.subject,
      time: event.time,
      datacontenttype: 'application/json',
      dataschema: event.dataschema,
      data: event.data,
      ...(event.origin === undefined ? {} : { origin: event.origin }),
    },
    // Relay events are built by our own code; skipping the schema check saves a validation per event.
    false,
  );
  const message = Kafka.binary(cloudEvent);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined && value !== null && name !== 'ce_datacontenttype') headers[name] = String(value);
  }
  return { key: event.key, value: JSON.stringify(event.data), headers };
}

/** A dead letter as JSON on the DLQ topic; headers say what failed without parsing the value. */
export function toDeadLetterMessage(letter: DeadLetter): OutgoingMessage {
  return {
    key: letter.key ?? `${letter.queue}:${letter.jobId ?? 'unknown'}`,
    value: JSON.stringify({ ...letter, failedAt: new Date(letter.failedAt).toISOString() }),
    headers: {
      'content-type': 'application/json',
      'x-relay-queue': letter.queue,
      'x-relay-error-code': letter.error.code,
      ...(letter.connector === undefined ? {} : { 'x-relay-connector': letter.connector }),
      ...(letter.id === undefined ? {} : { 'x-relay-dead-letter-id': letter.id }),
    },
  };
}
