import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import { z } from 'zod';
import { entityRef, type JiraChange } from '../../connectors/jira-change.ts';

/** Where normalized changes go; resolves once they are stored in Redis. */
export interface ChangeQueue {
  enqueue(changes: readonly JiraChange[]): Promise<void>;
}

/** Just enough of a change to route and order it; connectors read the rest. */
export const changeJobSchema = z.object({
  change: z.looseObject({
    entity: z.enum(['issue', 'comment']),
    kind: z.string(),
    site: z.looseObject({ host: z.string().min(1) }),
    version: z.number().int().nonnegative(),
    issue: z.looseObject({ id: z.string().min(1) }),
  }),
});

export interface ChangeJob {
  readonly change: JiraChange;
}

/**
 * One job per change, added in one round trip. The job id names the change (site, entity, version), so the same change reached by webhook and by polling is queued once while the first job is
 * still retained; published-version markers catch any later repeat.
 */
export class BullChangeQueue implements ChangeQueue {
  readonly #queue: Queue<ChangeJob>;

  constructor(queue: Queue<ChangeJob>) {
    this.#queue = queue;
  }

  async enqueue(changes: readonly JiraChange[]): Promise<void> {
    if (changes.length === 0) return;
    await this.#queue.addBulk(
      changes.map((change) => ({
        name: `${change.entity}.${change.kind}`,
        data: { change },
        opts: { jobId: changeJobId(change) },
      })),
    );
  }
}

/** BullMQ ids may not contain `:`; a hash keeps them short and safe. */
function changeJobId(change: JiraChange): string {
  const { kind, id } = entityRef(change);
  const name = `${change.site.host}|${kind}|${id}|${change.version}`;
  return `c-${createHash('sha256').update(name).digest('hex').slice(0, 32)}`;
}
