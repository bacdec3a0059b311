import type { SimClock } from '../clock.ts';
import { findStatus, issueTypes, transitions } from '../data/catalog.ts';
import type { AdfDoc, HistoryItem, SimComment, SimIssue } from '../model.ts';
import type { EventBus, SimEvent } from './events.ts';
import { planFieldEdits } from './field-edits.ts';
import type { SiteStore } from './site-store.ts';
import type { World } from './world.ts';

export interface EntityProperty {
  key: string;
  value: unknown;
}

export interface IssueWrite {
  fields?: Record<string, unknown>;
  update?: Record<string, unknown>;
  properties?: EntityProperty[];
  historyMetadata?: Record<string, unknown>;
  transition?: { id?: string | number };
}

export type WriteResult<T> =
  | { ok: true; value: T }
  | { ok: false; errorMessages: string[]; errors: Record<string, string> };

const fail = <T>(errors: Record<string, string>, ...errorMessages: string[]): WriteResult<T> => ({
  ok: false,
  errorMessages,
  errors,
});

/**
 * Every change to the world goes through here, REST routes and the control API alike: it records
 * the changelog, bumps `updated`, and emits the webhook events Jira would.
 */
export class Mutations {
  private readonly world: World;
  private readonly bus: EventBus;
  private readonly clock: SimClock;

  constructor(world: World, bus: EventBus, clock: SimClock) {
    this.world = world;
    this.bus = bus;
    this.clock = clock;
  }

  createIssue(store: SiteStore, actorId: string, body: IssueWrite): WriteResult<SimIssue> {
    const fields = { ...(body.fields ?? {}) };
    const ref = (fields.project ?? {}) as { key?: unknown; id?: unknown };
    const project = store.site.projects.find((p) => p.key === ref.key || p.id === String(ref.id));
    const type = issueTypes.find(
      (t) =>
        t.id === String((fields.issuetype as { id?: unknown })?.id) ||
        t.name === (fields.issuetype as { name?: unknown })?.name,
    );
    const errors: Record<string, string> = {};
    if (!project) errors.project = 'Specify a valid project ID or key';
    if (!type) errors.issuetype = 'Specify an issue type';
    if (typeof fields.summary !== 'string' || fields.summary.trim() === '')
      errors.summary = 'You must specify a summary of the issue.';
    if (!project || !type || Object.keys(errors).length > 0) return fail(errors);
    const now = this.clock.now();
    const issue: SimIssue = {
      id: store.allocateIssueId(),
      key: '',
      projectId: project.id,
      issueTypeId: type.id,
      summary: '',
      description: null,
      statusId: '10000',
      priorityId: '3',
      labels: [],
      componentIds: [],
      assigneeId: null,
      reporterId: String((fields.reporter as { accountId?: unknown })?.accountId ?? actorId),
      creatorId: actorId,
      created: now,
      updated: now,
      resolutionDate: null,
      custom: {},
      comments: [],
      changelog: [],
      properties: new Map(),
    };
    delete fields.project;
    delete fields.issuetype;
    const plan = planFieldEdits(this.world, issue, fields, body.update ?? {});
    if (Object.keys(plan.errors).length > 0) return fail(plan.errors);
    const propErrors = checkProperties(body.properties);
    if (propErrors) return fail({}, propErrors);
    plan.apply();
    issue.key = store.allocateKey(project.key);
    for (const p of body.properties ?? []) issue.properties.set(p.key, p.value);
    store.add(issue);
    this.emit({
      name: 'jira:issue_created',
      store,
      issue,
      actorId,
      at: now,
      issueEventTypeName: 'issue_created',
      flow: 'Primary',
    });
    return { ok: true, value: issue };
  }

