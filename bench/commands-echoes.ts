import { byIssue, type Change, changeOf, emits, matches, newerSoon } from './commands-echo-changes.ts';
import { type ConnectorName, type SentCommand, sources } from './commands-mix.ts';
import type { ReadEvent, ReadResult } from './commands-reader.ts';

/** Where one change a command caused went on a connector topic that should show it. */
export interface Delivery {
  /** Shown, with `ce_origin` = the command's `ce_source`. */
  withOrigin: number;
  /** Shown, with no or another `ce_origin`. */
  otherOrigin: number;
  /** Not shown, but a version of the issue up to 10 s later was (the pipeline publishes the newest). */
  superseded: number;
  /** Not shown, though the connector emits for such a change. */
  missing: number;
  /** Not shown, and the connector emits nothing for such a change (an edit to monitoring). */
  notEmitted: number;
}

export interface SenderEchoes {
  /** Applied commands of this sender whose write made a change: one echo each. */
  expected: number;
  /** Changes the relay should recognise as this sender's echoes: one per command, two per comment. */
  expectedChanges: number;
  /** `jira_relay_echoes_suppressed_total{connector}` over the run. */
  relaySuppressed: number;
  /** Commands whose change appeared on the sender's own topic anyway. */
  leaked: number;
  /** Comment commands whose issue side effect (the issue's new `updated`) appeared on the sender's topic. */
  leakedSideEffects: number;
  /** The `ce_origin` the leaked events carried (`none` when they had none), leaks and side effects together. */
  leakOrigins: Record<string, number>;
  /**
   * Comment side effects: all, and those gone wrong (leaked to the sender, on the other topic with
   * another origin, or missing there); each with how many followed another system's comment on the
   * issue by less than 5 s.
   */
  sideEffects: { all: number; allNear: number; wrong: number; wrongNear: number };
  /** The command's change on the other connector's topic. */
  toOther: Delivery;
  /** A comment's issue side effect on the other connector's topic. */
  sideEffectToOther: Delivery;
}

export interface EchoAccount {
  readonly bySender: Record<ConnectorName, SenderEchoes>;
  /** Jira-shaped commands naming no connector: no echo; both topics should show them with `ce_origin`. */
  readonly connectorless: { commands: number; crm: Delivery; monitoring: Delivery };
  /** Events read during the load without `ce_origin` (every change in this run is a command's). */
  readonly eventsWithoutOrigin: Record<ConnectorName, number>;
  /** Events carrying the `ce_origin` of the topic's own system: a recognised echo published anyway. */
  readonly ownOriginEvents: Record<ConnectorName, number>;
  /** Leaked changes and side effects by the phase their command was sent in. */
  readonly leaksByPhase: Record<string, number>;
  /** A few leaked or missing changes, for the report. */
  readonly samples: string[];
}

const delivery = (): Delivery => ({
  withOrigin: 0,
  otherOrigin: 0,
  superseded: 0,
  missing: 0,
  notEmitted: 0,
});
const sender = (): SenderEchoes => ({
  expected: 0,
  expectedChanges: 0,
  relaySuppressed: 0,
  leaked: 0,
  leakedSideEffects: 0,
  leakOrigins: {},
  sideEffects: { all: 0, allNear: 0, wrong: 0, wrongNear: 0 },
  toOther: delivery(),
  sideEffectToOther: delivery(),
});
function countOrigin(into: Record<string, number>, events: readonly ReadEvent[]): void {
  const origin = events[0]?.origin ?? 'none';
  into[origin] = (into[origin] ?? 0) + 1;
}

/**
 * The echo accounting (see the report for the rule): for every applied command, the change its
 * write made (a comment by id, an edit or transition by issue and resulting version, a create by its
 * new issue), looked for on both connector topics, and for comments the issue side effect too.
 */
