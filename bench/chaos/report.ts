import type { DeliveryWatch, WebhookStats } from './deliveries.ts';
import { entityKey, type RelayEventSeen } from './events.ts';
import type { Expectation, Expected } from './expected.ts';
import type { Figures } from './verify.ts';

export interface RunResult {
  readonly changes: ReadonlyMap<string, number>;
  readonly changeCount: number;
  readonly figures: Figures;
  readonly webhooks: WebhookStats;
  /** Seconds from the end of the load until the last expected state was on Kafka; null: never. */
  readonly recoverySeconds: number | null;
  readonly loadStartedAt: number;
  readonly expectations: readonly Expectation[];
}

const iso = (ms: number) => new Date(ms).toISOString();

function describeExpected(e: Expected): string {
  if (e.kind === 'deleted') return 'deleted';
  if (e.kind === 'version') return `version ${iso(e.version)}`;
  return `incident ${e.state}${e.severity ? ` (${e.severity})` : ''}`;
}

function describeEvent(e: RelayEventSeen | undefined): string {
  if (!e) return 'nothing';
  const extra = e.severity ? ` ${e.severity}` : '';
  return `${e.type}${extra} ${iso(e.version)} (${e.message.topic}/${e.message.partition}@${e.message.offset})`;
}

function entityName(x: Expectation): string {
  const what = x.entity === 'issue' ? `issue ${x.id} (${x.issueKey})` : `comment ${x.id} on ${x.issueKey}`;
  return `${x.connector.padEnd(10)} ${x.host} ${what}`;
}

export interface LostContext {
  readonly watch: DeliveryWatch;
  readonly cloudIdOf: (host: string) => string;
  /** The load's start (epoch ms): times are shown as t=+seconds from it, as in the timeline. */
  readonly loadStartedAt: number;
  readonly expectations: readonly Expectation[];
}

/** For a comment whose issue was deleted: whether that deletion reached Kafka. */
function issueNote(figures: Figures, x: Expectation, ctx: LostContext): string {
  if (x.entity !== 'comment') return '';
  const issue = ctx.expectations.find(
    (e) => e.connector === 'crm' && e.entity === 'issue' && e.host === x.host && e.id === x.issueId,
  );
  if (issue?.expected.kind !== 'deleted') return '';
  const lostToo = figures.lost.some((l) => l.expectation === issue);
  return lostToo
    ? ' [issue deleted; its deletion is lost too]'
    : ' [issue deleted; its deletion is on Kafka]';
}

/** Where a monitoring state went missing, the CRM side shows which versions the relay published. */
function crmHistory(figures: Figures, x: Expectation, t: (ms: number) => string): string {
  const events = figures.byEntity.get(entityKey({ ...x, connector: 'crm' })) ?? [];
  const steps = events.slice(-6).map((e) => {
    const status = typeof e.message.data.status === 'string' ? e.message.data.status : '';
    const priority = typeof e.message.data.priority === 'string' ? `/${e.message.data.priority}` : '';
    const what = e.deletion ? 'deleted' : `${status}${priority}`;
    return `${what} version ${t(e.version)} on Kafka ${t(e.message.timestamp)}`;
  });
  return `\n      crm ticket events: ${steps.length > 0 ? steps.join(', ') : 'none'}`;
}

/** The lost states, one a line, with the webhooks that were about the entity. */
export function lostLines(figures: Figures, ctx: LostContext): string[] {
  // Times within the run as t=+s from the load's start; older ones (seeded data) as dates.
  const t = (ms: number) =>
    ms < ctx.loadStartedAt - 3_600_000 ? iso(ms) : `t=${((ms - ctx.loadStartedAt) / 1000).toFixed(1)}s`;
  return figures.lost.map(({ expectation: x, last }) => {
    const hooks = ctx.watch.historyOf(ctx.cloudIdOf(x.host), x.entity, x.id);
    const crm = x.expected.kind === 'incident' ? crmHistory(figures, x, t) : '';
    return (
      `  ${entityName(x)}${issueNote(figures, x, ctx)}: expected ${describeExpected(x.expected)} ` +
      `(last change ${t(x.lastChangeAt)}); ` +
      `last on Kafka: ${describeEvent(last)}\n      webhooks: ${hooks}${crm}`
    );
  });
}

export function orderViolationLines(figures: Figures, max = 20): string[] {
  const lines = figures.orderViolations
    .slice(0, max)
    .map(
      (v) =>
        `  ${v.event.connector} ${v.event.host} ${v.event.entity} ${v.event.id}: ${describeEvent(v.event)} after ${iso(v.newer)}`,
    );
  if (figures.orderViolations.length > max) lines.push(`  ... ${figures.orderViolations.length - max} more`);
  return lines;
}

export function changeLine(changes: ReadonlyMap<string, number>): string {
  return [...changes]
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
}

export function webhookLine(w: WebhookStats): string {
  return (
    `${w.deliveries} deliveries (${w.dropped} dropped, ${w.duplicated} duplicates), ${w.attempts} attempts, ` +
    `${w.answered5xx} answered 5xx, ${w.noAnswer} unanswered, ${w.failed} gave up, ${w.pending} still retrying`
  );
}

/** The one line of figures, last thing the harness prints. */
export function summaryLine(r: RunResult): string {
  const f = r.figures;
  const undroppable = f.sameVersionIds + f.orderViolations.length;
  return [
    'chaos:',
    `changes=${r.changeCount}`,
    `expected=${f.expected}`,
    `found=${f.found}`,
    `lost=${f.lost.length}`,
    `repeats=${f.repeats}`,
    `undroppable=${undroppable}`,
    `order_violations=${f.orderViolations.length}`,
    `deleted_twice=${f.deletedTwice}`,
    `dlq=${f.deadLetters}`,
    `webhook_5xx=${r.webhooks.answered5xx}`,
    `webhooks_failed=${r.webhooks.failed}`,
    `recovery_s=${r.recoverySeconds === null ? '-' : r.recoverySeconds.toFixed(1)}`,
  ].join(' ');
}

export function passed(r: RunResult): boolean {
  return r.figures.lost.length === 0 && r.figures.sameVersionIds + r.figures.orderViolations.length === 0;
}
