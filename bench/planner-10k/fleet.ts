import type { SiteRef } from '../../connectors/jira-change.ts';
import type { Connection } from '../../src/connections/connection.ts';
import { createRandom } from '../../test/sim/random.ts';
import { type ActivityTier, tierOf } from './change-stream.ts';
import { type IssueRef, modelIssue } from './model-changes.ts';
import type { RealPasses } from './real-passes.ts';
import { SiteModel } from './site-model.ts';
import type { BenchStack } from './stack.ts';

/** One connected site as the simulation drives it. */
export interface Site {
  readonly index: number;
  readonly connection: Connection;
  readonly ref: SiteRef;
  readonly tier: ActivityTier;
  /** Its polls and reconciles run the real code against the simulator; the others are modelled. */
  readonly real: boolean;
  /** Modelled sites: the whole model. Real sites: the ledger of lost changes (the real poll decides). */
  model: SiteModel;
  /** Real sites: what the model predicts their polls read and cost, to check the model against. */
  predictor: SiteModel | null;
  /** The issues changes go to: the simulator's own for real sites, placeholders otherwise. */
  issues: readonly IssueRef[];
  /** Start of the latest poll, for the gaps between polls. */
  lastPollAt: number | null;
  /** A real poll of this site starts in the slice being worked off (later changes wait for the next). */
  polledThisSlice: boolean;
}

/**
 * The fleet: every simulator site with its activity tier (a seeded draw, the same in both pool
 * modes) and the first `realSites` sites marked real. Sites are left as a long-connected site is:
 * backfilled a month ago (real sites really, by the real backfill; modelled ones by their
 * checkpoint), so the reconcile runs on its schedule and polls find only what changes from now.
 */
export async function buildFleet(
  stack: BenchStack,
  passes: RealPasses,
  opts: { readonly realSites: number; readonly issuesPerSite: number; readonly seed: number },
): Promise<Site[]> {
  const draw = createRandom(opts.seed ^ 0x5eed);
  const now = stack.sim.clock.now();
  const sites = stack.connections.map((connection, index): Site => {
    const real = index < opts.realSites;
    return {
      index,
      connection,
      ref: { host: connection.siteHost, cloudId: connection.cloudId },
      tier: tierOf(draw.next()),
      real,
      model: new SiteModel(opts.issuesPerSite, connection.createdAt),
      predictor: real ? new SiteModel(opts.issuesPerSite, connection.createdAt) : null,
      issues: Array.from({ length: opts.issuesPerSite }, (_, i) => modelIssue(i)),
      lastPollAt: null,
      polledThisSlice: false,
    };
  });
  const monthAgo = now - 30 * 86_400_000;
  await inBatches(sites, 100, async (site) => {
    const { cursors } = stack.sync;
    const id = site.connection.id;
    const checkpoint = await cursors.startBackfill(id, null, monthAgo);
    if (site.real) return passes.backfill(site.connection);
    await cursors.saveBackfill(id, checkpoint.generation, {
      after: null,
      issues: opts.issuesPerSite,
      changes: opts.issuesPerSite,
      status: 'done',
      finishedAt: monthAgo + 3_600_000,
    });
  });
  return sites;
}

/** Gives the site's models what reading each issue's comment list costs (known once it is backfilled). */
export function setCommentPoints(site: Site, commentPoints: readonly number[]): void {
  const { createdAt } = site.connection;
  site.model = new SiteModel(site.issues.length, createdAt, commentPoints);
  site.predictor = site.real ? new SiteModel(site.issues.length, createdAt, commentPoints) : null;
}

/** Runs `work` over `items`, `size` at a time. */
export async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}
