import { distinctByEntity, entityKey, inPartitionOrder, type RelayEventSeen } from './events.ts';
import type { Expectation, IncidentState } from './expected.ts';
import type { ReadMessage } from './kafka-read.ts';

/** One expected final state that Kafka does not show, with what Kafka shows instead. */
interface LostState {
  readonly expectation: Expectation;
  /** The entity's last event (repeats dropped), if any. */
  readonly last: RelayEventSeen | undefined;
}

interface OrderViolation {
  readonly event: RelayEventSeen;
  /** The newer version published before it. */
  readonly newer: number;
}

export interface Figures {
  readonly expected: number;
  readonly found: number;
  readonly lost: readonly LostState[];
  /** Messages whose ce_id was already read: a consumer drops them. */
  readonly repeats: number;
  /** Extra ids for one (connector, type, entity, version): a consumer cannot drop them. */
  readonly sameVersionIds: number;
  readonly orderViolations: readonly OrderViolation[];
  /** Extra deletion events (distinct ids: each deletion is versioned by when it was seen). */
  readonly deletedTwice: number;
  readonly deadLetters: number;
  /** When the last expected state was first published (its Kafka timestamp), epoch ms. */
  readonly lastFoundAt: number | undefined;
  /** Every entity's events, repeats dropped, by `entityKey`: what the report quotes. */
  readonly byEntity: ReadonlyMap<string, readonly RelayEventSeen[]>;
}

type SinkState = IncidentState | 'none';

/**
 * The incident as a PagerDuty sink that forwards the events unchanged ends up: a trigger opens a
 * closed incident (as triggered: a trigger cannot acknowledge), an acknowledge or a resolve acts on
 * an open one only. One exception, the connector's own design rather than a fault: a trigger the
 * relay sends for a move back to To Do (`transition.to` triggered) counts as re-triggering an
 * acknowledged incident, which PagerDuty itself would keep acknowledged.
 */
function sinkState(actions: readonly RelayEventSeen[]): SinkState {
  let state: SinkState = 'none';
  for (const e of actions) {
    const open = state === 'triggered' || state === 'acknowledged';
    if (e.incident === 'triggered') {
      if (!open || e.triggerTo === 'triggered') state = 'triggered';
    } else if (open && e.incident) state = e.incident;
  }
  return state;
}

function incidentShown(
  want: Extract<Expectation['expected'], { kind: 'incident' }>,
  events: readonly RelayEventSeen[],
) {
  const actions = events.filter((e) => e.incident !== undefined);
  const state = sinkState(actions);
  const closed = state === 'none' || state === 'resolved';
  if (want.state === 'resolved') return closed ? (actions.at(-1) ?? null) : undefined;
  if (state !== want.state) return undefined;
  const trigger = actions.filter((e) => e.severity !== undefined).at(-1);
  return trigger?.severity === want.severity ? actions.at(-1) : undefined;
}

/** Whether the entity's events (repeats dropped) end in the expected state; the event that shows it. */
function satisfied(x: Expectation, events: readonly RelayEventSeen[]): RelayEventSeen | null | undefined {
  const want = x.expected;
  if (want.kind === 'incident') return incidentShown(want, events);
  const relevant = x.connector === 'monitoring' ? events.filter((e) => !e.deletion) : events;
  const last = relevant.at(-1);
  // Deleted before anything of it was published (its webhooks lost, no poll in between): a
  // consumer has nothing of it, which is its final state; there is no tombstone to owe.
  if (!last) return want.kind === 'deleted' ? null : undefined;
  if (want.kind === 'deleted') return last.deletion ? last : undefined;
  return !last.deletion && last.version === want.version ? last : undefined;
}

function countRepeats(messages: readonly ReadMessage[]): number {
  const ids = new Set<string>();
  let repeats = 0;
  for (const m of messages) {
    const id = m.headers.ce_id;
    if (id === undefined) continue;
    if (ids.has(id)) repeats++;
    ids.add(id);
  }
  return repeats;
}

function countSameVersionIds(events: readonly RelayEventSeen[]): number {
  const ids = new Map<string, Set<string>>();
  for (const e of events) {
    const key = `${entityKey(e)}|${e.type}|${e.version}`;
    const set = ids.get(key) ?? new Set<string>();
    set.add(e.ceId);
    ids.set(key, set);
  }
  let extra = 0;
  for (const set of ids.values()) extra += set.size - 1;
  return extra;
}

/** Events of an entity older than one published before them (repeats already dropped). */
function findOrderViolations(byEntity: ReadonlyMap<string, RelayEventSeen[]>): OrderViolation[] {
  const out: OrderViolation[] = [];
  for (const events of byEntity.values()) {
    let newest = Number.NEGATIVE_INFINITY;
    for (const e of events) {
      if (e.version < newest) out.push({ event: e, newer: newest });
      newest = Math.max(newest, e.version);
    }
  }
  return out;
}

function countDeletedTwice(byEntity: ReadonlyMap<string, RelayEventSeen[]>): number {
  let extra = 0;
  for (const events of byEntity.values()) {
    const deletions = events.filter((e) => e.deletion).length;
    if (deletions > 1) extra += deletions - 1;
  }
  return extra;
}

/** The figures of a run from every message read back and the expected final states. */
export function computeFigures(
  messages: readonly ReadMessage[],
  expectations: readonly Expectation[],
  dlqTopic: string,
): Figures {
  const events = inPartitionOrder(messages);
  const byEntity = distinctByEntity(events);
  const lost: LostState[] = [];
  let lastFoundAt: number | undefined;
  for (const x of expectations) {
    const mine = byEntity.get(entityKey(x)) ?? [];
    const shown = satisfied(x, mine);
    if (shown === undefined) lost.push({ expectation: x, last: mine.at(-1) });
    else if (shown) lastFoundAt = Math.max(lastFoundAt ?? 0, shown.message.timestamp);
  }
  return {
    expected: expectations.length,
    found: expectations.length - lost.length,
    lost,
    repeats: countRepeats(messages),
    sameVersionIds: countSameVersionIds(events),
    orderViolations: findOrderViolations(byEntity),
    deletedTwice: countDeletedTwice(byEntity),
    deadLetters: messages.filter((m) => m.topic === dlqTopic).length,
    lastFoundAt,
    byEntity,
  };
}
