import { compileJql, type IssuePredicate } from '../jql/compile.ts';
import { JqlError, type JqlExpr, parseJql } from '../jql/parse.ts';
import type { SiteStore } from '../state/site-store.ts';

const FIELDS = new Set(['issuekey', 'project', 'issuetype', 'status', 'assignee', 'reporter']);
const OPERATORS = new Set(['=', '!=', 'in', 'not in']);
/** Allowed by Jira but not modelled here (no entity-property index, no epic-label field): never match. */
const UNMATCHED = /^(issue\.property\[.+\]|cf\[\d+\])/;

function neutralize(expr: JqlExpr): JqlExpr {
  if (expr.kind === 'and' || expr.kind === 'or') return { ...expr, items: expr.items.map(neutralize) };
  if (expr.kind !== 'clause' || !UNMATCHED.test(expr.field.toLowerCase())) return expr;
  return { kind: 'clause', field: 'id', op: 'in', values: [], list: true }; // an IN over nothing
}

/**
 * Dynamic-webhook JQL is a small subset: fields issueKey, project, issuetype, status, assignee,
 * reporter (issue.property[...] and cf[id] are accepted but never match here), operators = != IN NOT IN.
 * Problems come back as messages for the per-item `errors` of the 200 answer.
 */
export function compileWebhookFilter(
  jql: string,
  store: SiteStore,
): { predicate: IssuePredicate } | { error: string } {
  try {
    const query = parseJql(jql);
    if (!query.where || query.orderBy.length > 0)
      return { error: 'The JQL filter must be a non-empty query without ORDER BY' };
    const problem = check(query.where);
    if (problem) return { error: problem };
    return {
      predicate: compileJql(neutralize(query.where), { store, timeZone: 'UTC', now: 0, callerAccountId: '' }),
    };
  } catch (err) {
    if (err instanceof JqlError) return { error: err.message };
    throw err;
  }
}

function check(expr: JqlExpr): string | undefined {
  if (expr.kind === 'and' || expr.kind === 'or') {
    for (const item of expr.items) {
      const problem = check(item);
      if (problem) return problem;
    }
    return undefined;
  }
  if (expr.kind === 'not') return 'Operator NOT is unsupported';
  if (expr.kind !== 'clause') return undefined;
  const field = expr.field.toLowerCase();
  if (!FIELDS.has(field) && !UNMATCHED.test(field)) return `The clause ${expr.field} is unsupported`;
  if (!OPERATORS.has(expr.op)) return `Operator ${expr.op} is unsupported`;
  return undefined;
}
