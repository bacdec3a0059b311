import { createRandom, type Random } from '../../test/sim/random.ts';
import { nextChangeGapMs } from './change-stream.ts';
import { EventQueue } from './event-queue.ts';
import type { Site } from './fleet.ts';
import type { ModelledEffects } from './modelled-effects.ts';
import type { RealPasses } from './real-passes.ts';
import type { Recorder } from './recorder.ts';
import type { PollShape } from './site-model.ts';
import { SliceWork, type Started } from './slice-work.ts';
import type { BenchStack } from './stack.ts';

/** How the simulated day runs. */
export interface SimulationSetup {
  readonly stack: BenchStack;
  readonly sites: readonly Site[];
  readonly byConnection: ReadonlyMap<string, Site>;
  readonly passes: RealPasses;
  readonly effects: ModelledEffects;
  readonly recorder: Recorder;
  /** Virtual epoch ms of the first slice (the top of an hour) and of the end. */
  readonly start: number;
  readonly end: number;
  readonly sliceMs: number;
  /** Worker slots (processes x SYNC_WORKER_CONCURRENCY) and how long a job holds one. */
  readonly slots: number;
  readonly jobMs: number;
  readonly dropRate: number;
  readonly seed: number;
  readonly shape: PollShape;
  readonly projectsCacheMs: number;
  /** Points of a project listing and of a modelled reconcile (from the calibration). */
  readonly costs: { readonly listing: number; readonly reconcile: number };
  readonly windowMs: number;
  /** The start of each site's real poll in flight, by site host (the published-change hook reads it). */
  readonly realPollStarts: Map<string, number>;
  /** Refusals in one simulated hour after which refused jobs wait for the next window (slice-work.ts). */
  readonly stormRefusals: number;
}

/** A change drawn for a site: which issue, and whether its webhook arrives. */
export interface DrawnChange {
  readonly at: number;
  readonly site: Site;
  readonly issue: number;
  readonly delivered: boolean;
}

/**
 * The simulated day, slice by slice on the simulator's clock: due jobs join BullMQ's line, free
 * worker slots take them in order, the budget is asked first, the in-memory model advances in
 * time order (changes, then each poll at its start), and the Redis work of the slice (webhook
 * sightings first, then the jobs) runs concurrently. A planning round runs alone, timed. Idle
 * stretches (no change, job or window end due) are skipped.
 */
export class Simulation {
  readonly #s: SimulationSetup;
  readonly #changes = new EventQueue<Site>();
  readonly #slots: Float64Array;
  readonly #random: Random;
  #deferred: DrawnChange[] = [];
  #nextHour: number;

  constructor(setup: SimulationSetup) {
    this.#s = setup;
    this.#slots = new Float64Array(setup.slots).fill(setup.start);
    this.#random = createRandom(setup.seed ^ 0xc4a9);
    this.#nextHour = setup.start + setup.windowMs;
  }

