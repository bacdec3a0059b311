import type { Connection } from '../../src/connections/connection.ts';
import { type IssueRef, issueChange } from './model-changes.ts';
import type { RealPasses } from './real-passes.ts';
import { type PollShape, SiteModel } from './site-model.ts';
import type { BenchStack } from './stack.ts';

/** One real pass measured on the simulator, next to what the model says it costs. */
interface MeasuredPass {
  readonly what: string;
  /** Points the pass reported (a poll's `points`: all it charged, its search, comment pages and listing). */
  readonly reported: number | null;
  /** Points the budget charged the site for it (every request: project listing included). */
  readonly charged: number;
  /** The model's search points for the same poll (null for the reconcile). */
  readonly modelled: number | null;
  /** What the model charges for it, and the poll reports: its search, comment lists and project listing. */
  readonly modelledCharge: number | null;
}

export interface Calibration {
  readonly site: string;
  readonly projects: number;
  readonly passes: readonly MeasuredPass[];
  /** What reading each issue's comment list costs a poll (0: the search embeds them all). */
  readonly commentPoints: readonly number[];
  /** What a modelled site's reconcile is charged: the real one's charge (issues of every site are as many). */
  readonly reconcilePoints: number;
  /** What a project listing costs (the first poll's charge minus the model's search points). */
  readonly listingPoints: number;
}

/**
 * Before the day starts, the real passes are measured on one backfilled site and set beside the
 * model: a poll with a cold project cache, an idle one, one after three issues changed 10 s apart
 * (the first issue of a simulator site has 25 comments, so its list is fetched), the idle one after
 * that (it re-reads what changed within the overlap before the cursor), and a deletion reconcile.
 * The changes' webhooks are delivered (published as the pipeline would), the usual case. The
 * model's charges must agree with the real ones; the reconcile's charge becomes the modelled
 * sites' reconcile cost.
 */
export async function calibrate(
  stack: BenchStack,
  passes: RealPasses,
  target: {
    readonly connection: Connection;
    readonly issues: readonly IssueRef[];
    readonly commentPoints: readonly number[];
  },
  shape: PollShape & { readonly projectsCacheMs: number; readonly listingPoints: number },
): Promise<Calibration> {
  const { sim, budget } = stack;
  const { connection, issues } = target;
  const host = connection.siteHost;
  const model = new SiteModel(issues.length, connection.createdAt, target.commentPoints);
  const charged = async <T>(run: () => Promise<T>): Promise<{ value: T; points: number }> => {
    const before = (await budget.lifetimePoints())[host] ?? 0;
    const value = await run();
    await budget.leave(host);
    return { value, points: ((await budget.lifetimePoints())[host] ?? 0) - before };
  };
  const poll = async (what: string): Promise<MeasuredPass> => {
    sim.clock.advance(60_000);
    const at = sim.clock.now();
    const finding = model.poll(at, shape);
    const listing = model.listsProjects(at, shape.projectsCacheMs) ? shape.listingPoints : 0;
    const { value, points } = await charged(() => passes.poll(connection));
    const modelledCharge = finding.points + finding.commentPoints + listing;
    return { what, reported: value.points, charged: points, modelled: finding.points, modelledCharge };
  };
  passes.expireProjectCache();
  const measured = [await poll('poll, project list not cached'), await poll('idle poll')];
  // The issue whose comment list a poll has to fetch (if there is one) among the three.
  const order = issues
    .map((_, i) => i)
    .sort((a, b) => (target.commentPoints[b] ?? 0) - (target.commentPoints[a] ?? 0));
  for (const ref of order.slice(0, 3).map((i) => issues[i] as IssueRef)) {
    sim.clock.advance(10_000);
    const updated = sim.updateIssue(connection.cloudId, ref.key, {
      fields: { summary: 'calibration' },
    }).updated;
    const site = { host, cloudId: connection.cloudId };
    await passes.webhookPublished(issueChange(site, ref, updated, 'webhook', updated));
    model.change(issues.indexOf(ref), updated, true);
  }
  measured.push(
    await poll('poll after 3 issues changed (webhooks delivered)'),
    await poll('idle poll after that'),
  );
  const reconcile = await charged(() => passes.reconcile(connection));
  measured.push({
    what: 'deletion reconcile',
    reported: null,
    charged: reconcile.points,
    modelled: null,
    modelledCharge: null,
  });
  const first = measured[0] as MeasuredPass;
  return {
    site: host,
    projects: sim.control.state().sites.find((s) => s.cloudId === connection.cloudId)?.projects.length ?? 0,
    commentPoints: target.commentPoints,
    passes: measured,
    reconcilePoints: reconcile.points,
    listingPoints: first.charged - (first.modelled ?? 0),
  };
}
