import type { ResolvedMapping } from '../../connectors/config/resolve-field-names.ts';
import { filterExclusion } from '../../connectors/filter.ts';
import { entityRef, type IssueSnapshot, type JiraChange } from '../../connectors/jira-change.ts';
import type { EnabledConnector } from '../../connectors/registry.ts';
import type { RelayEvent } from '../../connectors/relay-event.ts';
import type { EventPublisher } from '../kafka/event-publisher.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/registry.ts';
import { snapshotOf } from '../state/entity-state.ts';
import type { PublishedRef, PublishedVersions } from '../state/published-versions.ts';

/** What a connector's turn needs (a part of ProcessChangeDeps). */
export interface ConnectorTurnDeps {
  readonly published: PublishedVersions;
  readonly publisher: EventPublisher;
  readonly metrics: Metrics;
  readonly now: () => Date;
  /** PUBLISH_BUSY_RETRY_MS: at most what is left of the older version's claim. Default 250. */
  readonly busyRetryMs?: number;
  /** Says at debug level which changes a connector's filter dropped, and why. */
  readonly log?: Pick<Logger, 'debug'>;
}

/** What happened to a change for one connector. */
export type ConnectorOutcome =
  | { readonly connector: string; readonly outcome: 'published' | 'replayed'; readonly events: number }
  | {
      readonly connector: string;
      readonly outcome: 'skipped' | 'already_published' | 'superseded' | 'echo';
      readonly reason?: string;
    };

/** The command whose write caused a change (two-way sync): see src/commands/echo/. */
export interface EchoOrigin {
  readonly commandId: string;
  /** The command's `ce_source`, carried as `ce_origin` on what the other connectors receive. */
  readonly source: string;
  /** The connector whose system sent the command: the change is not published back to it. */
  readonly connector: string | null;
}

export interface EchoFilter {
  /** The command that caused this change, or null; `previous` is the last committed snapshot. */
  match(change: JiraChange, previous: IssueSnapshot | null): Promise<EchoOrigin | null>;
}

/** Another worker is publishing an older version of this entity for a connector: come back later. */
export class PublishBusyError extends Error {
  readonly retryInMs: number;
  constructor(connector: string, retryInMs: number) {
    super(`${connector}: an older version of this entity is being published`);
    this.name = 'PublishBusyError';
    this.retryInMs = retryInMs;
  }
}

/** A connector's pure mapping threw: a bug or a mapping that does not fit the data. */
export class MappingError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'MappingError';
  }
}

const defaultBusyRetryMs = 250;

export interface ConnectorTurn {
  readonly change: JiraChange;
  /** The last version every connector is through with (a fallback for old markers). */
  readonly committedPrevious: IssueSnapshot | null;
  /** The command whose write caused the change, if one did. */
  readonly origin: EchoOrigin | null;
}

/**
 * One connector's turn: claim the version, map it (pure) against what this connector last published
 * when it reacts to transitions, publish, and mark it published only after Kafka acked. A mapping
 * that emits nothing releases the claim; the sender's own echo is marked without an event.
 */
export async function runConnector(
  { name, connector }: EnabledConnector,
  mapping: ResolvedMapping,
  { change, committedPrevious, origin }: ConnectorTurn,
  deps: ConnectorTurnDeps,
): Promise<ConnectorOutcome> {
  const { kind, id } = entityRef(change);
  const ref: PublishedRef = { connector: name, siteHost: change.site.host, entity: kind, entityId: id };
  const opts = { deletion: change.kind === 'deleted' };
  const claim = await deps.published.claim(ref, change.version, opts);
  // The older publish normally takes milliseconds; its claim may hold for a minute. Come back soon
  // and ask again: the holder's lease still keeps this version out until the older one is done.
  if (claim.kind === 'busy') {
    throw new PublishBusyError(name, Math.min(claim.retryInMs, deps.busyRetryMs ?? defaultBusyRetryMs));
  }
  if (claim.kind !== 'claimed') {
    return { connector: name, outcome: claim.kind === 'published' ? 'already_published' : 'superseded' };
  }
  const keep = connector.readsPrevious && change.entity === 'issue';
  const marked = keep ? { ...opts, snapshot: snapshotOf(change.issue) } : opts;
  // The sender's own change, coming back: its system has it already. Marked as published (so what
  // follows is compared with it) without an event.
  if (origin !== null && origin.connector === name) {
    await deps.published.markPublished(ref, change.version, claim.token, marked);
    deps.metrics.echoesSuppressed.inc({ connector: name });
    return { connector: name, outcome: 'echo', reason: `caused by command ${origin.commandId}` };
  }
  const input = connector.readsPrevious
    ? withPrevious(change, claim.lastSnapshot, committedPrevious)
    : change;
  let events: readonly RelayEvent[];
  try {
    const result = connector.map(input, mapping, deps.now());
    events = result.kind === 'skip' ? [] : withOrigin(result.events, origin);
    if (events.length === 0) {
      await deps.published.release(ref, claim.token);
      const reason = result.kind === 'skip' ? result.reason : 'no events';
      countFiltered(name, input, mapping, reason, deps);
      return { connector: name, outcome: 'skipped', reason };
    }
  } catch (err) {
    await deps.published.release(ref, claim.token).catch(() => undefined);
    throw new MappingError(err);
  }
  try {
    await deps.published.holdWhile(ref, claim.token, deps.publisher.publish(events));
  } catch (err) {
    await deps.published.release(ref, claim.token).catch(() => undefined);
    throw err;
  }
  await deps.published.markPublished(ref, change.version, claim.token, marked);
  deps.metrics.eventsPublished.inc({ connector: name }, events.length);
  // Deletions are versioned by the delivery time, not by a Jira edit: no lag to speak of.
  if (change.kind !== 'deleted') {
    deps.metrics.endToEndLagSeconds.observe(
      { source: change.source },
      Math.max(0, Date.now() - change.version) / 1000,
    );
  }
  return { connector: name, outcome: 'published', events: events.length };
}