  editIssue(store: SiteStore, issue: SimIssue, actorId: string, body: IssueWrite): WriteResult<SimIssue> {
    const plan = planFieldEdits(this.world, issue, body.fields ?? {}, body.update ?? {});
    if (Object.keys(plan.errors).length > 0) return fail(plan.errors);
    const propErrors = checkProperties(body.properties);
    if (propErrors) return fail({}, propErrors);
    const items = [...plan.items];
    let statusChange: (() => void) | undefined;
    if (body.transition?.id !== undefined) {
      const planned = this.planTransition(issue, String(body.transition.id));
      if (typeof planned === 'string') return fail({}, planned);
      items.push(...planned.items);
      statusChange = planned.apply;
    }
    plan.apply();
    statusChange?.();
    const eventType = body.transition
      ? 'issue_generic'
      : items.length === 1 && items[0]?.field === 'assignee'
        ? 'issue_assigned'
        : 'issue_updated';
    this.record(store, issue, actorId, items, body.historyMetadata, eventType);
    for (const p of body.properties ?? []) this.setIssueProperty(store, issue, actorId, p.key, p.value);
    return { ok: true, value: issue };
  }

  transition(store: SiteStore, issue: SimIssue, actorId: string, body: IssueWrite): WriteResult<SimIssue> {
    const planned = this.planTransition(issue, String(body.transition?.id ?? ''));
    if (typeof planned === 'string') return fail({}, planned);
    const plan = planFieldEdits(this.world, issue, body.fields ?? {}, body.update ?? {});
    if (Object.keys(plan.errors).length > 0) return fail(plan.errors);
    plan.apply();
    planned.apply();
    this.record(
      store,
      issue,
      actorId,
      [...planned.items, ...plan.items],
      body.historyMetadata,
      'issue_generic',
    );
    for (const p of body.properties ?? []) this.setIssueProperty(store, issue, actorId, p.key, p.value);
    return { ok: true, value: issue };
  }

  addComment(
    store: SiteStore,
    issue: SimIssue,
    actorId: string,
    body: AdfDoc,
    properties: EntityProperty[] = [],
  ): SimComment {
    const now = this.clock.now();
    const comment: SimComment = {
      id: store.allocateCommentId(),
      issueId: issue.id,
      body,
      authorId: actorId,
      updateAuthorId: actorId,
      created: now,
      updated: now,
      properties: new Map(properties.map((p) => [p.key, p.value])),
    };
    issue.comments.push(comment);
    store.indexComment(comment);
    store.setUpdated(issue, now);
    this.emitComment('comment_created', 'issue_commented', store, issue, comment, actorId, now);
    return comment;
  }

  updateComment(
    store: SiteStore,
    issue: SimIssue,
    comment: SimComment,
    actorId: string,
    body: AdfDoc,
    properties: EntityProperty[] = [],
  ): SimComment {
    const now = this.clock.now();
    comment.body = body;
    comment.updated = now;
    comment.updateAuthorId = actorId;
    for (const p of properties) comment.properties.set(p.key, p.value);
    store.setUpdated(issue, now);
    this.emitComment('comment_updated', 'issue_comment_edited', store, issue, comment, actorId, now);
    return comment;
  }

  deleteComment(store: SiteStore, issue: SimIssue, comment: SimComment, actorId: string): void {
    const now = this.clock.now();
    issue.comments = issue.comments.filter((c) => c !== comment);
    store.commentsById.delete(comment.id);
    store.setUpdated(issue, now);
    this.emitComment('comment_deleted', 'issue_comment_deleted', store, issue, comment, actorId, now);
  }

  deleteIssue(store: SiteStore, issue: SimIssue, actorId: string): void {
    const now = this.clock.now();
    store.remove(issue);
    this.emit({
      name: 'jira:issue_deleted',
      store,
      issue,
      actorId,
      at: now,
      issueEventTypeName: 'issue_deleted',
      flow: 'Primary',
    });
    for (const comment of issue.comments) {
      this.emit({ name: 'comment_deleted', store, issue, actorId, at: now, comment, flow: 'Secondary' });
    }
  }

  /** Returns whether the property was created (201) rather than updated (200). */
  setIssueProperty(store: SiteStore, issue: SimIssue, actorId: string, key: string, value: unknown): boolean {
    const created = !issue.properties.has(key);
    issue.properties.set(key, value);
    this.emit({
      name: 'issue_property_set',
      store,
      issue,
      actorId,
      at: this.clock.now(),
      propertyKey: key,
      flow: 'Primary',
    });
    return created;
  }

