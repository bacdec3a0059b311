/** One site as the cadence planner sees it. */
export interface PollDemand {
  readonly connectionId: string;
  /** Points one poll of the site costs (smoothed; at least 1: an empty search). */
  readonly pointsPerPoll: number;
  /** Webhooks have gone quiet: polls found changes no webhook delivered. */
  readonly quiet: boolean;
}

export interface CadenceOptions {
  /** JIRA_POINTS_PER_HOUR: points per budget window (of the app, or of each site). */
  readonly pointsPerWindow: number;
  readonly windowMs: number;
  /** JIRA_RECONCILE_BUDGET_SHARE: the part of the budget reconcile polling may use. */
  readonly share: number;
  /** SYNC_QUIET_POLL_WEIGHT: how many times more often a quiet site is polled. */
  readonly quietWeight: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** JIRA_RATE_POOL: `app` splits one budget between the sites; `site` gives each its own. */
  readonly pool: 'app' | 'site';
  /** Points per window the app pool's polls may spend, instead of share x pointsPerWindow (poll-budget.ts). */
  readonly pollPoints?: number;
}

/**
 * Poll intervals that keep polling within its share of the budget. Sites get polls in proportion
 * to their weight (quiet webhooks weigh `quietWeight`, healthy ones 1), so with N sites and budget B
 * the interval of site i is T_i = W * sum_j(c_j * w_j) / (share * B * w_i), where c is the points a
 * poll costs and W the window. With a pool per site, each site spends its own share, a healthy one
 * only 1/quietWeight of it. Intervals are clamped to [minMs, maxMs]; a clamp at the maximum may
 * overspend the share slightly, which beats not polling a site at all.
 */
export function planPollIntervals(sites: readonly PollDemand[], opts: CadenceOptions): Map<string, number> {
  const weight = (site: PollDemand) => (site.quiet ? opts.quietWeight : 1);
  const cost = (site: PollDemand) => Math.max(1, site.pointsPerPoll);
  const budget =
    opts.pool === 'app' && opts.pollPoints !== undefined
      ? opts.pollPoints
      : opts.share * opts.pointsPerWindow;
  const intervals = new Map<string, number>();
  if (opts.pool === 'app') {
    const demand = sites.reduce((sum, s) => sum + cost(s) * weight(s), 0);
    for (const site of sites) {
      intervals.set(site.connectionId, clamp((opts.windowMs * demand) / (budget * weight(site)), opts));
    }
  } else {
    for (const site of sites) {
      const raw = (opts.windowMs * cost(site) * opts.quietWeight) / (budget * weight(site));
      intervals.set(site.connectionId, clamp(raw, opts));
    }
  }
  return intervals;
}

function clamp(ms: number, opts: CadenceOptions): number {
  return Math.round(Math.min(opts.maxMs, Math.max(opts.minMs, ms)));
}
