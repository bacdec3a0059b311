import type { IssueStatus } from './issue-version.ts';

/** Where a transition command wants the issue: statuses by id, by name, or any of a category. */
export interface TransitionTarget {
  readonly ids?: readonly string[];
  readonly names?: readonly string[];
  readonly category?: 'new' | 'indeterminate' | 'done';
  /** Statuses another mapping entry claims: not taken for `category`. */
  readonly exclude?: { readonly ids: readonly string[]; readonly names: readonly string[] };
}

/** A transition the issue offers now, and the status it leads to. */
export interface AvailableTransition {
  readonly id: string;
  readonly name: string;
  readonly to: IssueStatus;
}

/** What `pickTransition` chose: nothing to do, one transition, or none that leads there. */
export type TransitionPick =
  | { readonly kind: 'already there' }
  | { readonly kind: 'transition'; readonly transition: AvailableTransition }
  | { readonly kind: 'unreachable'; readonly reachable: readonly string[] };

type StatusTest = (status: IssueStatus) => boolean;

/** The target's tests in order of preference: by id, by name (ignoring case), by category. */
function statusTests(to: TransitionTarget): StatusTest[] {
  const tests: StatusTest[] = [];
  if (to.ids && to.ids.length > 0) {
    const ids = new Set(to.ids);
    tests.push((s) => ids.has(s.id));
  }
  if (to.names && to.names.length > 0) {
    const names = new Set(to.names.map((n) => n.toLowerCase()));
    tests.push((s) => names.has(s.name.toLowerCase()));
  }
  const category = to.category;
  if (category !== undefined) {
    const ids = new Set(to.exclude?.ids ?? []);
    const names = new Set((to.exclude?.names ?? []).map((n) => n.toLowerCase()));
    tests.push((s) => s.category === category && !ids.has(s.id) && !names.has(s.name.toLowerCase()));
  }
  return tests;
}

/**
 * Which transition takes the issue to the target. Every status the target names is acceptable:
 * an issue already in one stays (a repeated command changes nothing). Otherwise the first
 * transition leading to a status matched by id wins, then by name, then by category; with none,
 * the names of the other statuses the issue can reach now.
 */
export function pickTransition(
  current: IssueStatus,
  available: readonly AvailableTransition[],
  to: TransitionTarget,
): TransitionPick {
  const tests = statusTests(to);
  if (tests.some((test) => test(current))) return { kind: 'already there' };
  for (const test of tests) {
    const transition = available.find((t) => test(t.to));
    if (transition) return { kind: 'transition', transition };
  }
  const elsewhere = available.filter((t) => t.to.id !== current.id);
  const reachable = [...new Set(elsewhere.map((t) => t.to.name))];
  return { kind: 'unreachable', reachable };
}