  deleteIssueProperty(store: SiteStore, issue: SimIssue, actorId: string, key: string): boolean {
    if (!issue.properties.delete(key)) return false;
    this.emit({
      name: 'issue_property_deleted',
      store,
      issue,
      actorId,
      at: this.clock.now(),
      propertyKey: key,
      flow: 'Primary',
    });
    return true;
  }

  private planTransition(
    issue: SimIssue,
    transitionId: string,
  ): { items: HistoryItem[]; apply: () => void } | string {
    const t = transitions.find((x) => x.id === transitionId);
    if (!t) return `Transition id '${transitionId}' is not valid for this issue.`;
    const from = findStatus(issue.statusId);
    const to = findStatus(t.toStatusId);
    if (!to) return `Transition id '${transitionId}' is not valid for this issue.`;
    const items: HistoryItem[] = [
      {
        field: 'status',
        fieldtype: 'jira',
        fieldId: 'status',
        from: issue.statusId,
        fromString: from?.name ?? null,
        to: to.id,
        toString: to.name,
      },
    ];
    const resolving = to.category.key === 'done' && issue.resolutionDate === null;
    const reopening = to.category.key !== 'done' && issue.resolutionDate !== null;
    if (resolving)
      items.push({
        field: 'resolution',
        fieldtype: 'jira',
        fieldId: 'resolution',
        from: null,
        fromString: null,
        to: '10000',
        toString: 'Done',
      });
    if (reopening)
      items.push({
        field: 'resolution',
        fieldtype: 'jira',
        fieldId: 'resolution',
        from: '10000',
        fromString: 'Done',
        to: null,
        toString: null,
      });
    return {
      items,
      apply: () => {
        issue.statusId = to.id;
        if (resolving) issue.resolutionDate = this.clock.now();
        if (reopening) issue.resolutionDate = null;
      },
    };
  }

  private record(
    store: SiteStore,
    issue: SimIssue,
    actorId: string,
    items: HistoryItem[],
    meta: Record<string, unknown> | undefined,
    eventType: string,
  ): void {
    if (items.length === 0) return;
    const now = this.clock.now();
    const history = {
      id: store.allocateHistoryId(),
      authorId: actorId,
      created: now,
      items,
      ...(meta ? { historyMetadata: meta } : {}),
    };
    issue.changelog.push(history);
    store.setUpdated(issue, now);
    this.emit({
      name: 'jira:issue_updated',
      store,
      issue,
      actorId,
      at: now,
      issueEventTypeName: eventType,
      changelog: { id: history.id, items },
      flow: 'Primary',
    });
  }

  private emitComment(
    name: SimEvent['name'],
    issueEventType: string,
    store: SiteStore,
    issue: SimIssue,
    comment: SimComment,
    actorId: string,
    at: number,
  ): void {
    this.emit({ name, store, issue, actorId, at, comment, flow: 'Primary' });
    // A comment also raises jira:issue_updated carrying the comment (issue_commented and friends).
    this.emit({
      name: 'jira:issue_updated',
      store,
      issue,
      actorId,
      at,
      comment,
      issueEventTypeName: issueEventType,
      flow: 'Primary',
    });
  }

  private emit(event: SimEvent): void {
    this.bus.emit(event);
  }
}

/** Property keys up to 255 characters, values up to 32,768 bytes of JSON. */
export function checkProperties(properties: EntityProperty[] | undefined): string | undefined {
  for (const p of properties ?? []) {
    if (typeof p?.key !== 'string' || p.key.length === 0 || p.key.length > 255)
      return 'The property key must be between 1 and 255 characters long.';
    if (p.value === undefined || Buffer.byteLength(JSON.stringify(p.value)) > 32_768)
      return 'The property value must be non-empty JSON of at most 32768 bytes.';
  }
  return undefined;
}