export function accountEchoes(
  commands: readonly SentCommand[],
  results: ReadonlyMap<string, ReadResult>,
  events: readonly ReadEvent[],
  suppressed: Readonly<Record<string, number>>,
): EchoAccount {
  const on = {
    crm: events.filter((e) => e.connector === 'crm'),
    monitoring: events.filter((e) => e.connector === 'monitoring'),
  };
  const index = { crm: byIssue(on.crm), monitoring: byIssue(on.monitoring), both: byIssue(events) };
  const account: EchoAccount = {
    bySender: { crm: sender(), monitoring: sender() },
    connectorless: { commands: 0, crm: delivery(), monitoring: delivery() },
    eventsWithoutOrigin: {
      crm: on.crm.filter((e) => !e.origin).length,
      monitoring: on.monitoring.filter((e) => !e.origin).length,
    },
    ownOriginEvents: {
      crm: on.crm.filter((e) => e.origin === sources.crm).length,
      monitoring: on.monitoring.filter((e) => e.origin === sources.monitoring).length,
    },
    leaksByPhase: {},
    samples: [],
  };
  const leakIn = (phase: string) => {
    account.leaksByPhase[phase] = (account.leaksByPhase[phase] ?? 0) + 1;
  };
  const noted = new Map<string, number>();
  const note = (kind: string, line: string) => {
    noted.set(kind, (noted.get(kind) ?? 0) + 1);
    if ((noted.get(kind) ?? 0) <= 3) account.samples.push(line);
  };
  const deliver = (
    into: Delivery,
    to: ConnectorName,
    c: SentCommand,
    change: Change,
    sideEffect: boolean,
  ): boolean => {
    const shown = matches(index[to], change);
    if (shown.some((e) => e.origin === c.source)) into.withOrigin++;
    else if (shown.length > 0) {
      into.otherOrigin++;
      note(
        `other ${sideEffect}`,
        `${c.type} ${c.id}: on ${to} with ce_origin ${shown[0]?.origin ?? '(none)'}${sideEffect ? ' (side effect)' : ''}`,
      );
      return false;
    } else if (!emits(to, c, sideEffect)) into.notEmitted++;
    else if (
      change.kind === 'issue' &&
      (index[to].get(change.issue) ?? []).some((e) => newerSoon(e.time, change.time))
    )
      into.superseded++;
    else {
      into.missing++;
      note(
        `missing ${sideEffect}`,
        `${c.type} ${c.id}: missing on ${to}${sideEffect ? ' (side effect)' : ''}`,
      );
      return false;
    }
    return true;
  };
  // A comment's issue side effect has the comment's version: any event of the comment tells it.
  const changes = commands.map((c) => {
    const r = results.get(c.id);
    const change = r ? changeOf(c, r) : null;
    const version = change?.kind === 'comment' ? matches(index.both, change)[0]?.time : undefined;
    return { c, change, version };
  });
  const comments = new Map<string, { id: string; source: string; at: number }[]>();
  for (const { c, change, version } of changes) {
    if (change?.kind !== 'comment' || version === undefined) continue;
    const list = comments.get(change.issue) ?? [];
    list.push({ id: c.id, source: c.source, at: Date.parse(version) });
    comments.set(change.issue, list);
  }
  /** Another system's comment on the issue less than 5 s before this version (the relay's side-effect window). */
  const afterOtherComment = (c: SentCommand, issue: string, version: string) =>
    (comments.get(issue) ?? []).some(
      (o) => o.source !== c.source && o.at < Date.parse(version) && o.at >= Date.parse(version) - 5000,
    );
  for (const { c, change, version } of changes) {
    if (change === null) continue;
    const side: Change | null =
      version === undefined ? null : { kind: 'issue', issue: change.issue, time: version };
    if (c.connector === null) {
      account.connectorless.commands++;
      for (const to of ['crm', 'monitoring'] as const)
        deliver(account.connectorless[to], to, c, change, false);
      continue;
    }
    const mine = account.bySender[c.connector];
    const other: ConnectorName = c.connector === 'crm' ? 'monitoring' : 'crm';
    mine.expected++;
    mine.expectedChanges += change.kind === 'comment' ? 2 : 1;
    const leaked = matches(index[c.connector], change);
    if (leaked.length > 0) {
      mine.leaked++;
      leakIn(c.phase);
      countOrigin(mine.leakOrigins, leaked);
      note(
        'leak',
        `${c.type} ${c.id}: its change went to ${c.connector} with ce_origin ${leaked[0]?.origin ?? '(none)'}`,
      );
    }
    deliver(mine.toOther, other, c, change, false);
    if (side === null) continue;
    const leakedSide = matches(index[c.connector], side);
    if (leakedSide.length > 0) {
      mine.leakedSideEffects++;
      leakIn(c.phase);
      countOrigin(mine.leakOrigins, leakedSide);
      note(
        'side leak',
        `${c.type} ${c.id}: its issue side effect went to ${c.connector} with ce_origin ${leakedSide[0]?.origin ?? '(none)'}`,
      );
    }
    const fine = deliver(mine.sideEffectToOther, other, c, side, true) && leakedSide.length === 0;
    const near = afterOtherComment(c, side.issue, side.time);
    mine.sideEffects.all++;
    if (near) mine.sideEffects.allNear++;
    if (!fine) mine.sideEffects.wrong++;
    if (!fine && near) mine.sideEffects.wrongNear++;
  }
  for (const name of ['crm', 'monitoring'] as const)
    account.bySender[name].relaySuppressed = suppressed[name] ?? 0;
  return account;
}
