import { listingPoints, modelledEffects } from './modelled-effects.ts';
import type { BenchOptions, KnobSet } from './options.ts';
import { Recorder } from './recorder.ts';
import { type ModeResult, modeResult } from './results.ts';
import { prepareFleet, startRelay } from './setup.ts';
import { Simulation } from './simulation.ts';
import { startStack } from './stack.ts';

const HOUR = 3_600_000;
/** The simulated day starts at the top of an hour (budget windows are aligned to it). */
const DAY_START = Date.UTC(2026, 0, 5, 0, 0, 0);

/**
 * One mode (a pool and a knob set) from start to figures: the simulator and the stores an hour
 * before the day, the fleet and the calibration, the relay's start-up on the virtual queue, the
 * simulated day, and what it measured.
 */
export async function runMode(
  opts: BenchOptions,
  mode: { readonly pool: 'app' | 'site'; readonly knobs: KnobSet },
): Promise<ModeResult> {
  const started = performance.now();
  const label = `${mode.pool}, ${mode.knobs.name}`;
  const stack = await startStack(opts, mode, DAY_START - HOUR);
  try {
    console.error(`[${label}] ${opts.sites} sites connected; backfilling ${opts.realSites} real ones ...`);
    const { sites, passes, hooks, calibration } = await prepareFleet(stack, opts, DAY_START);
    const firstRound = await startRelay(stack, sites, opts, DAY_START);
    const recorder = new Recorder(sites.length, DAY_START + opts.warmupHours * HOUR);
    hooks.follow(sites, recorder);
    stack.sim.clock.advance(DAY_START - stack.sim.clock.now());
    console.error(`[${label}] simulating ${opts.hours} h ...`);
    const { config } = stack;
    const shape = { overlapMs: config.SYNC_POLL_OVERLAP_MS, pageSize: config.JIRA_SEARCH_PAGE_SIZE };
    const costs = { listing: listingPoints(calibration.projects), reconcile: calibration.reconcilePoints };
    await new Simulation({
      stack,
      sites,
      byConnection: new Map(sites.map((s) => [s.connection.id, s])),
      passes,
      effects: modelledEffects(stack, {
        pageSize: shape.pageSize,
        projects: calibration.projects,
        reconcilePoints: costs.reconcile,
      }),
      recorder,
      start: DAY_START,
      end: DAY_START + opts.hours * HOUR,
      sliceMs: opts.sliceMs,
      slots: opts.workers * config.SYNC_WORKER_CONCURRENCY,
      jobMs: opts.jobMs,
      dropRate: opts.dropRate,
      seed: opts.seed,
      shape,
      projectsCacheMs: config.SYNC_PROJECTS_CACHE_SECONDS * 1000,
      costs,
      windowMs: config.JIRA_BUDGET_WINDOW_SECONDS * 1000,
      realPollStarts: hooks.realPollStarts,
      stormRefusals: opts.stormRefusals,
    }).run();
    const wallSeconds = (performance.now() - started) / 1000;
    return await modeResult({
      stack,
      sites,
      recorder,
      calibration,
      firstRound,
      opts,
      mode,
      wallSeconds,
      dayStart: DAY_START,
    });
  } finally {
    await stack.close();
  }
}
