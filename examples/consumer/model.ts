/**
 * What the example consumer keeps: tickets with their notes (from the CRM topic) and incidents with
 * their state and annotations (from the monitoring topic), keyed like the messages:
 * `{siteHost}:{issueId}`. A `ModelChange` is one decoded event; a `ModelSink` applies it.
 */

/** An entity's version: `ce_time` in epoch ms, then the order of incident actions within one change. */
export interface Version {
  readonly time: number;
  readonly rank: number;
}

interface Ticket {
  readonly id: string;
  readonly key: string;
  readonly title: string;
  readonly status: string;
  readonly jiraStatus: string;
  readonly priority: string | null;
  readonly updated: string;
}

interface Note {
  readonly id: string;
  readonly text: string;
  readonly public: boolean;
  readonly updated: string;
}

export type IncidentState = 'triggered' | 'acknowledged' | 'resolved';

interface ChangeBase {
  /** The event's `ce_id`. */
  readonly id: string;
  /** The message key, `{siteHost}:{issueId}`. */
  readonly key: string;
  /** `ce_subject`: the issue key when the event was published. */
  readonly subject: string;
  readonly version: Version;
}

export type ModelChange = ChangeBase &
  (
    | { readonly kind: 'ticket-upserted'; readonly ticket: Ticket }
    | { readonly kind: 'ticket-deleted' }
    | { readonly kind: 'note-upserted'; readonly note: Note }
    | { readonly kind: 'note-deleted'; readonly noteId: string }
    | {
        readonly kind: 'incident';
        readonly state: IncidentState;
        /** Only triggers carry these (PagerDuty's acknowledge and resolve name just the dedup key). */
        readonly severity: string | null;
        readonly summary: string | null;
      }
    | { readonly kind: 'annotation'; readonly commentId: string; readonly text: string }
  );

/**
 * Where changes go. `apply` runs before the version and the `ce_id` are recorded and before the
 * offset is committed: when it throws, the message is delivered again and nothing was marked done.
 */
export interface ModelSink {
  apply(change: ModelChange): void | Promise<void>;
}

export interface TicketEntry {
  /** Null while only notes of the issue were seen (a consumer that joined late). */
  ticket: Ticket | null;
  readonly notes: Map<string, Note>;
}

export interface Incident {
  state: IncidentState;
  severity: string | null;
  summary: string | null;
  issueKey: string;
  /** Comment id to text; a deleted comment leaves its annotation in place, as on a pager. */
  readonly annotations: Map<string, string>;
}

/** The model in memory: a real consumer would write to its own store here. */
export class InMemoryModel implements ModelSink {
  readonly tickets = new Map<string, TicketEntry>();
  readonly incidents = new Map<string, Incident>();

  apply(change: ModelChange): void {
    switch (change.kind) {
      case 'ticket-upserted':
        this.#entry(change.key).ticket = change.ticket;
        return;
      case 'ticket-deleted':
        this.tickets.delete(change.key);
        return;
      case 'note-upserted':
        this.#entry(change.key).notes.set(change.note.id, change.note);
        return;
      case 'note-deleted':
        this.tickets.get(change.key)?.notes.delete(change.noteId);
        return;
      case 'incident': {
        const incident = this.#incident(change.key, change.subject);
        incident.state = change.state;
        incident.issueKey = change.subject;
        if (change.severity !== null) incident.severity = change.severity;
        if (change.summary !== null) incident.summary = change.summary;
        return;
      }
      case 'annotation':
        this.#incident(change.key, change.subject).annotations.set(change.commentId, change.text);
        return;
    }
  }

  /** A plain-JSON copy, for printing and for comparing two moments. */
  snapshot(): { tickets: Record<string, unknown>; incidents: Record<string, unknown> } {
    const plain = <V>(map: Map<string, V>) =>
      Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)));
    const tickets = [...this.tickets].map(([key, e]) => [key, { ...e, notes: plain(e.notes) }] as const);
    const incidents = [...this.incidents].map(
      ([key, i]) => [key, { ...i, annotations: plain(i.annotations) }] as const,
    );
    return { tickets: plain(new Map(tickets)), incidents: plain(new Map(incidents)) };
  }

  #entry(key: string): TicketEntry {
    let entry = this.tickets.get(key);
    if (!entry) {
      entry = { ticket: null, notes: new Map() };
      this.tickets.set(key, entry);
    }
    return entry;
  }

  #incident(key: string, issueKey: string): Incident {
    let incident = this.incidents.get(key);
    if (!incident) {
      incident = { state: 'triggered', severity: null, summary: null, issueKey, annotations: new Map() };
      this.incidents.set(key, incident);
    }
    return incident;
  }
}

/** One line per change, for a terminal. */
export function changeLine(change: ModelChange): string {
  const at = `${change.subject} (${change.key})`;
  switch (change.kind) {
    case 'ticket-upserted': {
      const { title, status, priority } = change.ticket;
      return `ticket   ${at} ${JSON.stringify(title)} status=${status} priority=${priority ?? '-'}`;
    }
    case 'ticket-deleted':
      return `ticket   ${at} deleted`;
    case 'note-upserted':
      return `note     ${at} #${change.note.id} ${JSON.stringify(change.note.text)}`;
    case 'note-deleted':
      return `note     ${at} #${change.noteId} deleted`;
    case 'incident':
      return `incident ${at} ${change.state}${change.severity === null ? '' : ` severity=${change.severity}`}`;
    case 'annotation':
      return `incident ${at} annotated #${change.commentId} ${JSON.stringify(change.text)}`;
  }
}
