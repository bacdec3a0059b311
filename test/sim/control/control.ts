import type { SimContext } from '../context.ts';
import { statuses, transitions } from '../data/catalog.ts';
import { adfParagraphs } from '../data/text.ts';
import type { SimFaults } from '../faults.ts';
import type { AdfDoc, SimIssue } from '../model.ts';
import { isAdfDoc } from '../state/adf.ts';
import type { SiteStore } from '../state/site-store.ts';
import type { IssueWrite } from '../state/write-types.ts';
import type { DeliveryRecord } from '../webhooks/dispatcher.ts';
import { compileWebhookFilter } from '../webhooks/filter.ts';

/** A change made "in Jira" by a person; `actorAccountId` defaults to the first user. */
export interface ControlIssueInput extends IssueWrite {
  actorAccountId?: string;
  /** A status name ("Done") or transition id ("41"). */
  status?: string;
}

export interface AdminWebhookInput {
  url: string;
  events: string[];
  jqlFilter?: string;
  secret?: string;
}

export class ControlError extends Error {
  readonly status: number;
  readonly details: unknown;

  constructor(status: number, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.details = details;
  }
}

/**
 * The powers of the /_sim control API, also handed to tests as a typed handle: act in Jira as a
 * person (every change fires webhooks and lands in the changelog), inspect and break things.
 */
export class SimControl {
  private readonly ctx: SimContext;

  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  state() {
    return {
      now: this.ctx.clock.now(),
      sites: this.ctx.world.stores.map(({ site, byId, commentsById }) => ({
        cloudId: site.cloudId,
        name: site.name,
        url: site.url,
        host: site.host,
        projects: site.projects.map((p) => p.key),
        issues: byId.size,
        comments: commentsById.size,
        webhooks: this.ctx.webhooks.ofSite(site.cloudId).length,
      })),
      users: this.ctx.world.users,
    };
  }

  createIssue(cloudId: string, input: ControlIssueInput = {}): { id: string; key: string } {
    const store = this.store(cloudId);
    const fields: Record<string, unknown> = {
      project: { key: store.site.projects[0]?.key },
      issuetype: { name: 'Task' },
      summary: 'Created in the simulator',
      ...(input.fields ?? {}),
    };
    if (typeof fields.description === 'string') fields.description = adfParagraphs(fields.description);
    const result = this.ctx.mutations.createIssue(store, this.actor(input), { ...input, fields });
    if (!result.ok)
      throw new ControlError(400, 'invalid issue', {
        errorMessages: result.errorMessages,
        errors: result.errors,
      });
    if (input.status)
      this.updateIssue(cloudId, result.value.id, { status: input.status, ...this.actorOf(input) });
    return { id: result.value.id, key: result.value.key };
  }

  updateIssue(
    cloudId: string,
    idOrKey: string,
    input: ControlIssueInput,
  ): { id: string; key: string; updated: number } {
    const store = this.store(cloudId);
    const issue = this.issue(store, idOrKey);
    const fields = { ...(input.fields ?? {}) };
    if (typeof fields.description === 'string') fields.description = adfParagraphs(fields.description);
    const body: IssueWrite = { ...input, fields };
    if (input.status) body.transition = { id: this.transitionId(input.status) };
    const result = this.ctx.mutations.editIssue(store, issue, this.actor(input), body);
    if (!result.ok)
      throw new ControlError(400, 'invalid edit', {
        errorMessages: result.errorMessages,
        errors: result.errors,
      });
    return { id: issue.id, key: issue.key, updated: issue.updated };
  }

  deleteIssue(cloudId: string, idOrKey: string, actorAccountId?: string): void {
    const store = this.store(cloudId);
    this.ctx.mutations.deleteIssue(
      store,
      this.issue(store, idOrKey),
      this.actor({ ...(actorAccountId ? { actorAccountId } : {}) }),
    );
  }

  addComment(
    cloudId: string,
    idOrKey: string,
    body: string | AdfDoc,
    actorAccountId?: string,
  ): { id: string } {
    const store = this.store(cloudId);
    const comment = this.ctx.mutations.addComment(
      store,
      this.issue(store, idOrKey),
      this.actor({ ...(actorAccountId ? { actorAccountId } : {}) }),
      toAdf(body),
    );
    return { id: comment.id };
  }

