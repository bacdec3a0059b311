import { describe, expect, it } from 'vitest';
import { createComment, deleteComment, updateComment } from '../../../src/commands/jira/comment-writes.ts';
import { ORIGIN_PROPERTY_KEY } from '../../../src/commands/jira/write-origin.ts';
import { paragraph, startWriteStack, type WriteStack } from './write-stack.ts';

const commentCount = async (w: WriteStack, key: string): Promise<number> =>
  (await w.read(`issue/${key}/comment`)).total;

const originOf = async (w: WriteStack, commentId: string) =>
  (await w.read(`comment/${commentId}/properties/${ORIGIN_PROPERTY_KEY}`)).value;

describe('comment writes against the simulator', () => {
  it('adds a comment with the origin as a comment property, for one write point', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue();
    const origin = w.origin();

    const result = await createComment(w.jira, {
      issue: key,
      body: paragraph('Customer called back'),
      origin,
      mayHaveWritten: false,
    });

    expect(result).toEqual({ id: expect.any(String), created: true, updated: expect.any(String) });
    expect((await w.read(`issue/${key}/comment/${result.id}`)).body).toEqual(
      paragraph('Customer called back'),
    );
    expect(await originOf(w, result.id)).toEqual(origin);
    expect(w.points('POST', 'issue/:issueIdOrKey/comment')).toBe(1);
  });

  it('finds its own earlier comment after a lost answer instead of adding a second one', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue();
    const input = { issue: key, body: paragraph('Only once'), origin: w.origin() };
    const first = await createComment(w.jira, { ...input, mayHaveWritten: false });
    // Newer comments, by a person and by another command.
    w.stack.sim.addComment(w.cloudId, key, 'A person replied');
    await createComment(w.jira, { ...input, origin: w.origin(), mayHaveWritten: false });
    const before = await commentCount(w, key);

    const again = await createComment(w.jira, { ...input, mayHaveWritten: true });

    expect(again).toEqual({ id: first.id, created: false });
    expect(await commentCount(w, key)).toBe(before);
  });

  it('adds the comment when no earlier attempt reached Jira, on an issue with or without comments', async () => {
    const w = await startWriteStack();
    const empty = w.newIssue();
    const busy = w.newIssue();
    w.stack.sim.addComment(w.cloudId, busy.key, 'Someone else');

    for (const { key } of [empty, busy]) {
      const before = await commentCount(w, key);
      const result = await createComment(w.jira, {
        issue: key,
        body: paragraph('New'),
        origin: w.origin(),
        mayHaveWritten: true,
      });
      expect(result.created).toBe(true);
      expect(await commentCount(w, key)).toBe(before + 1);
    }
  });

  it('updates a comment’s body and marks it with the new command’s origin', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue();
    const { id } = w.stack.sim.addComment(w.cloudId, key, 'Typo here');
    const origin = w.origin();

    const result = await updateComment(w.jira, {
      issue: key,
      commentId: id,
      body: paragraph('Fixed'),
      origin,
    });

    const comment = await w.read(`issue/${key}/comment/${id}`);
    expect(comment.body).toEqual(paragraph('Fixed'));
    expect(result).toEqual({ id, updated: comment.updated });
    expect(await originOf(w, id)).toEqual(origin);
  });

  it('deletes a comment, and a repeat finds it already gone', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue();
    const { id } = w.stack.sim.addComment(w.cloudId, key, 'Remove me');

    expect(await deleteComment(w.jira, { issue: key, commentId: id })).toEqual({
      deleted: true,
      alreadyGone: false,
    });
    expect(await commentCount(w, key)).toBe(0);
    expect(await deleteComment(w.jira, { issue: key, commentId: id })).toEqual({
      deleted: true,
      alreadyGone: true,
    });
  });

  it('counts a delete whose answer was lost (the client retries it) as done', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue();
    const { id } = w.stack.sim.addComment(w.cloudId, key, 'Remove me');
    // The first DELETE is refused with a 503 before it acts; the retry deletes.
    w.stack.sim.setFaults({ failNext: [{ method: 'DELETE', path: `/comment/${id}`, status: 503 }] });

    expect(await deleteComment(w.jira, { issue: key, commentId: id })).toEqual({
      deleted: true,
      alreadyGone: false,
    });
    expect(await commentCount(w, key)).toBe(0);
  });
});
