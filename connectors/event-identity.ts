import { createHash } from 'node:crypto';
import type { JiraChange } from './jira-change.ts';
import { entityRef, issueIdOf } from './jira-change.ts';
import { EVENT_SCHEMA_BASE, EVENT_TYPE_PREFIX, type JsonObject, type RelayEvent } from './relay-event.ts';

/** The parts the CloudEvents id is derived from (DESIGN.md, "Events on Kafka"). */
export interface EventIdentity {
  readonly connector: string;
  /** The full type, prefix included. */
  readonly type: string;
  readonly siteHost: string;
  /** The entity the event is about: the issue id, or the comment id for notes and annotations. */
  readonly entityId: string;
  /** The entity's version (epoch ms of its `updated`; the delivery time for deletions). */
  readonly version: number;
}

/**
 * A deterministic `ce_id`: SHA-256 over the identity, as 32 hex digits. The parts are hashed as a
 * JSON array so no separator inside a part (hosts, ids) can make two identities collide.
 */
export function eventId(identity: EventIdentity): string {
  const parts = [identity.connector, identity.type, identity.siteHost, identity.entityId, identity.version];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/** `{siteHost}:{issueId}`, the same for issue and comment events and for every delivery path. */
export function eventKey(siteHost: string, issueId: string): string {
  return `${siteHost}:${issueId}`;
}

export function eventSource(siteHost: string): string {
  return `https://${siteHost}`;
}

export function browseUrl(siteHost: string, issueKey: string): string {
  return `https://${siteHost}/browse/${encodeURIComponent(issueKey)}`;
}

/** The CloudEvents `dataschema` of a type, by its suffix: the `$id` of its schema in docs/schemas/events/. */
export function eventDataSchema(typeSuffix: string): string {
  return `${EVENT_SCHEMA_BASE}${typeSuffix}.json`;
}

export interface EventSpec {
  readonly connector: string;
  /** The suffix, e.g. `crm.ticket.upserted`. */
  readonly type: string;
  readonly topic: string;
  readonly data: JsonObject;
}

/**
 * The one place a change becomes an event envelope: id, key, source, subject and time all derive
 * from the change, so every connector agrees on them; the data schema follows from the type.
 */
export function buildEvent(change: JiraChange, spec: EventSpec): RelayEvent {
  const type = EVENT_TYPE_PREFIX + spec.type;
  const host = change.site.host;
  return {
    id: eventId({
      connector: spec.connector,
      type,
      siteHost: host,
      entityId: entityRef(change).id,
      version: change.version,
    }),
    type,
    source: eventSource(host),
    subject: change.issue.key,
    time: new Date(change.version).toISOString(),
    dataschema: eventDataSchema(spec.type),
    data: spec.data,
    topic: spec.topic,
    key: eventKey(host, issueIdOf(change)),
  };
}
