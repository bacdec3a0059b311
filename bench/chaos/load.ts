import type { Simulator } from '../../test/sim/index.ts';
import type { IssueState, LoadModel, SiteInfo } from './load-model.ts';
import { sleep } from './processes.ts';

const statuses = ['To Do', 'In Progress', 'In Review', 'Done'];
const priorities = ['Highest', 'High', 'Medium', 'Low', 'Lowest'];
const issueTypes = ['Task', 'Bug', 'Incident'];

type Op = (site: SiteInfo) => void;

/**
 * Jira activity through the simulator's handle, as people would make it: issues created, edited,
 * transitioned and deleted (often with comments), comments created, edited and deleted, and
 * short-lived issues and comments created and deleted within about a second, between two polls.
 * Every call is one change; the model records what each touched.
 */
export class Load {
  readonly #sim: Simulator;
  readonly #model: LoadModel;
  readonly #sites: readonly SiteInfo[];
  readonly #pending = new Set<Promise<void>>();
  readonly failures: string[] = [];
  #serial = 0;
  #endsAt = 0;

  constructor(sim: Simulator, model: LoadModel, sites: readonly SiteInfo[]) {
    this.#sim = sim;
    this.#model = model;
    this.#sites = sites;
  }

  /** Weighted ops; flashes make 3 and 2 changes, which the tick interval accounts for. */
  #ops(): Array<[number, number, Op]> {
    return [
      [16, 1, (s) => void this.#create(s)],
      [20, 1, (s) => this.#edit(s)],
      [14, 1, (s) => this.#transition(s)],
      [16, 1, (s) => this.#comment(s)],
      [9, 1, (s) => this.#editComment(s)],
      [6, 1, (s) => this.#deleteComment(s)],
      [6, 1, (s) => this.#deleteIssue(s)],
      [5, 3, (s) => this.#flashIssue(s)],
      [5, 2, (s) => this.#flashComment(s)],
    ];
  }

  /** Runs for `seconds`, aiming at about `changes` changes; resolves when the last one is made. */
  async run(seconds: number, changes: number): Promise<void> {
    const ops = this.#ops();
    const total = ops.reduce((s, [w]) => s + w, 0);
    const perTick = ops.reduce((s, [w, n]) => s + (w / total) * n, 0);
    const tickMs = (seconds * 1000 * perTick) / Math.max(1, changes);
    const startedAt = Date.now();
    this.#endsAt = startedAt + seconds * 1000;
    for (let tick = 0; Date.now() < this.#endsAt; tick++) {
      this.#tick(ops, total);
      await sleep(Math.max(0, startedAt + (tick + 1) * tickMs - Date.now()));
    }
    await Promise.all(this.#pending);
  }

  #tick(ops: Array<[number, number, Op]>, total: number): void {
    const site = this.#model.pick(this.#sites);
    const r = this.#model.random() * total;
    let below = 0;
    const op =
      ops.find(([w]) => {
        below += w;
        return r < below;
      }) ?? ops[0];
    if (!site || !op) return;
    try {
      op[2](site);
    } catch (err) {
      this.failures.push((err as Error).message);
    }
  }

  #siteIssue(site: SiteInfo, filter: (i: IssueState) => boolean = () => true): IssueState | undefined {
    return this.#model.pickIssue((i) => i.site === site && filter(i));
  }

  #create(site: SiteInfo): IssueState {
    const m = this.#model;
    const n = ++this.#serial;
    const priority = m.pick(priorities) ?? 'Medium';
    const created = this.#sim.createIssue(site.cloudId, {
      fields: {
        project: { key: m.pick(site.projects) },
        issuetype: { name: m.pick(issueTypes) },
        summary: `Chaos issue ${n}`,
        description: `Created by the fault harness (${n}).`,
        priority: { name: priority },
      },
    });
    const issue = { site, ...created, status: 'To Do', priority, comments: [], deletable: true };
    m.live.push(issue);
    m.touchIssue(issue);
    m.count('issue created');
    return issue;
  }

  #edit(site: SiteInfo): void {
    const issue = this.#siteIssue(site);
    if (!issue) return;
    const n = ++this.#serial;
    const fields: Record<string, unknown>[] = [
      { summary: `Chaos issue edited ${n}` },
      { description: `Edited by the fault harness (${n}).` },
      { labels: [`chaos-${n}`] },
      { priority: { name: this.#model.pick(priorities.filter((p) => p !== issue.priority)) } },
    ];
    const edit = this.#model.pick(fields) ?? {};
    this.#sim.updateIssue(site.cloudId, issue.id, { fields: edit });
    const priority = edit.priority as { name: string } | undefined;
    if (priority) issue.priority = priority.name;
    this.#model.touchIssue(issue);
    this.#model.count('issue edited');
  }

  #transition(site: SiteInfo): void {
    const issue = this.#siteIssue(site);
    const to = this.#model.pick(statuses.filter((s) => s !== issue?.status));
    if (!issue || !to) return;
    this.#sim.transition(site.cloudId, issue.id, to);
    issue.status = to;
    this.#model.touchIssue(issue);
    this.#model.count('issue transitioned');
  }

  #comment(site: SiteInfo, on?: IssueState): string | undefined {
    const issue = on ?? this.#siteIssue(site);
    if (!issue || !this.#model.live.includes(issue)) return undefined;
    const { id } = this.#sim.addComment(site.cloudId, issue.id, `Chaos comment ${++this.#serial}`);
    issue.comments.push(id);
    this.#model.touchIssue(issue);
    this.#model.touchComment(issue, id);
    this.#model.count('comment created');
    return id;
  }

  #editComment(site: SiteInfo): void {
    const issue = this.#siteIssue(site, (i) => i.comments.length > 0);
    const id = this.#model.pick(issue?.comments ?? []);
    if (!issue || !id) return;
    this.#sim.updateComment(site.cloudId, issue.id, id, `Chaos comment edited ${++this.#serial}`);
    this.#model.touchIssue(issue);
    this.#model.touchComment(issue, id);
    this.#model.count('comment edited');
  }

  #deleteComment(site: SiteInfo, on?: IssueState, commentId?: string): void {
    const issue = on ?? this.#siteIssue(site, (i) => i.comments.length > 0);
    const id = commentId ?? this.#model.pick(issue?.comments ?? []);
    if (!issue || !id || !issue.comments.includes(id) || !this.#model.live.includes(issue)) return;
    this.#sim.deleteComment(site.cloudId, issue.id, id);
    issue.comments.splice(issue.comments.indexOf(id), 1);
    this.#model.touchIssue(issue);
    this.#model.touchComment(issue, id);
    this.#model.count('comment deleted');
  }

  /** Mostly issues with comments: their comment deletions are implied, not announced one by one. */
  #deleteIssue(site: SiteInfo, on?: IssueState): void {
    const withComments = this.#model.random() < 0.7;
    const issue = on ?? this.#siteIssue(site, (i) => i.deletable && (!withComments || i.comments.length > 0));
    if (!issue || !this.#model.live.includes(issue)) return;
    this.#sim.deleteIssue(site.cloudId, issue.id);
    this.#model.forget(issue);
    this.#model.touchIssue(issue);
    for (const id of issue.comments) this.#model.touchComment(issue, id);
    this.#model.count(issue.comments.length > 0 ? 'issue deleted with comments' : 'issue deleted');
  }

  /** An issue created, commented on and deleted within about 1.5 s: between two polls. */
  #flashIssue(site: SiteInfo): void {
    if (this.#endsAt - Date.now() < 3000) return;
    const issue = this.#create(site);
    this.#later(500, () => void this.#comment(site, issue));
    this.#later(1500, () => this.#deleteIssue(site, issue));
  }

  /** A comment created and deleted within about a second. */
  #flashComment(site: SiteInfo): void {
    if (this.#endsAt - Date.now() < 3000) return;
    const issue = this.#siteIssue(site);
    const id = issue && this.#comment(site, issue);
    if (issue && id) this.#later(800, () => this.#deleteComment(site, issue, id));
  }

  #later(ms: number, fn: () => void): void {
    const p = sleep(ms).then(() => {
      try {
        fn();
      } catch (err) {
        this.failures.push((err as Error).message);
      }
    });
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }
}
