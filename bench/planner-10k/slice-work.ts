import { BudgetExhaustedError } from '../../src/atlassian/budget/budget-exhausted-error.ts';
import { syncJobs } from '../../src/sync/sync-jobs.ts';
import type { Site } from './fleet.ts';
import { issueChange } from './model-changes.ts';
import type { Refusal } from './modelled-effects.ts';
import type { DrawnChange, SimulationSetup } from './simulation.ts';
import type { SyncJob } from './virtual-queue.ts';

/** A job a worker slot took, and when. */
export interface Started {
  readonly job: SyncJob;
  readonly at: number;
  readonly slot: number;
}

type Effect = () => Promise<unknown>;

/**
 * The work of one slice. The model steps (`change`, `start`) run in time order and at once; the
 * Redis and HTTP work they call for is collected and run by `finish`: the webhooks' first, then
 * the jobs', each group concurrently.
 */
export class SliceWork {
  readonly #s: SimulationSetup;
  readonly #webhooks: Effect[] = [];
  readonly #jobs: Effect[] = [];
  readonly #polled: Site[] = [];
  /** The planning round of this slice, if its job started: it runs alone, after the rest. */
  plan: Started | null = null;

  constructor(setup: SimulationSetup) {
    this.#s = setup;
  }

  /** Asks the budget for a modelled job's first call; a refusal postpones the job. Undefined: not gated here. */
  async gate(started: Started): Promise<Refusal | null | undefined> {
    const site = this.#siteOf(started.job);
    if (!site || site.real) return undefined;
    const { effects, recorder } = this.#s;
    const asked = performance.now();
    let refusal: Refusal | null;
    try {
      if (started.job.name === syncJobs.poll) refusal = await effects.gatePoll(site);
      else if (started.job.name === syncJobs.reconcile) refusal = await effects.gateReconcile(site);
      else return undefined;
    } catch (err) {
      // The budget's script failed (Redis answered an error): the job fails, as it would in the worker.
      const message = err instanceof Error ? err.message.slice(0, 60) : String(err);
      recorder.count(recorder.failures, `${started.job.name}: ${message}`);
      return { reason: 'failed', retryAfterMs: 0 };
    }
    recorder.checked(performance.now() - asked);
    if (refusal) await this.#postpone(started, refusal);
    return refusal;
  }

  start(started: Started): void {
    const site = this.#siteOf(started.job);
    if (started.job.name === syncJobs.plan) this.plan = started;
    else if (!site) return;
    else if (started.job.name === syncJobs.poll) this.#poll(site, started);
    else if (started.job.name === syncJobs.reconcile) this.#reconcile(site, started);
  }

