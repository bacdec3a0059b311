import {
  CUSTOMER_FIELD,
  components,
  customerOptions,
  issueTypes,
  priorities,
  STORY_POINTS_FIELD,
} from '../data/catalog.ts';
import type { HistoryItem, SimIssue } from '../model.ts';
import { adfToWiki } from '../render/wiki.ts';
import { isAdfDoc } from './adf.ts';
import type { World } from './world.ts';

export interface EditResult {
  readonly items: HistoryItem[];
  readonly errors: Record<string, string>;
  /** Applies the validated edits (call only when `errors` is empty). */
  apply(): void;
}

type Edit = { item: HistoryItem; apply: () => void };

const jiraItem = (
  field: string,
  from: string | null,
  fromText: string | null,
  to: string | null,
  toText: string | null,
): HistoryItem => ({
  field,
  fieldtype: 'jira',
  fieldId: field,
  from,
  fromString: fromText,
  to,
  toString: toText,
});

const byIdOrName = <T extends { id: string; name: string }>(
  list: readonly T[],
  v: unknown,
): T | undefined => {
  const ref = (v ?? {}) as { id?: unknown; name?: unknown };
  return list.find((x) => x.id === String(ref.id) || x.name === ref.name);
};

/**
 * Validates `fields` and `update` of an issue create/edit body as Jira does (errors per field) and
 * prepares the changelog items the edit will record.
 */
export function planFieldEdits(
  world: World,
  issue: SimIssue,
  fields: Record<string, unknown>,
  update: Record<string, unknown>,
): EditResult {
  const errors: Record<string, string> = {};
  const edits: Edit[] = [];
  const merged = { ...fields };
  for (const [field, ops] of Object.entries(update)) {
    if (field === 'labels' && Array.isArray(ops)) {
      const labels = new Set(issue.labels);
      for (const op of ops as Array<Record<string, unknown>>) {
        if (typeof op.add === 'string') labels.add(op.add);
        if (typeof op.remove === 'string') labels.delete(op.remove);
        if (Array.isArray(op.set)) {
          labels.clear();
          for (const l of op.set) labels.add(String(l));
        }
      }
      merged.labels = [...labels];
    } else if (
      Array.isArray(ops) &&
      ops.length === 1 &&
      (ops[0] as Record<string, unknown>)?.set !== undefined
    ) {
      merged[field] = (ops[0] as Record<string, unknown>).set;
    } else errors[field] = `Field '${field}' cannot be set. It is not on the appropriate screen, or unknown.`;
  }
  for (const [field, value] of Object.entries(merged)) {
    const edit = planOne(world, issue, field, value);
    if (typeof edit === 'string') errors[field] = edit;
    else if (edit) edits.push(edit);
  }
  return {
    items: edits.map((e) => e.item),
    errors,
    apply: () => {
      for (const e of edits) e.apply();
    },
  };
}

type Planner = (world: World, issue: SimIssue, value: unknown) => Edit | string | undefined;

