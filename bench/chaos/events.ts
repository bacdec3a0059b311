import type { IncidentState } from './expected.ts';
import type { ReadMessage } from './kafka-read.ts';

/** A relay event read back from Kafka, reduced to what the figures compare. */
export interface RelayEventSeen {
  readonly connector: 'crm' | 'monitoring';
  /** The type without the `dev.jirarelay.` namespace, e.g. `crm.ticket.upserted`. */
  readonly type: string;
  readonly host: string;
  readonly entity: 'issue' | 'comment';
  readonly id: string;
  readonly issueId: string;
  /** ce_time: the entity's version (Jira `updated`; the delivery time for deletions). */
  readonly version: number;
  readonly ceId: string;
  readonly deletion: boolean;
  /** Monitoring incident events: their action, as the state it stands for. */
  readonly incident?: IncidentState;
  /** Monitoring triggers: the lifecycle state the relay says the issue moved to (`transition.to`). */
  readonly triggerTo?: string;
  /** Monitoring triggers: the severity they carry. */
  readonly severity?: string;
  readonly message: ReadMessage;
}

const PREFIX = 'dev.jirarelay.';

const incidents: Readonly<Record<string, IncidentState>> = {
  'monitoring.incident.triggered': 'triggered',
  'monitoring.incident.acknowledged': 'acknowledged',
  'monitoring.incident.resolved': 'resolved',
};

function str(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function entityOf(type: string, data: Record<string, unknown>): { entity: 'issue' | 'comment'; id: string } {
  if (type.startsWith('crm.note.')) return { entity: 'comment', id: str(data.id) };
  if (type === 'monitoring.incident.annotated') {
    const payload = (data.payload ?? {}) as { custom_details?: { comment_id?: unknown } };
    return { entity: 'comment', id: str(payload.custom_details?.comment_id) };
  }
  return { entity: 'issue', id: '' };
}

/** The relay event a message carries, or undefined for anything else (dead letters, foreign data). */
function parseEvent(m: ReadMessage): RelayEventSeen | undefined {
  const fullType = m.headers.ce_type ?? '';
  if (!fullType.startsWith(PREFIX)) return undefined;
  const type = fullType.slice(PREFIX.length);
  const connector = type.startsWith('crm.')
    ? 'crm'
    : type.startsWith('monitoring.')
      ? 'monitoring'
      : undefined;
  if (!connector) return undefined;
  const colon = m.key.lastIndexOf(':');
  const host = m.key.slice(0, colon);
  const issueId = m.key.slice(colon + 1);
  const { entity, id } = entityOf(type, m.data);
  const payload = (m.data.payload ?? {}) as {
    severity?: unknown;
    custom_details?: { transition?: { to?: unknown } };
  };
  const incident = incidents[type];
  return {
    connector,
    type,
    host,
    entity,
    id: entity === 'issue' ? issueId : id,
    issueId,
    version: Date.parse(m.headers.ce_time ?? ''),
    ceId: m.headers.ce_id ?? '',
    deletion: type.endsWith('.deleted'),
    ...(incident ? { incident } : {}),
    ...(type === 'monitoring.incident.triggered'
      ? { severity: str(payload.severity), triggerTo: str(payload.custom_details?.transition?.to) }
      : {}),
    message: m,
  };
}

/** Events in each partition's order (an entity's events share a partition: the key is its issue). */
export function inPartitionOrder(messages: readonly ReadMessage[]): RelayEventSeen[] {
  return [...messages]
    .sort((a, b) =>
      a.topic === b.topic ? a.partition - b.partition || a.offset - b.offset : a.topic < b.topic ? -1 : 1,
    )
    .flatMap((m) => parseEvent(m) ?? []);
}

export function entityKey(e: { connector: string; entity: string; host: string; id: string }): string {
  return `${e.connector}|${e.entity}|${e.host}|${e.id}`;
}

/**
 * Per connector and entity, its events as a consumer that drops repeats by `ce_id` keeps them: the
 * first copy of each id, in partition order.
 */
export function distinctByEntity(events: readonly RelayEventSeen[]): Map<string, RelayEventSeen[]> {
  const seen = new Set<string>();
  const out = new Map<string, RelayEventSeen[]>();
  for (const e of events) {
    if (seen.has(e.ceId)) continue;
    seen.add(e.ceId);
    const key = entityKey(e);
    const list = out.get(key) ?? [];
    list.push(e);
    out.set(key, list);
  }
  return out;
}
