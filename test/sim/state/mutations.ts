import type { SimClock } from '../clock.ts';
import type { AdfDoc, HistoryItem, SimComment, SimIssue } from '../model.ts';
import type { EventBus, SimEvent } from './events.ts';
import { planFieldEdits } from './field-edits.ts';
import { newIssue } from './new-issue.ts';
import type { SiteStore } from './site-store.ts';
import { planTransition } from './transition-plan.ts';
import type { World } from './world.ts';
import {
  checkProperties,
  type EntityProperty,
  fail,
  type IssueWrite,
  type WriteResult,
} from './write-types.ts';

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
    const now = this.clock.now();
    const started = newIssue(store, fields, actorId, now);
    if ('errors' in started) return fail(started.errors);
    const { issue, project } = started;
    const plan = planFieldEdits(this.world, issue, fields, body.update ?? {});
    if (Object.keys(plan.errors).length > 0) return fail(plan.errors);
    const propErrors = checkProperties(body.properties);
    if (propErrors) return fail({}, propErrors);
    plan.apply();
    issue.key = store.allocateKey(project.key);
    store.add(issue);
    this.bus.emit({
      name: 'jira:issue_created',
      store,
      issue,
      actorId,
      at: now,
      issueEventTypeName: 'issue_created',
      flow: 'Primary',
    });
    // Set through the property service as on an edit, so each fires issue_property_set (undocumented).
    for (const p of body.properties ?? []) this.setIssueProperty(store, issue, actorId, p.key, p.value);
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
      const planned = planTransition(issue, this.clock, String(body.transition.id));
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
    const planned = planTransition(issue, this.clock, String(body.transition?.id ?? ''));
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
    this.bus.emit({
      name: 'jira:issue_deleted',
      store,
      issue,
      actorId,
      at: now,
      issueEventTypeName: 'issue_deleted',
      flow: 'Primary',
    });
    for (const comment of issue.comments) {
      this.bus.emit({ name: 'comment_deleted', store, issue, actorId, at: now, comment, flow: 'Secondary' });
    }
  }

  /** Returns whether the property was created (201) rather than updated (200). */
  setIssueProperty(store: SiteStore, issue: SimIssue, actorId: string, key: string, value: unknown): boolean {
    const created = !issue.properties.has(key);
    issue.properties.set(key, value);
    this.bus.emit({
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
    this.bus.emit({
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
    this.bus.emit({
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
    this.bus.emit({ name, store, issue, actorId, at, comment, flow: 'Primary' });
    // A comment also raises jira:issue_updated carrying the comment (issue_commented and friends).
    this.bus.emit({
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
}
