import { describe, expect, it } from 'vitest';
import { BudgetExhaustedError } from '../../../src/atlassian/budget/budget-exhausted-error.ts';
import { createComment } from '../../../src/commands/jira/comment-writes.ts';
import { createIssue, editIssue } from '../../../src/commands/jira/issue-writes.ts';
import { transitionIssue } from '../../../src/commands/jira/transition-writes.ts';
import { classifyJiraFailure } from '../../../src/commands/jira/write-outcome.ts';
import { paragraph, startWriteStack } from './write-stack.ts';

const failureOf = (write: Promise<unknown>) =>
  write.then(
    () => {
      throw new Error('the write succeeded');
    },
    (err: unknown) => classifyJiraFailure(err),
  );

describe('classifyJiraFailure on what the simulator answers', () => {
  it('fails an invalid value or a field not on the screen with Jira’s messages', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue();

    expect(
      await failureOf(
        editIssue(w.jira, { issue: key, fields: { priority: { name: 'Urgent' } }, origin: w.origin() }),
      ),
    ).toEqual({ kind: 'failed', status: 400, messages: ['priority: Specify a valid priority.'] });
    expect(
      await failureOf(
        editIssue(w.jira, { issue: key, fields: { duedate: '2026-01-01' }, origin: w.origin() }),
      ),
    ).toEqual({
      kind: 'failed',
      status: 400,
      messages: ["duedate: Field 'duedate' cannot be set. It is not on the appropriate screen, or unknown."],
    });
  });

  it('fails a write to an issue that does not exist', async () => {
    const w = await startWriteStack();
    expect(
      await failureOf(
        editIssue(w.jira, { issue: 'OPS-99999', fields: { summary: 'x' }, origin: w.origin() }),
      ),
    ).toEqual({
      kind: 'failed',
      status: 404,
      messages: ['Issue does not exist or you do not have permission to see it.'],
    });
  });

  it('fails a write Jira forbids (403, scripted: the simulator has no permission schemes)', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue();
    const message = 'You do not have permission to transition this issue.';
    w.stack.sim.setFaults({
      failNext: [
        { method: 'POST', path: '/transitions', status: 403, body: { errorMessages: [message], errors: {} } },
      ],
    });

    expect(
      await failureOf(transitionIssue(w.jira, { issue: key, to: { names: ['Done'] }, origin: w.origin() })),
    ).toEqual({ kind: 'failed', status: 403, messages: [message] });
  });

  it('retries a 503, after the server’s delay when it gives one', async () => {
    const w = await startWriteStack({ env: { JIRA_RETRY_LIMIT: '1' } });
    const { key } = w.newIssue();
    const create = () =>
      createIssue(w.jira, {
        project: 'OPS',
        issueType: 'Task',
        fields: { summary: 'x' },
        origin: w.origin(),
        mayHaveWritten: false,
      });
    w.stack.sim.setFaults({
      failNext: [
        { method: 'POST', path: '/rest/api/3/issue', status: 503, retryAfterSeconds: 7 },
        { method: 'POST', path: '/rest/api/3/issue', status: 503 },
        // An idempotent edit is retried by the client first, then handed back.
        { method: 'PUT', path: `/issue/${key}`, status: 503, times: 2 },
      ],
    });

    expect(await failureOf(create())).toEqual({ kind: 'retry', delayMs: 7000 });
    expect(await failureOf(create())).toEqual({ kind: 'retry' });
    expect(
      await failureOf(editIssue(w.jira, { issue: key, fields: { summary: 'y' }, origin: w.origin() })),
    ).toEqual({ kind: 'retry' });
  });

  it('retries a per-issue 429 after its delay', async () => {
    const w = await startWriteStack({ sim: { perIssueWriteLimits: [[1, 5]] } });
    const { key } = w.newIssue();
    const comment = () =>
      createComment(w.jira, { issue: key, body: paragraph('x'), origin: w.origin(), mayHaveWritten: false });
    await comment();

    const outcome = await failureOf(comment());
    expect(outcome).toMatchObject({ kind: 'retry' });
    expect(outcome.kind === 'retry' && outcome.delayMs).toBeGreaterThan(0);
  });

  it('retries a call that got no answer in time', async () => {
    const w = await startWriteStack({ env: { JIRA_REQUEST_TIMEOUT_MS: '150', JIRA_RETRY_LIMIT: '0' } });
    const { key } = w.newIssue();
    w.stack.sim.setFaults({ latencyMs: 600 });

    expect(
      await failureOf(editIssue(w.jira, { issue: key, fields: { summary: 'slow' }, origin: w.origin() })),
    ).toEqual({ kind: 'retry' });
  });

  it('rejects a write when the grant needs a new consent', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue();
    w.stack.sim.revokeGrant(w.connection.accountIds[0] as string);

    const outcome = await failureOf(
      editIssue(w.jira, { issue: key, fields: { summary: 'x' }, origin: w.origin() }),
    );
    expect(outcome).toEqual({ kind: 'rejected', reason: expect.stringContaining('needs reauthorization') });
  });

  it('retries a write the relay’s budget postponed, after the budget’s delay', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue();
    const jira = w.stack.jira(w.connection, {
      beforeRequest: async (request) => {
        throw new BudgetExhaustedError({ reason: 'window', retryAfterMs: 4200, site: request.site });
      },
      afterResponse: async () => undefined,
    });

    expect(
      await failureOf(editIssue(jira, { issue: key, fields: { summary: 'x' }, origin: w.origin() })),
    ).toEqual({ kind: 'retry', delayMs: 4200 });
  });
});
