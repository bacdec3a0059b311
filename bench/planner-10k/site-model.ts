/** A change whose webhook was lost, waiting for a poll (or a later webhook of its issue). */
interface LostChange {
  readonly issue: number;
  /** When it happened (virtual epoch ms). */
  readonly at: number;
  /** The version Jira gave it (its `updated`); the simulator's may be rounded to the simulation's slice. */
  readonly version: number;
}

/** How long a lost change stayed unpublished, and what published it. */
export interface Recovery {
  readonly lostAt: number;
  readonly afterMs: number;
  /** `poll`: a poll found it; `webhook`: a later change of the issue was delivered first. */
  readonly by: 'poll' | 'webhook';
}

/** What one poll of the site reads, as the real incremental poll would. */
export interface PollFinding {
  /** Issues the search returned (updated since the cursor minus the overlap). */
  readonly issues: number;
  /** The search's points: one per request, one per issue (the poll reports these plus the two below). */
  readonly points: number;
  /** Points of the comment lists it fetched besides (issues past 20 comments it took for changed). */
  readonly commentPoints: number;
  /** Issues whose newest version no poll had seen yet, with that version: the poll's coverage sightings. */
  readonly sightings: ReadonlyArray<{ readonly issue: number; readonly version: number }>;
  readonly recovered: readonly Recovery[];
}

export interface PollShape {
  /** SYNC_POLL_OVERLAP_MS. */
  readonly overlapMs: number;
  /** JIRA_SEARCH_PAGE_SIZE. */
  readonly pageSize: number;
}

/** Points of reading an issue's whole comment list, which a poll does past the 20 a search embeds. */
export function commentListPoints(comments: number, pageSize = 100): number {
  if (comments <= 20) return 0;
  return Math.ceil(comments / Math.min(pageSize, comments + 5)) + comments;
}

/**
 * One site as the simulation tracks it, in memory: each issue's newest version, the poll cursor,
 * and the changes whose webhooks were lost. Versions are the change's time, as Jira's `updated`.
 * The poll model is the real poll's arithmetic (src/sync/incremental-poll.ts, page-sync.ts): it
 * reads every issue updated since `cursor - overlap`, costs one point per request plus one per
 * issue, and moves the cursor to the newest issue it read, never past its own start. An issue
 * whose version the polls have not read yet counts as changed, so its comment list is fetched when
 * it has more than 20 comments; once read (whether the poll or a webhook published the version),
 * the version is known to the polls and the next poll that reads it again skips its comments. The
 * cursor stays on the last change while nothing newer comes, so an idle poll re-reads that issue.
 */
export class SiteModel {
  readonly #updated: Float64Array;
  readonly #polled: Float64Array;
  readonly #delivered: Float64Array;
  readonly #published: Float64Array;
  readonly #commentPoints: readonly number[];
  #lost: LostChange[] = [];
  #cursor: number;
  #listedAt = Number.NEGATIVE_INFINITY;

  /** `commentPoints[i]`: what reading issue i's comment list costs (0 when the search embeds them all). */
  constructor(issues: number, cursor: number, commentPoints: readonly number[] = []) {
    const never = () => new Float64Array(issues).fill(Number.NEGATIVE_INFINITY);
    this.#updated = never();
    this.#polled = never();
    this.#delivered = never();
    this.#published = never();
    this.#commentPoints = commentPoints;
    this.#cursor = cursor;
  }

  /** Lost changes not published yet. */
  get lost(): readonly LostChange[] {
    return this.#lost;
  }

  /** An issue changed; a delivered webhook publishes every earlier lost version of that issue. */
  change(issue: number, at: number, delivered: boolean, version = at): Recovery[] {
    this.#updated[issue] = at;
    if (!delivered) {
      this.#lost.push({ issue, at, version });
      return [];
    }
    this.#delivered[issue] = at;
    const superseded = this.#lost.filter((l) => l.issue === issue);
    if (superseded.length === 0) return [];
    this.#lost = this.#lost.filter((l) => l.issue !== issue);
    return superseded.map((l) => ({ lostAt: l.at, afterMs: at - l.at, by: 'webhook' as const }));
  }

  /** A poll starting at `at`: what it reads and publishes; the cursor moves as the real one does. */
  poll(at: number, shape: PollShape): PollFinding {
    const from = this.#cursor - shape.overlapMs;
    let issues = 0;
    let commentPoints = 0;
    let newest = Number.NEGATIVE_INFINITY;
    const sightings: Array<{ issue: number; version: number }> = [];
    for (let i = 0; i < this.#updated.length; i++) {
      const version = this.#updated[i] as number;
      if (version < from || version > at) continue;
      issues++;
      newest = Math.max(newest, version);
      if (version !== this.#published[i]) commentPoints += this.#commentPoints[i] ?? 0;
      this.#published[i] = version;
      if (version > (this.#polled[i] as number)) {
        sightings.push({ issue: i, version });
        this.#polled[i] = version;
      }
    }
    if (issues > 0) this.#cursor = Math.max(this.#cursor, Math.min(newest, at));
    const found = this.#lost.filter((l) => l.at <= at);
    this.#lost = this.#lost.filter((l) => l.at > at);
    return {
      issues,
      points: Math.max(1, Math.ceil(issues / shape.pageSize)) + issues,
      commentPoints,
      sightings,
      recovered: found.map((l) => ({ lostAt: l.at, afterMs: at - l.at, by: 'poll' as const })),
    };
  }

  /**
   * A real poll published version `version` of the issue: its lost versions up to that one are
   * recovered, at `at` (the poll's start). The real sites' ledger; modelled sites use `poll`.
   */
  publishedByPoll(issue: number, version: number, at: number): Recovery[] {
    const found = this.#lost.filter((l) => l.issue === issue && l.version <= version);
    if (found.length === 0) return [];
    this.#lost = this.#lost.filter((l) => !found.includes(l));
    return found.map((l) => ({ lostAt: l.at, afterMs: at - l.at, by: 'poll' as const }));
  }

  /** The project list was last read at `at` (a site polled before the simulation began). */
  projectsListedAt(at: number): void {
    this.#listedAt = at;
  }

  /**
   * Whether a poll at `at` lists the site's projects first: the list is cached for `cacheMs`
   * (SYNC_PROJECTS_CACHE_SECONDS); the poll counts the listing in its points.
   */
  listsProjects(at: number, cacheMs: number): boolean {
    if (at - this.#listedAt < cacheMs) return false;
    this.#listedAt = at;
    return true;
  }
}