  updateComment(
    cloudId: string,
    idOrKey: string,
    commentId: string,
    body: string | AdfDoc,
    actorAccountId?: string,
  ): void {
    const store = this.store(cloudId);
    const issue = this.issue(store, idOrKey);
    const comment = issue.comments.find((c) => c.id === commentId);
    if (!comment) throw new ControlError(404, `no comment ${commentId} on ${idOrKey}`);
    this.ctx.mutations.updateComment(
      store,
      issue,
      comment,
      this.actor({ ...(actorAccountId ? { actorAccountId } : {}) }),
      toAdf(body),
    );
  }

  deleteComment(cloudId: string, idOrKey: string, commentId: string, actorAccountId?: string): void {
    const store = this.store(cloudId);
    const issue = this.issue(store, idOrKey);
    const comment = issue.comments.find((c) => c.id === commentId);
    if (!comment) throw new ControlError(404, `no comment ${commentId} on ${idOrKey}`);
    this.ctx.mutations.deleteComment(
      store,
      issue,
      comment,
      this.actor({ ...(actorAccountId ? { actorAccountId } : {}) }),
    );
  }

  setIssueProperty(
    cloudId: string,
    idOrKey: string,
    key: string,
    value: unknown,
    actorAccountId?: string,
  ): void {
    const store = this.store(cloudId);
    this.ctx.mutations.setIssueProperty(
      store,
      this.issue(store, idOrKey),
      this.actor({ ...(actorAccountId ? { actorAccountId } : {}) }),
      key,
      value,
    );
  }

  registerAdminWebhook(cloudId: string, input: AdminWebhookInput): { id: number } {
    const store = this.store(cloudId);
    let predicate: SimIssuePredicate | undefined;
    if (input.jqlFilter) {
      const filter = compileWebhookFilter(input.jqlFilter, store);
      if ('error' in filter) throw new ControlError(400, filter.error);
      predicate = filter.predicate;
    }
    const id = this.ctx.webhooks.allocateId();
    this.ctx.webhooks.admin.push({
      id,
      cloudId,
      url: input.url,
      events: input.events,
      predicate,
      secret: input.secret,
    });
    return { id };
  }

  deliveries(): DeliveryRecord[] {
    return this.ctx.dispatcher.log;
  }

  setFaults(faults: SimFaults): void {
    this.ctx.faults.current = structuredClone(faults ?? {});
  }

  setNextConsentUser(accountId: string): void {
    if (!this.ctx.world.user(accountId)) throw new ControlError(404, `unknown account ${accountId}`);
    this.ctx.nextConsentUser = accountId;
  }

  /** Lets an account see a site it could not see before (or removes it): accessible-resources changes. */
  setSiteAccess(cloudId: string, accountId: string, allowed: boolean): void {
    const store = this.store(cloudId);
    if (allowed) store.site.userIds.add(accountId);
    else store.site.userIds.delete(accountId);
  }

  /** An admin renames the site: its name and url (so its host) change, its cloud id stays. */
  renameSite(cloudId: string, input: { name: string; host: string }): void {
    const { site } = this.store(cloudId);
    site.name = input.name;
    site.host = input.host.toLowerCase();
    site.url = `https://${site.host}`;
  }

  private store(cloudId: string): SiteStore {
    const store = this.ctx.world.store(cloudId);
    if (!store) throw new ControlError(404, `unknown site ${cloudId}`);
    return store;
  }

  private issue(store: SiteStore, idOrKey: string): SimIssue {
    const issue = store.find(idOrKey);
    if (!issue) throw new ControlError(404, `unknown issue ${idOrKey}`);
    return issue;
  }

  private actor(input: { actorAccountId?: string }): string {
    const id = input.actorAccountId ?? this.ctx.world.users[0]?.accountId;
    if (!id || !this.ctx.world.user(id)) throw new ControlError(404, `unknown account ${String(id)}`);
    return id;
  }

  private actorOf(input: ControlIssueInput): { actorAccountId?: string } {
    return input.actorAccountId ? { actorAccountId: input.actorAccountId } : {};
  }

  private transitionId(status: string): string {
    const byId = transitions.find((t) => t.id === status);
    if (byId) return byId.id;
    const target = statuses.find((s) => s.name.toLowerCase() === status.toLowerCase());
    const t = transitions.find((x) => x.toStatusId === target?.id);
    if (!t) throw new ControlError(400, `unknown status or transition ${status}`);
    return t.id;
  }
}

type SimIssuePredicate = (issue: SimIssue) => boolean;

function toAdf(body: string | AdfDoc): AdfDoc {
  if (typeof body === 'string') return adfParagraphs(body);
  if (!isAdfDoc(body)) throw new ControlError(400, 'body must be a string or an ADF document');
  return body;
}
