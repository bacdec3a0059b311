import type { ModelChange, Version } from './model.ts';

interface Applied {
  readonly version: Version;
  readonly deleted: boolean;
}

export type Verdict = { readonly newer: true } | { readonly newer: false; readonly reason: string };

/**
 * The version applied last, per issue (message key) and entity: the ticket, each note by comment
 * id, the incident, each annotation by comment id. The relay never publishes an older version of an
 * issue after a newer one, but delivery is at least once, so a repeat or a copy of an older event can
 * still arrive: only a newer version is applied. Deletions win and stick: Jira never brings a
 * deleted issue or comment back, and a deleted ticket takes its notes with it.
 *
 * This book grows by one entry per entity, like the model it guards; a real consumer stores it next
 * to its model (same transaction), and may forget a tombstone after a week, far longer than any
 * redelivery takes.
 */
export class VersionBook {
  readonly #applied = new Map<string, Applied>();

  check(change: ModelChange): Verdict {
    if (change.kind === 'note-upserted' || change.kind === 'note-deleted') {
      if (this.#applied.get(slot(change.key, 'ticket'))?.deleted) {
        return { newer: false, reason: 'its ticket was deleted' };
      }
    }
    const applied = this.#applied.get(slotOf(change));
    if (applied === undefined) return { newer: true };
    if (applied.deleted) return { newer: false, reason: 'deleted before' };
    if (isDeletion(change) || compare(change.version, applied.version) > 0) return { newer: true };
    return { newer: false, reason: `version ${describe(change.version)} <= ${describe(applied.version)}` };
  }

  record(change: ModelChange): void {
    this.#applied.set(slotOf(change), { version: change.version, deleted: isDeletion(change) });
  }
}

/** Time first; within one change (same time) an incident goes trigger, acknowledge, resolve. */
function compare(a: Version, b: Version): number {
  return a.time - b.time || a.rank - b.rank;
}

function isDeletion(change: ModelChange): boolean {
  return change.kind === 'ticket-deleted' || change.kind === 'note-deleted';
}

function slotOf(change: ModelChange): string {
  switch (change.kind) {
    case 'ticket-upserted':
    case 'ticket-deleted':
      return slot(change.key, 'ticket');
    case 'note-upserted':
      return slot(change.key, `note:${change.note.id}`);
    case 'note-deleted':
      return slot(change.key, `note:${change.noteId}`);
    case 'incident':
      return slot(change.key, 'incident');
    case 'annotation':
      return slot(change.key, `annotation:${change.commentId}`);
  }
}

function slot(key: string, entity: string): string {
  return `${key}|${entity}`;
}

function describe(v: Version): string {
  return `${new Date(v.time).toISOString()}${v.rank === 0 ? '' : `#${v.rank}`}`;
}
