import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { type Config, loadConfig } from '../../config/index.ts';
import { atlassianEnv } from '../../test/helpers/relay-env.ts';

/** A set of configuration values a mode runs with, on top of the relay's defaults. */
export interface KnobSet {
  readonly name: 'defaults' | 'scale';
  readonly env: Readonly<Record<string, string>>;
}

/**
 * `scale`: what docs/scale-10k-sites.md recommends for 10,000 small sites, where the defaults
 * saturate the app pool: the project list cached for a day instead of an hour, and the deletion
 * reconcile weekly instead of daily. Variables set in the environment win over these.
 */
const knobSets: Readonly<Record<KnobSet['name'], KnobSet>> = {
  defaults: { name: 'defaults', env: {} },
  scale: {
    name: 'scale',
    env: { SYNC_PROJECTS_CACHE_SECONDS: '86400', SYNC_RECONCILE_INTERVAL_SECONDS: '604800' },
  },
};

/** What one run simulates; every figure has a command-line flag. */
export interface BenchOptions {
  readonly sites: number;
  readonly hours: number;
  readonly pools: ReadonlyArray<'app' | 'site'>;
  readonly knobSets: readonly KnobSet[];
  /** Sites whose polls and reconciles are the real code over HTTP; the others are modelled. */
  readonly realSites: number;
  readonly issuesPerSite: number;
  /** Share of webhook deliveries lost. */
  readonly dropRate: number;
  /** Worker processes, each running SYNC_WORKER_CONCURRENCY sync jobs at once. */
  readonly workers: number;
  /** How long one sync job holds a worker slot (virtual ms): Jira's latency, not the simulator's. */
  readonly jobMs: number;
  /** Hours at the start left out of the interval and recovery figures (the first plan, the reconcile burst). */
  readonly warmupHours: number;
  /** Virtual ms whose events are worked off together (concurrently against Redis). */
  readonly sliceMs: number;
  /** Connections whose real BullMQ job schedulers are upserted to time a reschedule. */
  readonly bullmqSample: number;
  /**
   * Budget refusals within one simulated hour after which a refused job waits for the next window
   * instead of asking again every JIRA_BUDGET_SHARE_RETRY_MS (see slice-work.ts, `#postpone`).
   */
  readonly stormRefusals: number;
  readonly seed: number;
  readonly redisUrl: string;
  /** The report's file name in bench/results/, without .md or .json. */
  readonly out: string;
}

const usage =
  'node bench/planner-10k.ts [--sites 10000] [--hours 24] [--pool app|site|both] [--knobs defaults|scale|both] [--real-sites 100]' +
  ' [--issues 10] [--drop-rate 0.05] [--workers 1] [--job-ms 500] [--warmup-hours 2] [--slice-ms 1000]' +
  ' [--bullmq-sample 1000] [--storm-refusals 20000] [--seed 42] [--out planner-10k]';

export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      sites: { type: 'string', default: '10000' },
      hours: { type: 'string', default: '24' },
      pool: { type: 'string', default: 'both' },
      knobs: { type: 'string', default: 'both' },
      'real-sites': { type: 'string', default: '100' },
      issues: { type: 'string', default: '10' },
      'drop-rate': { type: 'string', default: '0.05' },
      workers: { type: 'string', default: '1' },
      'job-ms': { type: 'string', default: '500' },
      'warmup-hours': { type: 'string', default: '2' },
      'slice-ms': { type: 'string', default: '1000' },
      'bullmq-sample': { type: 'string', default: '1000' },
      'storm-refusals': { type: 'string', default: '20000' },
      seed: { type: 'string', default: '42' },
      out: { type: 'string', default: 'planner-10k' },
    },
  });
  const num = (name: keyof typeof values, min: number): number => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min)
      throw new Error(`--${name} must be a number >= ${min}\n${usage}`);
    return value;
  };
  const pool = values.pool;
  if (pool !== 'app' && pool !== 'site' && pool !== 'both') throw new Error(`--pool app|site|both\n${usage}`);
  const knobs = values.knobs;
  if (knobs !== 'defaults' && knobs !== 'scale' && knobs !== 'both') {
    throw new Error(`--knobs defaults|scale|both\n${usage}`);
  }
  const sites = num('sites', 1);
  return {
    sites,
    hours: num('hours', 0.1),
    pools: pool === 'both' ? ['app', 'site'] : [pool],
    knobSets: knobs === 'both' ? [knobSets.defaults, knobSets.scale] : [knobSets[knobs]],
    realSites: Math.min(sites, num('real-sites', 0)),
    issuesPerSite: num('issues', 1),
    dropRate: num('drop-rate', 0),
    workers: num('workers', 1),
    jobMs: num('job-ms', 1),
    warmupHours: num('warmup-hours', 0),
    sliceMs: num('slice-ms', 1),
    bullmqSample: num('bullmq-sample', 0),
    stormRefusals: num('storm-refusals', 0),
    seed: num('seed', 0),
    redisUrl: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    out: outName(values.out),
  };
}

function outName(value: string | undefined): string {
  const name = value ?? 'planner-10k';
  if (!/^[\w.-]+$/.test(name)) throw new Error(`--out takes a file name (letters, digits, . _ -)\n${usage}`);
  return name;
}

/**
 * The relay's configuration for one mode: defaults from config/schema/, the knob set's values, any
 * SYNC_* or JIRA_* variable of this process on top (`SYNC_QUIET_POLL_WEIGHT=8 node bench/planner-10k.ts`),
 * and a unique QUEUE_PREFIX. The budget never waits in place (JIRA_BUDGET_MAX_WAIT_MS=0): a wait
 * would pass in real time while the simulation's clock stands still, so a refusal postpones the
 * job by what the budget asked instead, as a real worker does with longer waits.
 */
export function relayConfig(
  pool: 'app' | 'site',
  knobSet: KnobSet,
  sim: { url: string; clientId: string; clientSecret: string },
) {
  const knobs = {
    ...knobSet.env,
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(SYNC|JIRA)_/.test(k))),
  };
  const config: Config = loadConfig({
    PUBLIC_URL: 'http://relay.bench',
    ...atlassianEnv(sim),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ADMIN_TOKEN: randomBytes(16).toString('hex'),
    LOG_LEVEL: 'silent',
    ...knobs,
    JIRA_RATE_POOL: pool,
    JIRA_BUDGET_MAX_WAIT_MS: '0',
    QUEUE_PREFIX: `bench-planner-${pool}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
  });
  return config;
}
