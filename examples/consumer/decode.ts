import { type KafkaMessage as CloudEventsKafkaMessage, type CloudEventV1, Kafka } from 'cloudevents';
import type { KafkaMessage } from 'kafkajs';
import type { IncidentState, ModelChange } from './model.ts';

export type Decoded =
  | { readonly ok: true; readonly change: ModelChange }
  | { readonly ok: false; readonly reason: string };

const NAMESPACE = 'dev.jirarelay.';
type Json = Record<string, unknown>;
type Base = Pick<ModelChange, 'id' | 'key' | 'subject' | 'version'>;

/**
 * A Kafka message from the relay as a model change. Binary-mode CloudEvents: `ce_*` headers and the
 * JSON data as the value, read with the `cloudevents` Kafka binding. The version is `ce_time`: the
 * relay sets it to the entity's own version (Jira's `updated` of the issue or comment, the delivery
 * time of a deletion), which is also what `ce_id` is derived from. Incident actions only carry the
 * dedup key, so `ce_time` is the one version every event type has.
 */
export function decode(message: KafkaMessage): Decoded {
  let event: CloudEventV1<unknown>;
  try {
    const value = message.value?.toString() ?? '';
    const binding: CloudEventsKafkaMessage<string> = {
      key: message.key?.toString() ?? '',
      value,
      body: value,
      headers: stringHeaders(message.headers),
    };
    const parsed = Kafka.toEvent(binding);
    if (Array.isArray(parsed)) return { ok: false, reason: 'a batch, not one event' };
    event = parsed;
  } catch (err) {
    return { ok: false, reason: `not a CloudEvent: ${err instanceof Error ? err.message : String(err)}` };
  }
  const time = Date.parse(event.time ?? '');
  const key = message.key?.toString();
  if (!key || !event.subject || Number.isNaN(time) || !isObject(event.data)) {
    return { ok: false, reason: 'missing key, ce_subject, ce_time or JSON data' };
  }
  const base = { id: event.id, key, subject: event.subject, version: { time, rank: 0 } };
  const type = event.type.startsWith(NAMESPACE) ? event.type.slice(NAMESPACE.length) : event.type;
  try {
    const change = changeOf(type, base, event.data);
    return change === undefined ? { ok: false, reason: `unknown type ${event.type}` } : { ok: true, change };
  } catch (err) {
    return { ok: false, reason: `${event.type}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The change an event stands for; undefined for a type this consumer does not know. */
function changeOf(type: string, base: Base, data: Json): ModelChange | undefined {
  switch (type) {
    case 'crm.ticket.upserted':
      return {
        ...base,
        kind: 'ticket-upserted',
        ticket: {
          id: required(data, 'id'),
          key: text(data.key),
          title: text(data.title),
          status: text(data.status),
          jiraStatus: text(data.jiraStatus),
          priority: typeof data.priority === 'string' ? data.priority : null,
          updated: text(data.updated),
        },
      };
    case 'crm.ticket.deleted':
      return { ...base, kind: 'ticket-deleted' };
    case 'crm.note.upserted':
      return {
        ...base,
        kind: 'note-upserted',
        note: {
          id: required(data, 'id'),
          text: text(data.text),
          public: data.public !== false,
          updated: text(data.updated),
        },
      };
    case 'crm.note.deleted':
      return { ...base, kind: 'note-deleted', noteId: required(data, 'id') };
    case 'monitoring.incident.triggered':
      return incident(base, 'triggered', 0, data);
    case 'monitoring.incident.acknowledged':
      return incident(base, 'acknowledged', 1, data);
    case 'monitoring.incident.resolved':
      return incident(base, 'resolved', 2, data);
    case 'monitoring.incident.annotated': {
      const details = object(object(data.payload).custom_details);
      const commentId = required(details, 'comment_id');
      return { ...base, kind: 'annotation', commentId, text: text(details.text) };
    }
    default:
      return undefined;
  }
}

/**
 * One change can trigger and acknowledge at once (an issue first seen in progress): both events have
 * the same `ce_time`, so the rank orders them, and a repeat of the trigger cannot undo the acknowledge.
 */
function incident(base: Base, state: IncidentState, rank: number, data: Json): ModelChange {
  const payload = object(data.payload);
  return {
    ...base,
    version: { time: base.version.time, rank },
    kind: 'incident',
    state,
    severity: typeof payload.severity === 'string' ? payload.severity : null,
    summary: typeof payload.summary === 'string' ? payload.summary : null,
  };
}

/** kafkajs hands header values over as Buffers; the binding reads strings. */
function stringHeaders(headers: KafkaMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return out;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown): Json {
  return isObject(value) ? value : {};
}

/** An id the change cannot be placed without. */
function required(data: Json, field: string): string {
  const value = data[field];
  if (typeof value !== 'string' || value === '') throw new Error(`data without ${field}`);
  return value;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
