import type { ResolvedMapping } from '../../connectors/config/resolve-field-names.ts';
import { entityRef, type IssueSnapshot, type JiraChange } from '../../connectors/jira-change.ts';
import type { EnabledConnector } from '../../connectors/registry.ts';
import type { RelayEvent } from '../../connectors/relay-event.ts';
import { RelayError } from '../errors.ts';
import type { EventPublisher } from '../kafka/event-publisher.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/registry.ts';
import { type RedisEntityState, snapshotOf } from '../state/entity-state.ts';
import type { PublishedRef, PublishedVersions } from '../state/published-versions.ts';
import { refuseFutureVersion } from './future-version.ts';
import type { MappingProvider } from './mapping-provider.ts';

/** What happened to a change for one connector. */
type ConnectorOutcome =
  | { readonly connector: string; readonly outcome: 'published'; readonly events: number }
  | {
      readonly connector: string;
      readonly outcome: 'skipped' | 'already_published' | 'superseded';
      readonly reason?: string;
    };

export type ChangeOutcome =
  | { readonly outcome: 'stale'; readonly current: number }
  | { readonly outcome: 'processed'; readonly connectors: readonly ConnectorOutcome[] };

/** Another worker is publishing an older version of this entity for a connector: come back later. */
export class PublishBusyError extends Error {
  readonly retryInMs: number;
  constructor(connector: string, retryInMs: number) {
    super(`${connector}: an older version of this entity is being published`);
    this.name = 'PublishBusyError';
    this.retryInMs = retryInMs;
  }
}

/** One connector that could not finish a change, and why. */
interface ConnectorFailure {
  readonly connector: string;
  readonly error: unknown;
}

/**
 * Some connectors failed a change after all the others had their turn (and, where they could,
 * published). Retryable when any failure may pass on a retry (Kafka refused, Redis hiccuped); a
 * mapping that throws fails the same way every time, so a change with only mapping failures is not.
 */
class ConnectorsFailedError extends RelayError {
  readonly failures: readonly ConnectorFailure[];
  constructor(failures: readonly ConnectorFailure[]) {
    const mappingOnly = failures.every((f) => f.error instanceof MappingError);
    super(
      mappingOnly ? 'MAPPING_FAILED' : 'KAFKA_PUBLISH_FAILED',
      failures.map((f) => `${f.connector}: ${messageOf(f.error)}`).join('; '),
      { retryable: !mappingOnly, cause: failures[0]?.error },
    );
    this.name = 'ConnectorsFailedError';
    this.failures = failures;
  }

  /** The connector at fault when there is exactly one. */
  get connector(): string | undefined {
    return this.failures.length === 1 ? this.failures[0]?.connector : undefined;
  }
}

/** A connector's pure mapping threw: a bug or a mapping that does not fit the data. */
class MappingError extends Error {
  constructor(cause: unknown) {
    super(messageOf(cause), { cause });
    this.name = 'MappingError';
  }
}

export interface ProcessChangeDeps {
  readonly entities: RedisEntityState;
  readonly mappings: MappingProvider;
  readonly published: PublishedVersions;
  readonly publisher: EventPublisher;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly now: () => Date;
  /**
   * What follows a change every connector is through with (after-publish.ts): what the relay knows
   * and has seen is written only then. A failure fails the change, so a retry writes it again.
   */
  readonly afterPublish?: (change: JiraChange) => Promise<void>;
  /**
   * PUBLISH_BUSY_RETRY_MS: how soon a change that meets an older version's publish claim comes
   * back; at most what is left of the claim. Default 250.
   */
  readonly busyRetryMs?: number;
  /** FUTURE_VERSION_SKEW_SECONDS in ms; unset, no version is refused as being in the future. */
  readonly futureVersionSkewMs?: number;
}

const defaultBusyRetryMs = 250;

/**
 * One change through every enabled connector. A version far in the future is refused and stale
 * versions stop here; each connector maps the change (pure), claims the version, publishes, and
 * marks it published only after Kafka acked; then `afterPublish` records it.
 * Every connector gets its turn whatever the others do; then any failure is thrown, so the job
 * retries (or fails, and is dead-lettered by its worker) and connectors that already published skip
 * by their markers. A connector busy with an older version elsewhere makes the job come back later.
 */
export async function processChange(change: JiraChange, deps: ProcessChangeDeps): Promise<ChangeOutcome> {
  refuseFutureVersion(change, deps.now().getTime(), deps.futureVersionSkewMs);
  const decision = await deps.entities.decide(change);
  deps.metrics.changesProcessed.inc({
    source: change.source,
    outcome: decision.kind === 'stale' ? 'stale' : 'processed',
  });
  if (decision.kind === 'stale') return { outcome: 'stale', current: decision.current };
  const enriched = await withContext(change, deps.entities);
  const mappings = await deps.mappings.mappingsFor(change.site.host);
  const outcomes: ConnectorOutcome[] = [];
  const failures: ConnectorFailure[] = [];
  const busy: PublishBusyError[] = [];
  for (const connector of deps.mappings.connectors) {
    const mapping = mappings.get(connector.name);
    if (!mapping) continue;
    try {
      outcomes.push(await runConnector(connector, mapping, enriched, decision.previous, deps));
    } catch (error) {
      if (error instanceof PublishBusyError) busy.push(error);
      else failures.push({ connector: connector.name, error });
    }
  }
  if (failures.length > 0) {
    for (const { connector, error } of failures) {
      deps.log.warn({ err: error, connector, issue: change.issue.key }, 'connector failed the change');
    }
    throw new ConnectorsFailedError(failures);
  }
  const first = busy.sort((a, b) => a.retryInMs - b.retryInMs)[0];
  if (first) throw first;
  await deps.entities.commit(change);
  await deps.afterPublish?.(change);
  return { outcome: 'processed', connectors: outcomes };
}

async function withContext(change: JiraChange, entities: RedisEntityState): Promise<JiraChange> {
  if (change.entity === 'issue') return change;
  return { ...change, issueSnapshot: await entities.issueSnapshot(change.site.host, change.issue.id) };
}

/**
 * One connector's turn: claim the version, map it (pure) against what this connector last published
 * when it reacts to transitions, publish, and mark it published only after Kafka acked. A mapping
 * that emits nothing releases the claim.
 */
async function runConnector(
  { name, connector }: EnabledConnector,
  mapping: ResolvedMapping,
  change: JiraChange,
  committedPrevious: IssueSnapshot | null,
  deps: ProcessChangeDeps,
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
  const input = connector.readsPrevious
    ? withPrevious(change, claim.lastSnapshot, committedPrevious)
    : change;
  let events: readonly RelayEvent[];
  try {
    const result = connector.map(input, mapping, deps.now());
    events = result.kind === 'skip' ? [] : result.events;
    if (events.length === 0) {
      await deps.published.release(ref, claim.token);
      return {
        connector: name,
        outcome: 'skipped',
        reason: result.kind === 'skip' ? result.reason : 'no events',
      };
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
  const keep = connector.readsPrevious && change.entity === 'issue';
  const marked = keep ? { ...opts, snapshot: snapshotOf(change.issue) } : opts;
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

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
