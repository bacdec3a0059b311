import type { JiraIntent } from '../../../connectors/jira-intent.ts';
import { epochMs } from '../../normalize/jira-fields.ts';
import { textToAdf } from '../contract/text-to-adf.ts';
import { resolveFields } from '../jira/field-resolver.ts';
import { changesSince, readIssueVersion } from '../jira/issue-version.ts';
import { createIssue, editIssue } from '../jira/issue-writes.ts';
import { transitionIssue } from '../jira/transition-writes.ts';
import { pendingWrite, type WriteContext, type WriteResult } from './write-context.ts';

type CreateIssueIntent = Extract<JiraIntent, { kind: 'create-issue' }>;
type UpdateIssueIntent = Extract<JiraIntent, { kind: 'update-issue' }>;

/** Fields named in the command that the site does not have: Jira would refuse them anyway. */
function unknownFields(unknown: readonly string[]): WriteResult {
  return { status: 'failed', issue: null, jira: null, reason: `unknown fields: ${unknown.join(', ')}` };
}

/**
 * Creates the issue once: the write is recorded as pending first (with its project and summary, so
 * its webhook is known as an echo before Jira's answer is), and a retry after an unknown outcome
 * takes the issue its webhook revealed, or finds it by the origin property, before it writes.
 */
export async function applyCreateIssue(ctx: WriteContext, intent: CreateIssueIntent): Promise<WriteResult> {
  const toAdf = (text: string) => textToAdf(text, intent.textFormat);
  const resolved = await resolveFields(ctx.client, intent.fields, { toAdf, fieldLists: ctx.fieldLists });
  if ('unknown' in resolved) return unknownFields(resolved.unknown);
  const site = ctx.command.siteHost;
  const seen = ctx.mayHaveWritten ? await ctx.writes.createdBy(site, ctx.command.id) : null;
  if (seen?.issueId) {
    return { status: 'applied', issue: { id: seen.issueId }, jira: { id: seen.issueId, created: false } };
  }
  const summary = typeof resolved.fields.summary === 'string' ? resolved.fields.summary : undefined;
  const write = pendingWrite(ctx, {
    kind: 'issue-create',
    issueId: null,
    projectKey: intent.project,
    ...(summary === undefined ? {} : { summary }),
    fields: Object.keys(resolved.fields),
  });
  await ctx.writes.record(site, write);
  const created = await createIssue(ctx.client, {
    project: intent.project,
    issueType: intent.issueType,
    fields: resolved.fields,
    origin: ctx.origin,
    mayHaveWritten: ctx.mayHaveWritten,
    lookup: { windowMinutes: ctx.createLookbackMinutes },
  });
  await ctx.writes.createdAs(site, { ...write, issueId: created.id, doneAt: ctx.now() });
  const issue = { id: created.id, key: created.key };
  return { status: 'applied', issue, jira: { ...issue, created: created.created } };
}

/**
 * An edit, a transition, or both, on the issue as Jira has it now: one read gives its id (pending
 * writes are kept per issue id), its `updated` (for `ifUpdated`) and its status.
 */
export async function applyUpdateIssue(ctx: WriteContext, intent: UpdateIssueIntent): Promise<WriteResult> {
  const now = await readIssueVersion(ctx.client, intent.issue);
  const issue = { id: now.id, key: now.key };
  if (
    intent.ifUpdated !== undefined &&
    (epochMs(now.updated) ?? 0) > (epochMs(intent.ifUpdated) ?? 0) &&
    !(await ownEarlierWrite(ctx, now.id))
  ) {
    const changed = await changesSince(ctx.client, now.key, intent.ifUpdated);
    const reason = `the issue changed since ${intent.ifUpdated} (now ${now.updated}): ${changed.join(', ') || 'unknown fields'}`;
    return { status: 'conflict', issue, jira: { updated: now.updated, changed }, reason };
  }
  const jira: Record<string, string | boolean> = {};
  if (Object.keys(intent.fields).length > 0) {
    const toAdf = (text: string) => textToAdf(text, intent.textFormat);
    const resolved = await resolveFields(ctx.client, intent.fields, { toAdf, fieldLists: ctx.fieldLists });
    if ('unknown' in resolved) return { ...unknownFields(resolved.unknown), issue };
    const write = pendingWrite(ctx, {
      kind: 'issue-edit',
      step: 'edit',
      issueId: now.id,
      fields: Object.keys(resolved.fields),
    });
    await ctx.writes.record(ctx.command.siteHost, write);
    const edited = await editIssue(ctx.client, {
      issue: now.id,
      fields: resolved.fields,
      origin: ctx.origin,
    });
    const resultVersion = epochMs(edited.updated);
    // An edit that changed nothing leaves `updated` as it was: that version is not this write's.
    if (resultVersion !== undefined && resultVersion <= (epochMs(now.updated) ?? 0)) {
      await ctx.writes.forget(ctx.command.siteHost, write);
    } else {
      await ctx.writes.record(ctx.command.siteHost, {
        ...write,
        doneAt: ctx.now(),
        ...(resultVersion === undefined ? {} : { resultVersion }),
      });
    }
    jira.updated = edited.updated;
  }
  if (intent.transition === undefined) return { status: 'applied', issue, jira };
  const write = pendingWrite(ctx, {
    kind: 'issue-edit',
    step: 'transition',
    issueId: now.id,
    fields: ['status', 'resolution', 'resolutiondate'],
  });
  await ctx.writes.record(ctx.command.siteHost, write);
  const moved = await transitionIssue(ctx.client, {
    issue: now.id,
    to: intent.transition,
    origin: ctx.origin,
  });
  if ('unreachable' in moved) {
    await ctx.writes.forget(ctx.command.siteHost, write);
    const reachable = moved.reachable.length > 0 ? moved.reachable.join(', ') : 'none';
    const reason = `no transition from ${moved.status.name} leads to ${intent.transition.label}; reachable: ${reachable}`;
    return {
      status: 'failed',
      issue,
      jira: { ...jira, status: moved.status.name, reachable: [...moved.reachable] },
      reason,
    };
  }
  if (!moved.transitioned) {
    await ctx.writes.forget(ctx.command.siteHost, write);
    return { status: 'applied', issue, jira: { ...jira, status: moved.status.name, transitioned: false } };
  }
  // A transition answers 204: one read tells its resulting version, so its echo is known exactly.
  const after = await readIssueVersion(ctx.client, now.id);
  const resultVersion = epochMs(after.updated);
  await ctx.writes.record(ctx.command.siteHost, {
    ...write,
    doneAt: ctx.now(),
    ...(resultVersion === undefined ? {} : { resultVersion }),
  });
  return {
    status: 'applied',
    issue,
    jira: { ...jira, status: moved.status.name, transitioned: true, updated: after.updated },
  };
}

/** A retry whose earlier attempt already wrote: the change since `ifUpdated` is this command's own. */
async function ownEarlierWrite(ctx: WriteContext, issueId: string): Promise<boolean> {
  if (!ctx.mayHaveWritten) return false;
  const writes = await ctx.writes.forIssue(ctx.command.siteHost, issueId);
  return writes.some((w) => w.commandId === ctx.command.id);
}
