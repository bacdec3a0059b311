import type { CommandMix, CommandType, SentCommand } from './commands-mix.ts';
import { delta, scrapeRelay, sumBy } from './commands-relay-metrics.ts';
import type { SimCounters } from './commands-sim.ts';
import { type CommandsStack, quiet } from './commands-stack.ts';
import { runStep } from './commands-step.ts';

/** What one type's batch cost in Jira, as the simulator and the relay counted it. */
export interface PointsRow {
  readonly type: CommandType;
  readonly commands: number;
  readonly applied: number;
  /** Simulator: points and requests per command, every Jira route the batch caused but search. */
  readonly pointsPerCommand: number;
  readonly requestsPerCommand: number;
  /** Simulator: points per command by route (`METHOD /path` after `/rest/api/3`). */
  readonly byRoute: Readonly<Record<string, number>>;
  /** Points of `search/jql` in the window: the relay's own polls, left out of the figures above. */
  readonly searchPoints: number;
  /**
   * The relay's budget counter (`jira_relay_jira_points_spent`, both sites) per command, less the
   * search points the simulator counted in the window (the counter cannot tell routes apart).
   */
  readonly relayPointsPerCommand: number;
  /** The relay's `jira_relay_jira_requests_total` per command, by route class. */
  readonly relayRequestsByRoute: Readonly<Record<string, number>>;
}

const apiRoute = (route: string) => {
  const [method, path = ''] = route.split(' ');
  const at = path.indexOf('/rest/api/3');
  return at < 0 ? '' : `${method} ${path.slice(at + '/rest/api/3'.length)}`;
};

function byApiRoute(counter: Readonly<Record<string, number>>, withStatus: boolean): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(counter)) {
    const route = apiRoute(withStatus ? key.split(' ').slice(0, 2).join(' ') : key);
    if (route) out[route] = (out[route] ?? 0) + n;
  }
  return out;
}

/** Waits until the simulator has served no request for `quietMs` (the echoes' webhook work is done). */
async function simQuiet(stack: CommandsStack, quietMs: number, maxMs: number): Promise<SimCounters> {
  // Jira routes only: the /_sim/stats calls of this wait are counted too.
  const total = (c: SimCounters) =>
    Object.entries(c.requests).reduce((s, [route, n]) => s + (route.includes('/rest/api/3') ? n : 0), 0);
  const deadline = Date.now() + maxMs;
  let last = await stack.sim.counters();
  let since = Date.now();
  while (Date.now() - since < quietMs && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await stack.sim.counters();
    if (total(now) !== total(last)) since = Date.now();
    last = now;
  }
  return last;
}

/**
 * Jira points per command by type: a batch of each type alone at a gentle pace, between two quiet
 * moments; the simulator's counters before and after give what the commands and the webhook work of
 * their echoes cost. The relay's own polls (`search/jql`) are counted apart.
 */
export async function measurePoints(
  stack: CommandsStack,
  mix: CommandMix,
  types: readonly CommandType[],
  batch: number,
): Promise<{ rows: PointsRow[]; sent: SentCommand[] }> {
  const rows: PointsRow[] = [];
  const all: SentCommand[] = [];
  for (const type of types) {
    await quiet(stack.reader, 1000, 15_000);
    const before = await simQuiet(stack, 1000, 15_000);
    const relayBefore = await scrapeRelay(stack.relay.url);
    const { row, sent } = await runStep(stack, mix, {
      phase: `points ${type}`,
      rate: 10,
      seconds: batch / 10,
      type,
    });
    all.push(...sent);
    await quiet(stack.reader, 1000, 15_000);
    const after = await simQuiet(stack, 1500, 15_000);
    const relayAfter = await scrapeRelay(stack.relay.url);
    const points = delta(byApiRoute(before.pointsByRoute, false), byApiRoute(after.pointsByRoute, false));
    const requests = delta(byApiRoute(before.requests, true), byApiRoute(after.requests, true));
    const isSearch = (route: string) => route.includes('/search');
    const sum = (counter: Record<string, number>) =>
      Object.entries(counter)
        .filter(([route]) => !isSearch(route))
        .reduce((s, [, n]) => s + n, 0);
    const n = row.sent;
    const searchPoints = Object.entries(points)
      .filter(([route]) => isSearch(route))
      .reduce((s, [, p]) => s + p, 0);
    const relayPoints = delta(
      sumBy(relayBefore, 'jira_relay_jira_points_spent'),
      sumBy(relayAfter, 'jira_relay_jira_points_spent'),
    );
    const relayRequests = delta(
      sumBy(relayBefore, 'jira_relay_jira_requests_total', 'route'),
      sumBy(relayAfter, 'jira_relay_jira_requests_total', 'route'),
    );
    rows.push({
      type,
      commands: n,
      applied: row.statuses.applied ?? 0,
      pointsPerCommand: sum(points) / n,
      requestsPerCommand: sum(requests) / n,
      byRoute: Object.fromEntries(
        Object.entries(points)
          .filter(([route, p]) => p > 0 && !isSearch(route))
          .map(([route, p]) => [route, p / n]),
      ),
      searchPoints,
      relayPointsPerCommand: ((relayPoints[''] ?? 0) - searchPoints) / n,
      relayRequestsByRoute: Object.fromEntries(
        Object.entries(relayRequests)
          .filter(([, c]) => c > 0)
          .map(([route, c]) => [route, c / n]),
      ),
    });
  }
  return { rows, sent: all };
}
