import { z } from 'zod';
import type { JiraClient } from '../../atlassian/jira/jira-client.ts';
import { parseJiraAnswer, segment } from './jira-answer.ts';
import { ORIGIN_PROPERTY_KEY, originCommandId } from './write-origin.ts';

const commentIds = z.object({ comments: z.array(z.object({ id: z.string() })).default([]) });

const commentsWithProperties = z.object({
  values: z
    .array(
      z.object({
        id: z.string(),
        properties: z.array(z.object({ key: z.string(), value: z.unknown() })).default([]),
      }),
    )
    .default([]),
});

/**
 * The id of the comment an earlier attempt of command `commandId` added to the issue, found by its
 * `jira-relay.origin` property among the issue's `recent` newest comments. Two reads: the newest
 * ids (`GET issue/{issue}/comment?orderBy=-created`), then their properties (`POST
 * comment/list?expand=properties`), the documented way to read comment properties in bulk.
 */
export async function findOwnComment(
  client: JiraClient,
  issue: string,
  commandId: string,
  recent = 20,
): Promise<string | undefined> {
  const page = await client.get<unknown>(
    `issue/${segment(issue)}/comment`,
    { orderBy: '-created', startAt: 0, maxResults: recent },
    { routeClass: 'issue-comments', estimatedCost: 1 + recent },
  );
  const ids = parseJiraAnswer(commentIds, page, 'GET issue comments').comments.map((c) => c.id);
  if (ids.length === 0) return undefined;
  const listed = await client.request<unknown>({
    method: 'POST',
    path: 'comment/list',
    searchParams: { expand: 'properties' },
    json: { ids: ids.map(Number) },
    idempotent: true,
    routeClass: 'comment-list',
    estimatedCost: 1 + ids.length,
  });
  const comments = parseJiraAnswer(commentsWithProperties, listed, 'POST comment/list').values;
  const own = comments.find((c) =>
    c.properties.some((p) => p.key === ORIGIN_PROPERTY_KEY && originCommandId(p.value) === commandId),
  );
  return own?.id;
}
