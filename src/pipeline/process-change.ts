import type { JiraChange, ReplayMarker } from '../../connectors/jira-change.ts';
import { RelayError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { RedisEntityState } from '../state/entity-state.ts';
import {
  type ConnectorOutcome,
  type ConnectorTurnDeps,
  type EchoFilter,
  MappingError,
  PublishBusyError,
  replayConnector,
  runConnector,
} from './connector-turn.ts';
import { refuseFutureVersion } from './future-version.ts';
import type { MappingProvider } from './mapping-provider.ts';

export type ChangeOutcome =
  | { readonly outcome: 'stale'; readonly current: number }
  | { readonly outcome: 'processed'; readonly connectors: readonly ConnectorOutcome[] };

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

export interface ProcessChangeDeps extends ConnectorTurnDeps {
  readonly entities: RedisEntityState;
  readonly mappings: MappingProvider;
  readonly log: Logger;
  /**
   * What follows a change every connector is through with (after-publish.ts): what the relay knows
   * and has seen is written only then. A failure fails the change, so a retry writes it again.
   */
  readonly afterPublish?: (change: JiraChange) => Promise<void>;
  /** FUTURE_VERSION_SKEW_SECONDS in ms; unset, no version is refused as being in the future. */
  readonly futureVersionSkewMs?: number;
  /** Recognises changes the relay's own command writes caused; unset, none is. */
  readonly echoes?: EchoFilter;
}

/**
 * One change through every enabled connector. A version far in the future is refused and stale
 * versions stop here; each connector maps the change (pure), claims the version, publishes, and
 * marks it published only after Kafka acked; then `afterPublish` records it.
 * Every connector gets its turn, side by side, whatever the others do; then any failure is thrown, so the job
 * retries (or fails, and is dead-lettered by its worker) and connectors that already published skip
 * by their markers. A connector busy with an older version elsewhere makes the job come back later.
 */
export async function processChange(change: JiraChange, deps: ProcessChangeDeps): Promise<ChangeOutcome> {
  refuseFutureVersion(change, deps.now().getTime(), deps.futureVersionSkewMs);
  if (change.replay) return replayChange(change, change.replay, deps);
  const decision = await deps.entities.decide(change);
  deps.metrics.changesProcessed.inc({
    source: change.source,
    outcome: decision.kind === 'stale' ? 'stale' : 'processed',
  });
  if (decision.kind === 'stale') return { outcome: 'stale', current: decision.current };
  // Three reads that do not depend on each other: one round trip's wait instead of three.
  const [enriched, mappings, origin] = await Promise.all([
    withContext(change, deps.entities),
    deps.mappings.mappingsFor(change.site.host),
    deps.echoes?.match(change, decision.previous) ?? null,
  ]);
  const turn = { change: enriched, committedPrevious: decision.previous, origin: origin ?? null };
  // Connectors take their turns side by side: each has its own claim and marker, and a publish
  // waits for the broker's ack, so one after the other the second event waited for the first's.
  const enabled = deps.mappings.connectors.flatMap((connector) => {
    const mapping = mappings.get(connector.name);
    return mapping ? [{ connector, mapping }] : [];
  });
  const turns = await Promise.all(
    enabled.map(async ({ connector, mapping }) => {
      try {
        return { outcome: await runConnector(connector, mapping, turn, deps) };
      } catch (error) {
        return { failed: { connector: connector.name, error } };
      }
    }),
  );
  const outcomes: ConnectorOutcome[] = [];
  const failures: ConnectorFailure[] = [];
  const busy: PublishBusyError[] = [];
  for (const { outcome, failed } of turns) {
    if (outcome) outcomes.push(outcome);
    else if (failed?.error instanceof PublishBusyError) busy.push(failed.error);
    else if (failed) failures.push(failed);
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

/**
 * A replayed change (src/sync/replay.ts): no stale check, no claims, no commit, no after-publish;
 * each connector asked for re-emits the version's events (connector-turn.ts, `replayConnector`).
 * Failures are thrown like a live change's, so the job retries; repeats carry the same ids.
 */
async function replayChange(
  change: JiraChange,
  replay: ReplayMarker,
  deps: ProcessChangeDeps,
): Promise<ChangeOutcome> {
  deps.metrics.changesProcessed.inc({ source: 'replay', outcome: 'processed' });
  const enriched = await withContext(change, deps.entities);
  const mappings = await deps.mappings.mappingsFor(change.site.host);
  const outcomes: ConnectorOutcome[] = [];
  const failures: ConnectorFailure[] = [];
  for (const connector of deps.mappings.connectors) {
    const mapping = mappings.get(connector.name);
    if (!mapping || (replay.connectors && !replay.connectors.includes(connector.name))) continue;
    try {
      outcomes.push(await replayConnector(connector, mapping, enriched, deps));
    } catch (error) {
      failures.push({ connector: connector.name, error });
    }
  }
  if (failures.length > 0) throw new ConnectorsFailedError(failures);
  return { outcome: 'processed', connectors: outcomes };
}

async function withContext(change: JiraChange, entities: RedisEntityState): Promise<JiraChange> {
  if (change.entity === 'issue') return change;
  return { ...change, issueSnapshot: await entities.issueSnapshot(change.site.host, change.issue.id) };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
