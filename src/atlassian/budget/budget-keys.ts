/**
 * Where the budget keeps its state in Redis. Its scripts touch the pool, the site and the issue at
 * once, so on a cluster every budget key carries one hash tag (`{budget}`): one slot, whose load is
 * bounded by the calls Jira's own rate limits let through. A pool is the app's (JIRA_RATE_POOL=app) or one site's
 * (`site`); its window total and spend by site are per window, its active sites live across windows.
 */
export class BudgetKeys {
  readonly #prefix: string;
  readonly #perSite: boolean;

  /** `budget`: the family's name in keys, `{budget}` on a cluster (`slotTag`). */
  constructor(prefix: string, pool: 'app' | 'site', budget = 'budget') {
    this.#prefix = `${prefix}:${budget}`;
    this.#perSite = pool === 'site';
  }

  pool(site: string): string {
    return this.#perSite ? `${this.#prefix}:pool:site:${site}` : `${this.#prefix}:pool:app`;
  }

  windowTotal(site: string, window: number): string {
    return `${this.pool(site)}:w:${window}`;
  }

  windowBySite(site: string, window: number): string {
    return `${this.pool(site)}:w:${window}:sites`;
  }

  /** The active sites that called in the window, scored by their spend in it (the fair share's input). */
  windowActiveSpend(site: string, window: number): string {
    return `${this.pool(site)}:w:${window}:active`;
  }

  active(site: string): string {
    return `${this.pool(site)}:active`;
  }

  /** A quota pause: of the whole app (`app`) or of one site. */
  block(scope: string): string {
    return `${this.#prefix}:block:${scope}`;
  }

  /** A burst pause of one site's endpoint and method. */
  burst(site: string, method: string, routeClass: string): string {
    return `${this.#prefix}:pause:${site}:${method}:${routeClass}`;
  }

  rate(site: string): string {
    return `${this.#prefix}:rate:${site}`;
  }

  issueWrites(site: string, issueId: string): string {
    return `${this.#prefix}:issue:${site}:${issueId}`;
  }

  lifetime(): string {
    return `${this.#prefix}:points`;
  }
}
