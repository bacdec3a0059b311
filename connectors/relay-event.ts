import type { JiraChange } from './jira-change.ts';

/** Every CloudEvents `type` the relay emits is a suffix under this one reverse-DNS namespace. */
export const EVENT_TYPE_PREFIX = 'dev.jirarelay.';

/**
 * The `$id` of every event type's JSON Schema starts here; the rest is the type's suffix and `.json`.
 * The files are docs/schemas/events/{suffix}.json (docs/schemas/events/README.md).
 */
export const EVENT_SCHEMA_BASE = 'https://jirarelay.dev/schemas/events/';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * What a connector returns for one change: a CloudEvent plus where it goes on Kafka. The publisher
 * turns it into a binary-mode Kafka message (`ce_*` headers, JSON value, `key`).
 */
export interface RelayEvent {
  /** Deterministic: the same change by webhook, poll or retry gets the same id (event-identity.ts). */
  readonly id: string;
  /** `dev.jirarelay.crm.ticket.upserted`, ... */
  readonly type: string;
  /** `https://{siteHost}`: the Jira site. */
  readonly source: string;
  /** The issue key. */
  readonly subject: string;
  /** When the change happened in Jira (ISO 8601, UTC). */
  readonly time: string;
  /** The `$id` of the JSON Schema of `data` (`ce_dataschema`): one per type, see EVENT_SCHEMA_BASE. */
  readonly dataschema: string;
  readonly data: JsonObject;
  readonly topic: string;
  /** `{siteHost}:{issueId}`: one partition per issue keeps its order. */
  readonly key: string;
  /**
   * The CloudEvents extension `origin` (`ce_origin`): the `ce_source` of the command whose write
   * caused this change, when it was one (two-way sync). Added by the change pipeline, not by connectors.
   */
  readonly origin?: string;
}

export type ConnectorResult =
  | { readonly kind: 'events'; readonly events: readonly RelayEvent[] }
  | { readonly kind: 'skip'; readonly reason: string };

/**
 * A connector is a pure function of the change, its resolved mapping and the time: no I/O, no
 * clock, no client library. `now` exists for fields that need the present; the connectors here
 * derive every field from the change so a repeat is byte-identical.
 */
export interface Connector<M> {
  readonly name: string;
  readonly map: (change: JiraChange, mapping: M, now: Date) => ConnectorResult;
  /**
   * The connector reads `change.previous` (it reacts to transitions): the pipeline then keeps, per
   * entity, the snapshot this connector last published and hands it over as `previous`.
   */
  readonly readsPrevious?: boolean;
}

export function skip(reason: string): ConnectorResult {
  return { kind: 'skip', reason };
}
