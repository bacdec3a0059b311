import { RelayError } from '../../errors.ts';

/**
 * Why the budget refused a call now:
 * - `quota`: a quota 429 stopped every call of the pool until the reset;
 * - `window`: this priority's part of the window is spent (until the window ends);
 * - `share`: the site is over its fair share while other sites have work;
 * - `burst`, `rate`, `issue`: a pause longer than the budget waits in place.
 */
export type BudgetRefusal = 'quota' | 'window' | 'share' | 'burst' | 'rate' | 'issue';

/**
 * A call the Jira budget postponed. Retryable: the job should come back after `retryAfterMs`
 * (a sync job moves itself to delayed; a quota pause of the app's pool rate-limits the whole queue).
 */
export class BudgetExhaustedError extends RelayError {
  readonly reason: BudgetRefusal;
  readonly retryAfterMs: number;
  readonly site: string;
  /** A quota pause of the app's whole pool (every site waits), rather than of this site's. */
  readonly appWide: boolean;

  constructor(init: { reason: BudgetRefusal; retryAfterMs: number; site: string; appWide?: boolean }) {
    super(
      'JIRA_BUDGET_EXHAUSTED',
      `Jira budget: call for ${init.site} postponed (${init.reason}) for ${init.retryAfterMs} ms`,
      { retryable: true },
    );
    this.name = 'BudgetExhaustedError';
    this.reason = init.reason;
    this.retryAfterMs = init.retryAfterMs;
    this.site = init.site;
    this.appWide = init.appWide ?? false;
  }
}