/**
 * One connector's turn for a replayed change (`change.replay`): the events this version maps to,
 * published again without a claim, and no marker, entity or echo state touched, so the live path
 * goes on exactly as before. A connector's events carry the same ids as when the version first went
 * out: ids derive from (connector, type, site, entity, version) and the mapping is pure. A connector
 * that reacts to transitions (monitoring) is given what a consumer starting from nothing needs: the
 * incident opened in its current state (`previous: null`), dated at the version this connector last
 * published (the marker), so its latest lifecycle event keeps the id it had (docs/operations.md,
 * "Replay"). Entities whose deletion is out are not replayed.
 */
export async function replayConnector(
  { name, connector }: EnabledConnector,
  mapping: ResolvedMapping,
  change: JiraChange,
  deps: ConnectorTurnDeps,
): Promise<ConnectorOutcome> {
  const { kind, id } = entityRef(change);
  const ref: PublishedRef = { connector: name, siteHost: change.site.host, entity: kind, entityId: id };
  const marker = await deps.published.current(ref);
  if (marker?.deleted) return { connector: name, outcome: 'skipped', reason: 'deleted' };
  const input =
    connector.readsPrevious && change.entity === 'issue'
      ? { ...change, previous: null, version: Math.min(marker?.version ?? change.version, change.version) }
      : change;
  let events: readonly RelayEvent[];
  try {
    const result = connector.map(input, mapping, deps.now());
    if (result.kind === 'skip') return { connector: name, outcome: 'skipped', reason: result.reason };
    events = result.events;
  } catch (err) {
    throw new MappingError(err);
  }
  if (events.length === 0) return { connector: name, outcome: 'skipped', reason: 'no events' };
  await deps.publisher.publish(events);
  deps.metrics.eventsPublished.inc({ connector: name }, events.length);
  return { connector: name, outcome: 'replayed', events: events.length };
}

/**
 * A skip the connector's filter caused (its reason is the filter's): counted by connector and
 * criterion, and logged at debug level with the issue, so "nothing was published" has an answer.
 */
function countFiltered(
  connector: string,
  change: JiraChange,
  mapping: ResolvedMapping,
  reason: string,
  deps: ConnectorTurnDeps,
): void {
  const exclusion = filterExclusion(change, mapping.filter);
  if (exclusion === undefined || exclusion.reason !== reason) return;
  deps.metrics.changesFiltered.inc({ connector, reason: exclusion.criterion });
  deps.log?.debug(
    { connector, issue: change.issue.key, reason: exclusion.criterion, detail: reason },
    'change filtered out',
  );
}

/**
 * An issue change with the issue as this connector last published it: transitions are computed
 * against what its consumers saw, not against a version another connector published or one whose
 * publish never got out. A marker from before snapshots were kept falls back to the committed one.
 */
function withPrevious(
  change: JiraChange,
  lastSnapshot: string | null | undefined,
  committedPrevious: IssueSnapshot | null,
): JiraChange {
  if (change.entity !== 'issue') return change;
  if (lastSnapshot === undefined) return { ...change, previous: null };
  if (lastSnapshot === null) return { ...change, previous: committedPrevious };
  return { ...change, previous: JSON.parse(lastSnapshot) as IssueSnapshot };
}

function withOrigin(events: readonly RelayEvent[], origin: EchoOrigin | null): readonly RelayEvent[] {
  return origin === null ? events : events.map((event) => ({ ...event, origin: origin.source }));
}
