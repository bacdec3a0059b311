/** A class of site by how often its issues change. */
export interface ActivityTier {
  readonly name: string;
  /** Share of the sites in this tier. */
  readonly share: number;
  /** Mean changes per hour (Poisson arrivals, the same at every hour of the day). */
  readonly changesPerHour: number;
}

/**
 * Most small sites are quiet and a few are busy: half change about once a day, a third a few times
 * a day, one in eight a few times an hour, 3% every two minutes. Uniform over the day (no office
 * hours), so a recovery time is not a matter of when the webhook was lost.
 */
export const activityTiers: readonly ActivityTier[] = [
  { name: 'dormant', share: 0.5, changesPerHour: 0.05 },
  { name: 'quiet', share: 0.35, changesPerHour: 0.5 },
  { name: 'active', share: 0.12, changesPerHour: 4 },
  { name: 'busy', share: 0.03, changesPerHour: 30 },
];

/** The tier a uniform draw in [0, 1) falls into, by cumulative share. */
export function tierOf(draw: number, tiers: readonly ActivityTier[] = activityTiers): ActivityTier {
  let cumulative = 0;
  for (const tier of tiers) {
    cumulative += tier.share;
    if (draw < cumulative) return tier;
  }
  return tiers[tiers.length - 1] as ActivityTier;
}

/** The gap to a site's next change: exponential with the tier's rate, from a uniform draw in [0, 1). */
export function nextChangeGapMs(changesPerHour: number, draw: number): number {
  if (changesPerHour <= 0) return Number.POSITIVE_INFINITY;
  return Math.max(1, Math.round((-Math.log(1 - draw) / changesPerHour) * 3_600_000));
}
