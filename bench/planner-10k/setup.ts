import { syncJobs } from '../../src/sync/sync-jobs.ts';
import type { PlanOutcome } from '../../src/sync/sync-planner.ts';
import { createRandom } from '../../test/sim/random.ts';
import { type Calibration, calibrate } from './calibrate.ts';
import { buildFleet, inBatches, type Site, setCommentPoints } from './fleet.ts';
import { type IssueRef, issueChange } from './model-changes.ts';
import { listingPoints } from './modelled-effects.ts';
import type { BenchOptions } from './options.ts';
import { publishedHooks } from './published-hooks.ts';
import { type RealPasses, realPasses } from './real-passes.ts';
import type { Metered } from './redis-meter.ts';
import { commentListPoints } from './site-model.ts';
import type { BenchStack } from './stack.ts';

/** The fleet ready for the day, with what the real passes publish wired to it. */
export interface PreparedFleet {
  readonly sites: readonly Site[];
  readonly passes: RealPasses;
  readonly hooks: ReturnType<typeof publishedHooks>;
  readonly calibration: Calibration;
}

/**
 * Sites connected long ago: the real ones backfilled for real (their issues and comment lists as
 * the backfill published them), the others by checkpoint; the calibration measured on the last
 * site; every modelled site's issues like the calibration site's (the simulator makes sites alike).
 */
export async function prepareFleet(
  stack: BenchStack,
  opts: BenchOptions,
  dayStart: number,
): Promise<PreparedFleet> {
  const hooks = publishedHooks();
  const passes = realPasses(stack, hooks.published);
  const sites = await buildFleet(stack, passes, opts);
  for (const site of sites.filter((s) => s.real)) {
    site.issues = hooks.issuesOf(site);
    setCommentPoints(site, await commentPoints(stack, site.ref.host, site.issues));
  }
  const calibration = await calibrateOn(stack, passes, sites, hooks.issuesOf);
  for (const site of sites.filter((s) => !s.real)) setCommentPoints(site, calibration.commentPoints);
  await seedLastChanges(stack, sites, passes, { seed: opts.seed, before: dayStart });
  return { sites, passes, hooks, calibration };
}

/**
 * Each site's last change before the day: one issue changed (its webhook delivered) and polled once
 * since, so the cursor rests on it and an idle poll costs what it costs in the long run (that issue
 * read again: 2 points, and its comment list when it has more than 20), and the planner starts from
 * those costs. Otherwise every site would start as if just connected, polls at 1 point, and costs
 * rising through the day would move every interval by more than a fifth in one round. Modelled
 * sites' changes fall between their connection and the day; real sites change and poll for real.
 */
async function seedLastChanges(
  stack: BenchStack,
  sites: readonly Site[],
  passes: RealPasses,
  opts: { readonly seed: number; readonly before: number },
) {
  const draw = createRandom(opts.seed ^ 0x1a57);
  const { sim, config } = stack;
  const shape = { overlapMs: config.SYNC_POLL_OVERLAP_MS, pageSize: config.JIRA_SEARCH_PAGE_SIZE };
  const from = sim.clock.now();
  // Changes and their polls all before the day (and its first planning round) starts.
  const span = Math.max(0, opts.before - from - 5 * 60_000);
  await inBatches(
    sites.filter((s) => !s.real),
    200,
    async (site) => {
      const at = from + Math.floor(draw.next() * span);
      site.model.change(draw.int(site.issues.length), at, true);
      const finding = site.model.poll(at + 60_000, shape);
      await stack.sync.cursors.pollDone(site.connection.id, at + 60_000, finding.points);
    },
  );
  const real = sites.filter((s) => s.real);
  for (const site of real) {
    const issue = draw.int(site.issues.length);
    const ref = site.issues[issue] as IssueRef;
    const version = sim.updateIssue(site.connection.cloudId, ref.key, {
      fields: { summary: 'last change' },
    }).updated;
    await passes.webhookPublished(issueChange(site.ref, ref, version, 'webhook', version));
    site.model.change(issue, version, true);
    site.predictor?.change(issue, version, true);
  }
  sim.clock.advance(60_000);
  await inBatches(real, 20, async (site) => {
    site.predictor?.poll(sim.clock.now(), shape);
    site.predictor?.listsProjects(sim.clock.now(), config.SYNC_PROJECTS_CACHE_SECONDS * 1000);
    await passes.poll(site.connection);
    await stack.budget.leave(site.ref.host);
  });
}

