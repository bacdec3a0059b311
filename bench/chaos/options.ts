/**
 * The harness's knobs, read once from CHAOS_* variables (docs/fault-tolerance.md lists them). Fault
 * moments are fractions of the load's duration, so a shorter load keeps the same story.
 */
export interface ChaosOptions {
  /** False (CHAOS_FAULTS=0): the same run without any fault, a baseline whose figures must be clean. */
  readonly faults: boolean;
  /** How long the load runs, and how many changes it makes in that time. */
  readonly loadSeconds: number;
  readonly changes: number;
  /** How long to wait after the load for every expected final state to reach Kafka. */
  readonly waitSeconds: number;
  /** After everything was found: how long to keep reading for late repeats and order violations. */
  readonly settleSeconds: number;
  readonly sites: number;
  readonly issuesPerSite: number;
  readonly seed: number;
  readonly dropRate: number;
  readonly duplicateRate: number;
  readonly shuffleWindowMs: number;
  /** The simulator's webhook retry delays (Atlassian: 5 to 15 minutes; scaled down by default). */
  readonly retryDelaysMs: readonly number[];
  /** Fault moments, as fractions of the load (0..1). */
  readonly faultAt: {
    readonly worker1: number;
    readonly redis: number;
    readonly broker: number;
    readonly worker2: number;
  };
  /** How long Redis stays down after its kill -9. */
  readonly redisDownMs: number;
  /** Pause between a worker's SIGKILL and its restart (a supervisor's restart delay). */
  readonly restartDelayMs: number;
  readonly logLevel: string;
  /** Where the run's logs and data go; a fresh temp dir when unset. */
  readonly dir: string | undefined;
  /** Keep Redis's and the broker's data after the run (logs are always kept). */
  readonly keepData: boolean;
  /** The checkout whose `src/main.ts` runs as the relay (another commit's export, say); default: this one. */
  readonly relayDir: string | undefined;
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number >= 0, got "${raw}"`);
  return value;
}

function list(env: NodeJS.ProcessEnv, name: string, fallback: readonly number[]): readonly number[] {
  const raw = env[name];
  if (!raw) return fallback;
  const values = raw.split(',').map((s) => Number(s.trim()));
  if (values.some((v) => !Number.isFinite(v) || v < 0))
    throw new Error(`${name}: numbers separated by commas`);
  return values;
}

export function readOptions(env: NodeJS.ProcessEnv = process.env): ChaosOptions {
  return Object.freeze({
    faults: env.CHAOS_FAULTS !== '0',
    loadSeconds: num(env, 'CHAOS_LOAD_SECONDS', 75),
    changes: num(env, 'CHAOS_CHANGES', 400),
    waitSeconds: num(env, 'CHAOS_WAIT_SECONDS', 300),
    settleSeconds: num(env, 'CHAOS_SETTLE_SECONDS', 30),
    sites: num(env, 'CHAOS_SITES', 2),
    issuesPerSite: num(env, 'CHAOS_ISSUES_PER_SITE', 30),
    seed: num(env, 'CHAOS_SEED', Date.now() % 100_000),
    dropRate: num(env, 'CHAOS_DROP_RATE', 0.2),
    duplicateRate: num(env, 'CHAOS_DUPLICATE_RATE', 0.2),
    shuffleWindowMs: num(env, 'CHAOS_SHUFFLE_WINDOW_MS', 2000),
    retryDelaysMs: list(env, 'CHAOS_WEBHOOK_RETRY_DELAYS_MS', [10_000, 15_000, 20_000, 25_000, 30_000]),
    faultAt: {
      worker1: 20 / 75,
      redis: 35 / 75,
      broker: 50 / 75,
      worker2: 60 / 75,
    },
    redisDownMs: num(env, 'CHAOS_REDIS_DOWN_MS', 2000),
    restartDelayMs: num(env, 'CHAOS_RESTART_DELAY_MS', 1000),
    logLevel: env.CHAOS_LOG_LEVEL || 'info',
    dir: env.CHAOS_DIR || undefined,
    keepData: env.CHAOS_KEEP_DATA === '1',
    relayDir: env.CHAOS_RELAY_DIR || undefined,
  });
}