  async run(): Promise<void> {
    const { stack, recorder, start, end, sites, sliceMs } = this.#s;
    for (const site of sites) this.#changes.push(start + this.#gap(site), site);
    const lifetime = await stack.budget.lifetimePoints();
    recorder.started(lifetime);
    if (recorder.measureFrom <= start) recorder.warmupEnded(lifetime);
    let at = start;
    while (at < end) {
      stack.sim.clock.advance(at - stack.sim.clock.now());
      await this.#slice(at, Math.min(at + sliceMs, end));
      at = this.#nextSlice(Math.min(at + sliceMs, end));
      while (this.#nextHour <= at && this.#nextHour <= end) await this.#hourEnded();
    }
  }

  async #slice(from: number, to: number): Promise<void> {
    const { stack, recorder } = this.#s;
    stack.queue.release(to);
    const work = new SliceWork(this.#s);
    const runnable = await this.#startJobs(work, from, to);
    for (const step of this.#steps(runnable, to)) {
      if ('job' in step) work.start(step);
      else if (!work.change(step)) this.#deferred.push(step);
    }
    await work.finish();
    const plan = work.plan;
    if (plan) this.#slots[plan.slot] = plan.at + Math.ceil(await work.runPlan(plan));
    recorder.longestLine = Math.max(recorder.longestLine, stack.queue.waiting);
  }

  /**
   * Jobs free slots take before `to`. The budget is asked first: a refused job (postponed) hands
   * its slot back at once, as a refusal costs a worker one Redis call, and the slot takes the next.
   */
  async #startJobs(work: SliceWork, from: number, to: number): Promise<Started[]> {
    const runnable: Started[] = [];
    for (;;) {
      const batch = this.#takeStarts(from, to);
      const gated = await Promise.all(batch.map((s) => work.gate(s)));
      let refused = 0;
      batch.forEach((s, i) => {
        if (gated[i]) {
          this.#slots[s.slot] = s.at;
          refused++;
        } else {
          runnable.push(s);
          this.#s.recorder.count(this.#s.recorder.jobs, s.job.name);
        }
      });
      if (refused === 0) return runnable;
    }
  }

  /** Jobs that free slots take from the line before `to`, each at max(slot free, due). */
  #takeStarts(from: number, to: number): Started[] {
    const out: Started[] = [];
    for (;;) {
      let slot = 0;
      for (let i = 1; i < this.#slots.length; i++)
        if ((this.#slots[i] as number) < (this.#slots[slot] as number)) slot = i;
      const free = this.#slots[slot] as number;
      if (free >= to) break;
      const taken = this.#s.stack.queue.take(Math.max(free, from));
      if (!taken) break;
      this.#slots[slot] = taken.at + this.#s.jobMs;
      out.push({ job: taken.job, at: taken.at, slot });
    }
    return out;
  }

  /** Changes (deferred ones first) and job starts before `to`, in time order. */
  #steps(starts: readonly Started[], to: number): Array<Started | DrawnChange> {
    const steps: Array<Started | DrawnChange> = [...this.#deferred, ...starts];
    this.#deferred = [];
    while ((this.#changes.peekAt() ?? Number.POSITIVE_INFINITY) < to) {
      const { at, value: site } = this.#changes.pop() as { at: number; value: Site };
      const issue = this.#random.int(site.issues.length);
      const delivered = !this.#random.chance(this.#s.dropRate);
      steps.push({ at, site, issue, delivered });
      this.#changes.push(at + this.#gap(site), site);
    }
    return steps.sort((a, b) => a.at - b.at);
  }

  #gap(site: Site): number {
    return nextChangeGapMs(site.tier.changesPerHour, this.#random.next());
  }

  /** The next slice worth working off: now if jobs wait for a free slot, else the next thing due. */
  #nextSlice(after: number): number {
    const { stack, start, end, sliceMs } = this.#s;
    const candidates = [end, this.#nextHour, this.#changes.peekAt(), stack.queue.nextDueAt()];
    if (this.#deferred.length > 0) candidates.push(after);
    if (stack.queue.waiting > 0) candidates.push(Math.min(...this.#slots));
    const next = Math.min(...candidates.filter((c): c is number => c !== undefined));
    const aligned = start + Math.floor((next - start) / sliceMs) * sliceMs;
    return Math.max(after, aligned);
  }

  async #hourEnded(): Promise<void> {
    const { stack, recorder, windowMs, start } = this.#s;
    const lifetime = await stack.budget.lifetimePoints();
    recorder.hourEnded(this.#nextHour - windowMs, lifetime);
    const hour = recorder.hours.at(-1);
    console.error(
      `  hour ${(this.#nextHour - start) / windowMs}: ${hour?.total ?? 0} points, ${stack.queue.waiting} jobs waiting,` +
        ` ${Math.round(process.uptime())} s into the run`,
    );
    if (this.#nextHour === recorder.measureFrom) recorder.warmupEnded(lifetime);
    this.#nextHour += windowMs;
  }
}
