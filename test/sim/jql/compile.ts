import { findIssueType, findPriority, findStatus } from '../data/catalog.ts';
import type { SimIssue } from '../model.ts';
import type { SiteStore } from '../state/site-store.ts';
import { parseJqlDate } from './dates.ts';
import { JqlError, type JqlExpr, type JqlSort, type JqlValue } from './parse.ts';

export interface JqlEnv {
  readonly store: SiteStore;
  readonly timeZone: string;
  readonly now: number;
  readonly callerAccountId: string;
}

export type IssuePredicate = (issue: SimIssue) => boolean;

type Getter = (issue: SimIssue, env: JqlEnv) => string[];

const project: Getter = (i, env) => {
  const p = env.store.site.projects.find((x) => x.id === i.projectId);
  return p ? [p.id, p.key.toLowerCase(), p.name.toLowerCase()] : [];
};
const status: Getter = (i) => {
  const s = findStatus(i.statusId);
  return s ? [s.id, s.name.toLowerCase()] : [];
};

/** Text-like fields: the values a clause's operands are compared against (lower-cased). */
const getters: Record<string, Getter> = {
  project,
  key: (i) => [i.key.toLowerCase(), i.id],
  issuekey: (i) => [i.key.toLowerCase(), i.id],
  id: (i) => [i.id, i.key.toLowerCase()],
  status,
  statuscategory: (i) => {
    const c = findStatus(i.statusId)?.category;
    return c ? [String(c.id), c.key, c.name.toLowerCase()] : [];
  },
  issuetype: (i) => [i.issueTypeId, findIssueType(i.issueTypeId)?.name.toLowerCase() ?? ''],
  type: (i) => [i.issueTypeId, findIssueType(i.issueTypeId)?.name.toLowerCase() ?? ''],
  priority: (i) => [i.priorityId, findPriority(i.priorityId)?.name.toLowerCase() ?? ''],
  assignee: (i) => (i.assigneeId ? [i.assigneeId.toLowerCase()] : []),
  reporter: (i) => [i.reporterId.toLowerCase()],
  labels: (i) => i.labels.map((l) => l.toLowerCase()),
};

const dateFields: Record<string, (i: SimIssue) => number | null> = {
  updated: (i) => i.updated,
  updateddate: (i) => i.updated,
  created: (i) => i.created,
  createddate: (i) => i.created,
  resolved: (i) => i.resolutionDate,
  resolutiondate: (i) => i.resolutionDate,
};

export function compileJql(expr: JqlExpr, env: JqlEnv): IssuePredicate {
  switch (expr.kind) {
    case 'and': {
      const parts = expr.items.map((e) => compileJql(e, env));
      return (i) => parts.every((p) => p(i));
    }
    case 'or': {
      const parts = expr.items.map((e) => compileJql(e, env));
      return (i) => parts.some((p) => p(i));
    }
    case 'not': {
      const inner = compileJql(expr.expr, env);
      return (i) => !inner(i);
    }
    case 'clause':
      return compileClause(expr, env);
  }
}

function compileClause(c: Extract<JqlExpr, { kind: 'clause' }>, env: JqlEnv): IssuePredicate {
  const field = c.field.toLowerCase();
  const date = dateFields[field];
  if (date) return compileDate(c, field, date, env);
  if (field === 'summary' || field === 'text') {
    const needle = (c.values[0]?.text ?? '').toLowerCase();
    if (c.op !== '~' && c.op !== '!~') throw unsupportedOperator(c.op, c.field);
    return (i) => i.summary.toLowerCase().includes(needle) === (c.op === '~');
  }
  const get = getters[field];
  if (!get) throw new JqlError(`Field '${c.field}' does not exist or you do not have permission to view it.`);
  if (c.op === 'is' || c.op === 'is not') {
    if (c.values[0]?.text.toLowerCase() !== 'empty' && c.values[0]?.text.toLowerCase() !== 'null') {
      throw new JqlError(`The operator '${c.op}' can only be used with EMPTY or NULL.`);
    }
    return (i) => (get(i, env).length === 0) === (c.op === 'is');
  }
  const wanted = new Set(c.values.map((v) => operand(v, env)));
  const hit = (i: SimIssue) => get(i, env).some((v) => wanted.has(v));
  if (c.op === '=' || c.op === 'in') return hit;
  if (c.op === '!=' || c.op === 'not in') return (i) => get(i, env).length > 0 && !hit(i);
  throw unsupportedOperator(c.op, c.field);
}

function operand(v: JqlValue, env: JqlEnv): string {
  if (v.fn && v.text.toLowerCase() === 'currentuser') return env.callerAccountId.toLowerCase();
  if (v.fn)
    throw new JqlError(`Error in the JQL Query: The function '${v.text}' is not supported by the simulator.`);
  return v.text.toLowerCase();
}

function compileDate(
  c: Extract<JqlExpr, { kind: 'clause' }>,
  field: string,
  get: (i: SimIssue) => number | null,
  env: JqlEnv,
): IssuePredicate {
  if (c.op === 'is' || c.op === 'is not') return (i) => (get(i) === null) === (c.op === 'is');
  if (c.list) throw unsupportedOperator(c.op, c.field);
  const { at, span } = parseJqlDate(c.values[0] as JqlValue, field, env.timeZone, env.now);
  const test: Record<string, (t: number) => boolean> = {
    '>=': (t) => t >= at,
    '>': (t) => t >= at + span,
    '<': (t) => t < at,
    '<=': (t) => t < at + span,
    '=': (t) => t >= at && t < at + span,
    '!=': (t) => t < at || t >= at + span,
  };
  const cmp = test[c.op];
  if (!cmp) throw unsupportedOperator(c.op, c.field);
  return (i) => {
    const t = get(i);
    return t !== null && cmp(t);
  };
}

function unsupportedOperator(op: string, field: string): JqlError {
  return new JqlError(`The operator '${op}' is not supported by the '${field}' field.`);
}

const sortKeys: Record<string, (i: SimIssue) => number | string> = {
  updated: (i) => i.updated,
  created: (i) => i.created,
  id: (i) => Number(i.id),
  key: (i) => Number(i.id),
  issuekey: (i) => Number(i.id),
  priority: (i) => Number(i.priorityId),
  resolved: (i) => i.resolutionDate ?? 0,
};

/** A comparator for ORDER BY; ties end on id so pages are stable. */
export function compileOrder(orderBy: readonly JqlSort[]): (a: SimIssue, b: SimIssue) => number {
  const parts = orderBy.map((s) => {
    const key = sortKeys[s.field];
    if (!key)
      throw new JqlError(`Field '${s.field}' does not exist or you do not have permission to view it.`);
    return { key, dir: s.desc ? -1 : 1 };
  });
  return (a, b) => {
    for (const { key, dir } of parts) {
      const x = key(a);
      const y = key(b);
      if (x !== y) return (x < y ? -1 : 1) * dir;
    }
    return Number(a.id) - Number(b.id);
  };
}