/** One planner per editable field: the changelog item it records, or a refusal message. */
const planners: Record<string, Planner> = {
  summary: (_world, issue, value) => {
    if (typeof value !== 'string' || value.trim() === '') return 'You must specify a summary of the issue.';
    if (value.length > 255) return 'Summary must be less than 255 characters.';
    if (value === issue.summary) return undefined;
    return {
      item: jiraItem('summary', null, issue.summary, null, value),
      apply: () => {
        issue.summary = value;
      },
    };
  },
  description: (_world, issue, value) => {
    if (value !== null && !isAdfDoc(value))
      return 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
    const before = issue.description ? adfToWiki(issue.description) : null;
    const after = value ? adfToWiki(value) : null;
    return {
      item: jiraItem('description', null, before, null, after),
      apply: () => {
        issue.description = value;
      },
    };
  },
  labels: (_world, issue, value) => {
    if (!Array.isArray(value) || value.some((l) => typeof l !== 'string' || /\s/.test(l)))
      return 'The label must not contain spaces.';
    const next = value as string[];
    if (next.join(' ') === issue.labels.join(' ')) return undefined;
    return {
      item: jiraItem('labels', null, issue.labels.join(' '), null, next.join(' ')),
      apply: () => {
        issue.labels = [...next];
      },
    };
  },
  priority: (_world, issue, value) => {
    const p = byIdOrName(priorities, value);
    if (!p) return 'Specify a valid priority.';
    const old = priorities.find((x) => x.id === issue.priorityId);
    if (p.id === issue.priorityId) return undefined;
    return {
      item: jiraItem('priority', issue.priorityId, old?.name ?? null, p.id, p.name),
      apply: () => {
        issue.priorityId = p.id;
      },
    };
  },
  issuetype: (_world, issue, value) => {
    const t = byIdOrName(issueTypes, value);
    if (!t) return 'Specify an issue type';
    if (t.id === issue.issueTypeId) return undefined;
    const old = issueTypes.find((x) => x.id === issue.issueTypeId);
    return {
      item: jiraItem('issuetype', issue.issueTypeId, old?.name ?? null, t.id, t.name),
      apply: () => {
        issue.issueTypeId = t.id;
      },
    };
  },
  assignee: (world, issue, value) => {
    const accountId = value === null ? null : String((value as { accountId?: unknown })?.accountId ?? '');
    if (accountId !== null && !world.user(accountId)) return `User '${accountId}' cannot be assigned issues.`;
    if (accountId === issue.assigneeId) return undefined;
    const name = (id: string | null) => (id ? (world.user(id)?.displayName ?? null) : null);
    return {
      item: jiraItem('assignee', issue.assigneeId, name(issue.assigneeId), accountId, name(accountId)),
      apply: () => {
        issue.assigneeId = accountId;
      },
    };
  },
  components: (_world, issue, value) => {
    if (!Array.isArray(value)) return 'Components must be a list.';
    const next = value.map((v) => byIdOrName(components, v));
    if (next.some((c) => !c)) return 'Component name or id is not valid.';
    const ids = next.map((c) => c?.id as string);
    const names = (list: string[]) => list.map((id) => components.find((c) => c.id === id)?.name).join(', ');
    const item: HistoryItem = {
      ...jiraItem('Component', null, names(issue.componentIds), null, names(ids)),
      fieldId: 'components',
    };
    return {
      item,
      apply: () => {
        issue.componentIds = ids;
      },
    };
  },
  [CUSTOMER_FIELD]: (_world, issue, value) => {
    const ref = (value ?? null) as { id?: unknown; value?: unknown } | null;
    const option =
      ref === null ? null : customerOptions.find((o) => o.id === String(ref.id) || o.value === ref.value);
    if (option === undefined) return `Option value '${String(ref?.value ?? ref?.id)}' is not valid`;
    const old = customerOptions.find((o) => o.id === issue.custom[CUSTOMER_FIELD]);
    const item: HistoryItem = {
      field: 'Customer',
      fieldtype: 'custom',
      fieldId: CUSTOMER_FIELD,
      from: old?.id ?? null,
      fromString: old?.value ?? null,
      to: option?.id ?? null,
      toString: option?.value ?? null,
    };
    return {
      item,
      apply: () => {
        issue.custom[CUSTOMER_FIELD] = option?.id ?? null;
      },
    };
  },
  [STORY_POINTS_FIELD]: (_world, issue, value) => {
    if (value !== null && typeof value !== 'number') return 'Operation value must be a number';
    const old = issue.custom[STORY_POINTS_FIELD];
    const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
    const item: HistoryItem = {
      field: 'Story point estimate',
      fieldtype: 'custom',
      fieldId: STORY_POINTS_FIELD,
      from: null,
      fromString: str(old),
      to: null,
      toString: str(value),
    };
    return {
      item,
      apply: () => {
        issue.custom[STORY_POINTS_FIELD] = value;
      },
    };
  },
  // set at creation only
  project: () => undefined,
  reporter: () => undefined,
};

function planOne(world: World, issue: SimIssue, field: string, value: unknown): Edit | string | undefined {
  const planner = planners[field];
  if (!planner) return `Field '${field}' cannot be set. It is not on the appropriate screen, or unknown.`;
  return planner(world, issue, value);
}
