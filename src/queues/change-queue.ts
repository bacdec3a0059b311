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
 * One job per change, added in one round trip. The change (site, entity, version) is queued once
 * while a job for it waits, is delayed or runs: BullMQ's deduplication id in simple mode, which
 * lasts only until that job completes or fails for good. A job id naming the change would also
 * refuse the change while a failed job is retained, so a change whose job failed could not be
 * queued again by the next poll. Published-version markers drop any repeat that goes out.
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
        opts: { deduplication: { id: changeDedupeId(change) } },
      })),
    );
  }
}

/** A hash keeps the id short and free of `:`. */
function changeDedupeId(change: JiraChange): string {
  const { kind, id } = entityRef(change);
  // A replay is its own job: it must neither swallow nor be swallowed by the live change it repeats.
  const replay = change.replay ? `|replay:${[...(change.replay.connectors ?? ['*'])].sort().join(',')}` : '';
  const name = `${change.site.host}|${kind}|${id}|${change.version}${replay}`;
  return `c-${createHash('sha256').update(name).digest('hex').slice(0, 32)}`;
}
