import type { ResolvedMapping } from '../../connectors/config/resolve-field-names.ts';
import { entityRef, type IssueSnapshot, type JiraChange } from '../../connectors/jira-change.ts';
import type { EnabledConnector } from '../../connectors/registry.ts';
import type { RelayEvent } from '../../connectors/relay-event.ts';
import type { DeadLetter, EventPublisher } from '../kafka/event-publisher.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { RedisEntityState } from '../state/entity-state.ts';
import type { PublishedRef, PublishedVersions } from '../state/published-versions.ts';
import type { MappingProvider } from './mapping-provider.ts';

/** What happened to a change for one connector. */
type ConnectorOutcome =
  | { readonly connector: string; readonly outcome: 'published'; readonly events: number }
  | {
      readonly connector: string;
      readonly outcome: 'skipped' | 'already_published' | 'superseded';
      readonly reason?: string;
    }
  | { readonly connector: string; readonly outcome: 'dead_lettered'; readonly reason: string };

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

export interface ProcessChangeDeps {
  readonly entities: RedisEntityState;
  readonly mappings: MappingProvider;
  readonly published: PublishedVersions;
  readonly publisher: EventPublisher;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly now: () => Date;
}

export interface JobInfo {
  readonly queue: string;
  readonly jobId: string | undefined;
  readonly attempts: number;
}

/**
 * One change through every enabled connector. Stale versions stop here; each connector maps the
 * change (pure), claims the version, publishes, and marks it published only after Kafka acked. A
 * connector whose mapping throws is dead-lettered on its own and the others flow on; a publish that
 * fails throws, so the job retries, and connectors that already published skip by their markers.
 */
export async function processChange(
  change: JiraChange,
  job: JobInfo,
  deps: ProcessChangeDeps,
): Promise<ChangeOutcome> {
  const decision = await deps.entities.decide(change);
  deps.metrics.changesProcessed.inc({
    source: change.source,
    outcome: decision.kind === 'stale' ? 'stale' : 'processed',
  });
  if (decision.kind === 'stale') return { outcome: 'stale', current: decision.current };
  const enriched = await withContext(change, decision.previous, deps.entities);
  const mappings = await deps.mappings.mappingsFor(change.site.host);
  const outcomes: ConnectorOutcome[] = [];
  for (const connector of deps.mappings.connectors) {
    const mapping = mappings.get(connector.name);
    if (!mapping) continue;
    outcomes.push(await runConnector(connector, mapping, enriched, job, deps));
  }
  return { outcome: 'processed', connectors: outcomes };
}

async function withContext(
  change: JiraChange,
  previous: IssueSnapshot | null,
  entities: RedisEntityState,
): Promise<JiraChange> {
  if (change.entity === 'issue') return { ...change, previous: previous ?? null };
  return { ...change, issueSnapshot: await entities.issueSnapshot(change.site.host, change.issue.id) };
}

async function runConnector(
  { name, connector }: EnabledConnector,
  mapping: ResolvedMapping,
  change: JiraChange,
  job: JobInfo,
  deps: ProcessChangeDeps,
): Promise<ConnectorOutcome> {
  let events: readonly RelayEvent[];
  try {
    const result = connector.map(change, mapping, deps.now());
    if (result.kind === 'skip') return { connector: name, outcome: 'skipped', reason: result.reason };
    events = result.events;
  } catch (err) {
    // A mapping bug fails the same way on every retry: dead-letter it now, keep the others going.
    const reason = err instanceof Error ? err.message : String(err);
    await deps.publisher.publishDeadLetter(deadLetter(change, job, name, 'MAPPING_FAILED', reason));
    deps.log.error({ err, connector: name, issue: change.issue.key }, 'mapping failed; dead-lettered');
    return { connector: name, outcome: 'dead_lettered', reason };
  }
  if (events.length === 0) return { connector: name, outcome: 'skipped', reason: 'no events' };
  return publishOnce(name, change, events, deps);
}

async function publishOnce(
  name: string,
  change: JiraChange,
  events: readonly RelayEvent[],
  deps: ProcessChangeDeps,
): Promise<ConnectorOutcome> {
  const { kind, id } = entityRef(change);
  const ref: PublishedRef = { connector: name, siteHost: change.site.host, entity: kind, entityId: id };
  const opts = { deletion: change.kind === 'deleted' };
  const claim = await deps.published.claim(ref, change.version, opts);
  if (claim.kind === 'busy') throw new PublishBusyError(name, claim.retryInMs);
  if (claim.kind !== 'claimed') {
    return { connector: name, outcome: claim.kind === 'published' ? 'already_published' : 'superseded' };
  }
  try {
    await deps.publisher.publish(events);
  } catch (err) {
    await deps.published.release(ref, claim.token).catch(() => undefined);
    throw err;
  }
  await deps.published.markPublished(ref, change.version, claim.token, opts);
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

function deadLetter(
  change: JiraChange,
  job: JobInfo,
  connector: string | undefined,
  code: string,
  message: string,
  retryable = false,
): DeadLetter {
  return {
    queue: job.queue,
    ...(connector === undefined ? {} : { connector }),
    ...(job.jobId === undefined ? {} : { jobId: job.jobId }),
    key: `${change.site.host}:${change.issue.id}`,
    input: { change },
    error: { code, message, retryable },
    attempts: job.attempts,
    failedAt: Date.now(),
  };
}