/**
 * The relay as it has been running for a while when the day starts: the planner's scheduler, each
 * connection's poll and reconcile (`connected`), one planning round (timed: it reschedules every
 * site, as a first round does), then each site's next poll and reconcile at its own time within
 * its interval (sites connected, and last rescheduled, at different times) and its project list
 * cached at a random age. Without this the day would start with every site due at once.
 */
export async function startRelay(
  stack: BenchStack,
  sites: readonly Site[],
  opts: BenchOptions,
  dayStart: number,
): Promise<Metered<PlanOutcome>> {
  const { scheduler, planner } = stack.sync;
  await scheduler.schedulePlanner();
  await scheduler.connected(sites.map((s) => s.connection.id));
  const firstRound = await stack.meter.measure(() => planner.plan());
  const phase = createRandom(opts.seed ^ 0x9a5e);
  // The planner's own scheduler runs from the start of the day, not from the set-up hour.
  stack.queue.spreadPhases(syncJobs.plan, dayStart, () => 0);
  stack.queue.spreadPhases(syncJobs.poll, dayStart, () => phase.next());
  stack.queue.spreadPhases(syncJobs.reconcile, dayStart, () => phase.next());
  const cacheMs = stack.config.SYNC_PROJECTS_CACHE_SECONDS * 1000;
  for (const site of sites.filter((s) => !s.real)) {
    site.model.projectsListedAt(dayStart - Math.floor(phase.next() * cacheMs));
  }
  return firstRound;
}

/**
 * The calibration site: the last one, modelled in the day (its real state afterwards does not
 * matter); it is backfilled for real first, like the real sites.
 */
async function calibrateOn(
  stack: BenchStack,
  passes: ReturnType<typeof realPasses>,
  sites: readonly Site[],
  issuesOf: (site: Site) => IssueRef[],
): Promise<Calibration> {
  const site = sites[sites.length - 1] as Site;
  if (!site.real) {
    // Its checkpoint says done (as every modelled site's): a new backfill, from the same month-old start.
    const { startedAt } = (await stack.sync.cursors.backfill(site.connection.id)) ?? { startedAt: 0 };
    await stack.sync.cursors.startBackfill(site.connection.id, null, startedAt);
    await passes.backfill(site.connection);
  }
  const { config } = stack;
  const issues = issuesOf(site);
  const points = await commentPoints(stack, site.ref.host, issues);
  const projects = stack.sim.control.state().sites.find((s) => s.cloudId === site.ref.cloudId)
    ?.projects.length;
  const calibration = await calibrate(
    stack,
    passes,
    { connection: site.connection, issues, commentPoints: points },
    {
      overlapMs: config.SYNC_POLL_OVERLAP_MS,
      pageSize: config.JIRA_SEARCH_PAGE_SIZE,
      projectsCacheMs: config.SYNC_PROJECTS_CACHE_SECONDS * 1000,
      listingPoints: listingPoints(projects ?? 0),
    },
  );
  return calibration;
}

/** What a poll pays to read each issue's comment list, from the comments the backfill published. */
async function commentPoints(
  stack: BenchStack,
  host: string,
  issues: readonly IssueRef[],
): Promise<number[]> {
  const known = await stack.sync.known.comments(
    host,
    issues.map((i) => i.id),
  );
  return issues.map((i) =>
    commentListPoints(known.get(i.id)?.size ?? 0, stack.config.JIRA_COMMENT_PAGE_SIZE),
  );
}
