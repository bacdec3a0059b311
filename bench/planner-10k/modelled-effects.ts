import { BudgetExhaustedError } from '../../src/atlassian/budget/budget-exhausted-error.ts';
import type { BudgetPriority } from '../../src/atlassian/budget/redis-jira-budget.ts';
import type { BudgetedRequest } from '../../src/atlassian/budget/request-budget.ts';
import type { Site } from './fleet.ts';
import { issueChange } from './model-changes.ts';
import type { PollFinding } from './site-model.ts';
import type { BenchStack } from './stack.ts';

/** A call the budget refused: why, and when to come back. */
export interface Refusal {
  readonly reason: string;
  readonly retryAfterMs: number;
}

/** What a modelled site's jobs and webhooks write, through the real stores and the real budget. */
export interface ModelledEffects {
  /** The poll's search asks the budget first (estimate: a full page), as the real client does. */
  gatePoll(site: Site): Promise<Refusal | null>;
  /**
   * The rest of a poll the budget let through: settle, comment lists, project listing, cursor,
   * coverage, leave. A refused call is returned (counted); the poll goes on as if it had been made.
   */
  finishPoll(site: Site, at: number, finding: PollFinding, listsProjects: boolean): Promise<Refusal | null>;
  /** A reconcile is charged what a real one of the same site costs (measured on the simulator). */
  gateReconcile(site: Site): Promise<Refusal | null>;
  finishReconcile(site: Site, listsProjects: boolean): Promise<Refusal | null>;
  /** A delivered webhook: its coverage sighting, as the pipeline records it once published. */
  webhookDelivered(site: Site, issue: number, version: number): Promise<void>;
}

/** Points of one project listing: the projects plus one per page of 50 (what the real poll settles). */
export function listingPoints(projects: number): number {
  return projects + Math.max(1, Math.ceil(projects / 50));
}

export function modelledEffects(
  stack: BenchStack,
  shape: { readonly pageSize: number; readonly projects: number; readonly reconcilePoints: number },
): ModelledEffects {
  const { budget } = stack;
  const { cursors, coverage } = stack.sync;
  const request = (site: Site, routeClass: string, estimatedCost: number): BudgetedRequest => ({
    site: site.ref.host,
    cloudId: site.connection.cloudId,
    method: routeClass === 'search' ? 'POST' : 'GET',
    routeClass,
    estimatedCost,
  });
  const gate = async (priority: BudgetPriority, call: BudgetedRequest): Promise<Refusal | null> => {
    try {
      await budget.beforeRequest(priority, call);
      return null;
    } catch (err) {
      if (!(err instanceof BudgetExhaustedError)) throw err;
      return { reason: err.reason, retryAfterMs: err.retryAfterMs };
    }
  };
  const listing = async (
    site: Site,
    priority: BudgetPriority,
    listsProjects: boolean,
  ): Promise<Refusal | null> => {
    if (!listsProjects) return null;
    const call = request(site, 'project-search', 51);
    const refused = await gate(priority, call);
    if (!refused) await budget.settle(call, listingPoints(shape.projects));
    return refused;
  };
  return {
    gatePoll: (site) => gate('poll', request(site, 'search', 1 + shape.pageSize)),
    async finishPoll(site, at, finding, listsProjects) {
      await budget.settle(request(site, 'search', 1 + shape.pageSize), finding.points);
      // Comment lists past the 20 embedded: charged as they cost (the real client's estimate is settled).
      const comments =
        finding.commentPoints > 0 ? await gate('poll', request(site, 'issue', finding.commentPoints)) : null;
      const refused = (await listing(site, 'poll', listsProjects)) ?? comments;
      // What the real poll reports (src/sync/incremental-poll.ts): everything it charged.
      const listed = listsProjects ? listingPoints(shape.projects) : 0;
      await cursors.pollDone(site.connection.id, at, finding.points + finding.commentPoints + listed);
      if (finding.sightings.length > 0) {
        const changes = finding.sightings.map((s) =>
          issueChange(site.ref, site.issues[s.issue] ?? { id: '0', key: 'SIM-0' }, s.version, 'poll', at),
        );
        await coverage.sight('poll', changes);
      }
      await budget.leave(site.ref.host);
      return refused;
    },
    gateReconcile: (site) => gate('reconcile', request(site, 'search', shape.reconcilePoints)),
    async finishReconcile(site, listsProjects) {
      const refused = await listing(site, 'reconcile', listsProjects);
      await budget.leave(site.ref.host);
      return refused;
    },
    async webhookDelivered(site, issue, version) {
      const ref = site.issues[issue] ?? { id: '0', key: 'SIM-0' };
      await coverage.sight('webhook', [issueChange(site.ref, ref, version, 'webhook', version)]);
    },
  };
}
