import type { DeliveryRecord, Simulator } from '../../test/sim/index.ts';

export interface WebhookStats {
  /** Logical deliveries made (a duplicate is one of its own). */
  readonly deliveries: number;
  readonly dropped: number;
  readonly duplicated: number;
  /** HTTP attempts, retries included. */
  readonly attempts: number;
  /** Attempts the relay answered with a 5xx (the simulator retries those). */
  readonly answered5xx: number;
  /** Attempts that got no answer (connection refused, reset, timeout). */
  readonly noAnswer: number;
  /** Deliveries that gave up after their last retry, or got a 4xx. */
  readonly failed: number;
  /** Deliveries still waiting for a retry when the run ended. */
  readonly pending: number;
}

interface Ids {
  readonly cloudId: string;
  readonly issueId: string;
  readonly commentId: string | undefined;
}

/**
 * Watches the simulator's delivery records (it keeps the last 2,000; the watch keeps them all) so
 * the report can count the relay's 5xx answers and say what became of each lost entity's webhooks.
 */
export class DeliveryWatch {
  readonly #sim: Simulator;
  readonly #records = new Map<DeliveryRecord, Ids>();
  #timer: NodeJS.Timeout | undefined;

  constructor(sim: Simulator) {
    this.#sim = sim;
  }

  start(everyMs = 500): void {
    this.#timer = setInterval(() => this.collect(), everyMs);
  }

  stop(): void {
    this.collect();
    clearInterval(this.#timer);
  }

  collect(): void {
    for (const r of this.#sim.control.deliveries()) {
      if (this.#records.has(r)) continue;
      const body = JSON.parse(r.body) as { issue?: { id?: string }; comment?: { id?: string } };
      this.#records.set(r, {
        cloudId: r.cloudId,
        issueId: body.issue?.id ?? '',
        commentId: body.comment?.id,
      });
    }
  }

  stats(): WebhookStats {
    const records = [...this.#records.keys()];
    const identifiers = new Set(records.map((r) => r.identifier));
    const statuses = records.flatMap((r) => r.statuses);
    return {
      deliveries: records.length,
      dropped: records.filter((r) => r.state === 'dropped').length,
      duplicated: records.length - identifiers.size,
      attempts: statuses.length,
      answered5xx: statuses.filter((s) => s >= 500).length,
      noAnswer: statuses.filter((s) => s === 0).length,
      failed: records.filter((r) => r.state === 'failed').length,
      pending: records.filter((r) => r.state === 'pending').length,
    };
  }

  /**
   * What happened to the webhooks about an entity, e.g.
   * `jira:issue_created delivered [202]; jira:issue_deleted dropped`.
   */
  historyOf(cloudId: string, entity: 'issue' | 'comment', id: string): string {
    const lines: string[] = [];
    for (const [r, ids] of this.#records) {
      if (ids.cloudId !== cloudId) continue;
      const about = entity === 'issue' ? ids.issueId === id : ids.commentId === id;
      if (!about) continue;
      const statuses = r.statuses.length > 0 ? ` [${r.statuses.join(',')}]` : '';
      lines.push(`${r.event} ${r.state}${statuses}`);
    }
    return lines.length > 0 ? lines.join('; ') : 'no webhook';
  }
}