  /** A change to a site; false when it must wait for the next slice (its real poll already started). */
  change(change: DrawnChange): boolean {
    const { site, issue, at, delivered } = change;
    if (site.real && site.polledThisSlice) return false;
    const ref = site.issues[issue] ?? { id: '0', key: 'SIM-0' };
    const cloudId = site.connection.cloudId;
    const version = site.real
      ? this.#s.stack.sim.updateIssue(cloudId, ref.key, { fields: { summary: `changed at ${at}` } }).updated
      : at;
    this.#s.recorder.changed(at, delivered);
    this.#s.recorder.recovered(site.index, site.model.change(issue, at, delivered, version));
    site.predictor?.change(issue, at, delivered);
    if (!delivered) return true;
    const { passes, effects } = this.#s;
    this.#webhooks.push(() =>
      site.real
        ? passes.webhookPublished(issueChange(site.ref, ref, version, 'webhook', version))
        : effects.webhookDelivered(site, issue, version),
    );
    return true;
  }

  async finish(): Promise<void> {
    await Promise.all(this.#webhooks.map((effect) => effect()));
    await Promise.all(this.#jobs.map((effect) => effect()));
    for (const site of this.#polled) site.polledThisSlice = false;
  }

  /** The real planner's round, timed alone; returns how long it held its worker slot (ms). */
  async runPlan(started: Started): Promise<number> {
    const { stack, recorder } = this.#s;
    const metered = await stack.meter.measure(() => stack.sync.planner.plan());
    recorder.planned(started.at, started.at - started.job.dueAt, metered);
    return metered.wallMs;
  }

  #poll(site: Site, started: Started): void {
    const { recorder, shape, projectsCacheMs, effects } = this.#s;
    const previous = site.lastPollAt;
    site.lastPollAt = started.at;
    recorder.pollStarted(site.index, started.at, started.job.dueAt, previous);
    if (site.real) {
      this.#realPoll(site, started);
      return;
    }
    const finding = site.model.poll(started.at, shape);
    recorder.recovered(site.index, finding.recovered);
    const lists = site.model.listsProjects(started.at, projectsCacheMs);
    recorder.charged('poll search', finding.points);
    recorder.charged('poll comment lists', finding.commentPoints);
    recorder.charged('project lists', lists ? this.#s.costs.listing : 0);
    this.#jobs.push(() =>
      this.#guarded(started, async () =>
        this.#refused('poll', await effects.finishPoll(site, started.at, finding, lists)),
      ),
    );
  }

  /** The model's prediction is made once the real poll went through (a refused one reads nothing). */
  #realPoll(site: Site, started: Started): void {
    const { passes, recorder, shape, realPollStarts } = this.#s;
    site.polledThisSlice = true;
    this.#polled.push(site);
    this.#jobs.push(() =>
      this.#real(site, started, async () => {
        realPollStarts.set(site.ref.host, started.at);
        const outcome = await passes.poll(site.connection);
        const predicted = site.predictor?.poll(started.at, shape);
        const listing = this.#predictListing(site, started.at);
        const check = recorder.modelCheck;
        check.polls++;
        const reported = predicted ? predicted.points + predicted.commentPoints + listing : 0;
        check.realPoints += outcome.points;
        check.predictedPoints += reported;
        if (predicted && outcome.points === reported) check.samePoints++;
        if (predicted && started.at >= recorder.measureFrom) check.predictedCharge += reported;
      }),
    );
  }

  #reconcile(site: Site, started: Started): void {
    const { passes, effects, projectsCacheMs } = this.#s;
    if (site.real) {
      this.#jobs.push(() =>
        this.#real(site, started, async () => {
          await passes.reconcile(site.connection);
          const listing = this.#predictListing(site, started.at);
          if (started.at >= this.#s.recorder.measureFrom) {
            this.#s.recorder.modelCheck.predictedCharge += this.#s.costs.reconcile + listing;
          }
        }),
      );
      return;
    }
    const lists = site.model.listsProjects(started.at, projectsCacheMs);
    this.#s.recorder.charged('reconcile', this.#s.costs.reconcile);
    this.#s.recorder.charged('project lists', lists ? this.#s.costs.listing : 0);
    this.#jobs.push(() =>
      this.#guarded(started, async () =>
        this.#refused('reconcile', await effects.finishReconcile(site, lists)),
      ),
    );
  }

  /** A modelled job's Redis work; an error Redis answers fails the job (counted), as in the worker. */
  async #guarded(started: Started, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      const message = err instanceof Error ? err.message.slice(0, 60) : String(err);
      this.#s.recorder.count(this.#s.recorder.failures, `${started.job.name}: ${message}`);
    }
  }

  /** A real job as the sync worker runs it: a budget refusal postpones it; the site leaves the fair share. */
  async #real(site: Site, started: Started, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (err) {
      if (!(err instanceof BudgetExhaustedError)) {
        this.#s.recorder.modelCheck.failed++;
        if (this.#s.recorder.modelCheck.failed === 1)
          console.error(`a real ${started.job.name} failed:`, err);
      } else {
        await this.#postpone(started, { reason: err.reason, retryAfterMs: err.retryAfterMs });
      }
    } finally {
      await this.#s.stack.budget.leave(site.ref.host);
    }
  }

  /** The points of the project listing the model expects a real site's job to make (0: cached). */
  #predictListing(site: Site, at: number): number {
    return site.predictor?.listsProjects(at, this.#s.projectsCacheMs) ? this.#s.costs.listing : 0;
  }

  /**
   * A refused job comes back when the budget said, as the worker delays it. Once the budget has
   * refused `stormRefusals` jobs within the hour it is saturated, and a refused job waits for the
   * next window instead: the relay would ask again every JIRA_BUDGET_SHARE_RETRY_MS, each time an
   * acquire script that sorts every waiting site's spend (the report times it), which Redis does
   * not keep up with at 10,000 sites, nor can a simulation. Few of those retries would get through
   * before the window ends, so the outcome is about the same; the Redis cost is what is left out.
   */
  async #postpone(started: Started, refusal: Refusal): Promise<void> {
    this.#refused(started.job.name, refusal);
    const { recorder, stack, windowMs, stormRefusals } = this.#s;
    let delay = refusal.retryAfterMs;
    if (recorder.refusedThisHour > stormRefusals) {
      const now = stack.sim.clock.now();
      delay = Math.max(delay, (Math.floor(now / windowMs) + 1) * windowMs - now);
      recorder.deferredThisHour++;
    }
    const { connectionId, name } = started.job;
    await stack.queue.add(name, connectionId ? { connectionId } : {}, { delay });
  }

  #refused(what: string, refusal: Refusal | null): void {
    if (refusal) this.#s.recorder.refused(`${what}: ${refusal.reason}`);
  }

  #siteOf(job: SyncJob): Site | undefined {
    return job.connectionId ? this.#s.byConnection.get(job.connectionId) : undefined;
  }
}
