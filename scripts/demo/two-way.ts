import { richTextToText } from '../../src/atlassian/text/rich-text.ts';
import type { Simulator } from '../../test/sim/index.ts';
import { jiraRequest, type LooseJson, obtainTokens } from '../../test/sim/test-client.ts';
import type { CommandSender } from './command-sender.ts';
import { eventLine } from './event-line.ts';
import type { EventLog, ReadEvent } from './event-log.ts';

/** The topics the two-way part sends on and watches. */
interface TwoWayTopics {
  readonly commands: string;
  readonly results: string;
  readonly crm: string;
  readonly monitoring: string;
}

export interface TwoWayDeps {
  readonly sim: Simulator;
  readonly events: EventLog;
  readonly sender: CommandSender;
  readonly topics: TwoWayTopics;
  /** The relay's base URL and ADMIN_TOKEN: the admin API lists the commands at the end. */
  readonly relayUrl: string;
  readonly adminToken: string;
}

/** How long a result or another connector's event may take before the demo says it did not come. */
const waitMs = 30_000;
/** How long the sender's own topic is watched for an echo once the other connector had its event. */
const echoWindowMs = 5_000;

const crmSource = 'urn:demo:crm';
const pagerSource = 'urn:demo:pager';

type Issue = { readonly id: string; readonly key: string };

/** An event about this issue of this site: issue keys repeat across sites, `ce_source` names the site. */
function isAbout(event: ReadEvent, topic: string, siteHost: string, issue: Issue): boolean {
  return (
    event.topic === topic &&
    event.headers.ce_source === `https://${siteHost}` &&
    event.headers.ce_subject === issue.key
  );
}
type Jira = (path: string) => Promise<LooseJson>;

/**
 * Two-way sync, shown: a CRM adds a note and a pager acknowledges an incident by sending commands on
 * Kafka. For each, the result event, the change read back from Jira, the event the other connector
 * received (with `ce_origin`), and the absence of an echo on the sender's own topic.
 */
export async function showTwoWaySync(deps: TwoWayDeps): Promise<void> {
  const site = deps.sim.sites[0];
  if (!site) return;
  const jira = await jiraReader(deps.sim, site.cloudId);
  const { events, topics } = deps;
  console.log(`\n--- two-way sync: commands on ${topics.commands}, results on ${topics.results} ---`);
  const ticket = deps.sim.createIssue(site.cloudId, {
    fields: { summary: 'Customer cannot download invoices' },
  });
  const incident = deps.sim.createIssue(site.cloudId, { fields: { summary: 'Disk 95% full on db-1' } });
  console.log(
    `created ${ticket.key} (for the CRM) and ${incident.key} (for the pager) in Jira; waiting for their events`,
  );
  // Both connectors hear of both issues first, so whatever comes after is about the commands.
  for (const issue of [ticket, incident])
    for (const topic of [topics.crm, topics.monitoring])
      if (!(await events.waitFor((e) => isAbout(e, topic, site.host, issue), waitMs)))
        console.log(`  (${topic}: no event for ${issue.key} yet; going on)`);
  const statusBefore = (await jira(`/issue/${incident.key}?fields=status`)).fields?.status?.name;

  const from = events.mark();
  const noteBody = 'Called the customer: the invoice links work again after the CDN purge.';
  const noteId = await deps.sender.send({
    type: 'crm.note.create',
    source: crmSource,
    siteHost: site.host,
    issueId: ticket.id,
    data: { issue: ticket.key, body: noteBody, public: true },
  });
  console.log(`\n> crm.note.create on ${ticket.key} from ${crmSource} (ce_id ${noteId})`);
  const ackId = await deps.sender.send({
    type: 'monitoring.incident.acknowledge',
    source: pagerSource,
    siteHost: site.host,
    issueId: incident.id,
    data: { issue: incident.key },
  });
  console.log(`> monitoring.incident.acknowledge on ${incident.key} from ${pagerSource} (ce_id ${ackId})\n`);

  const note = await resultOf(deps, noteId, from);
  if (note) {
    const commentId = String((note.data.jira as { commentId?: unknown } | null)?.commentId ?? '');
    const comment = commentId ? await jira(`/issue/${ticket.key}/comment/${commentId}`) : undefined;
    console.log(
      comment?.body
        ? `  Jira: ${ticket.key} has comment ${commentId} by ${comment.author?.displayName}: "${richTextToText(comment.body)}"`
        : `  Jira: no comment ${commentId} on ${ticket.key}`,
    );
  }
  await crossAndNoEcho(deps, from, {
    siteHost: site.host,
    issue: ticket,
    origin: crmSource,
    other: { topic: topics.monitoring, type: 'monitoring.incident.annotated' },
    own: { topic: topics.crm, name: 'CRM' },
  });

  const ack = await resultOf(deps, ackId, from);
  if (ack) {
    const status = (await jira(`/issue/${incident.key}?fields=status`)).fields?.status?.name;
    console.log(`  Jira: ${incident.key} status ${statusBefore} -> ${status}`);
  }
  await crossAndNoEcho(deps, from, {
    siteHost: site.host,
    issue: incident,
    origin: pagerSource,
    other: { topic: topics.crm, type: 'crm.ticket.upserted' },
    own: { topic: topics.monitoring, name: 'monitoring' },
  });
  await showRecentCommands(deps, site.host);
  console.log('--- end of two-way sync; the activity goes on ---\n');
}

/** Prints the command's result event; undefined when none came within `waitMs`. */
async function resultOf(deps: TwoWayDeps, commandId: string, from: number): Promise<ReadEvent | undefined> {
  const isResult = (e: ReadEvent) => e.topic === deps.topics.results && e.data.commandId === commandId;
  const result = await deps.events.waitFor(isResult, waitMs, from);
  if (!result) {
    console.log(`X no result for command ${commandId} on ${deps.topics.results} within ${waitMs / 1000} s`);
    return undefined;
  }
  const { status, attempts, jira, reason } = result.data;
  console.log(
    `result of ${commandId}: ${String(status)} after ${String(attempts)} attempt(s), jira ${JSON.stringify(jira)}` +
      (reason ? `, reason: ${String(reason)}` : ''),
  );
  return result;
}

interface EchoCheck {
  readonly siteHost: string;
  readonly issue: Issue;
  /** The command's `ce_source`: the other connector's event must carry it as `ce_origin`. */
  readonly origin: string;
  /** The event the other connector should receive. */
  readonly other: { readonly topic: string; readonly type: string };
  /** The sender's own connector: it should receive nothing about the change. */
  readonly own: { readonly topic: string; readonly name: string };
}

/**
 * The other connector's event for the change, with `ce_origin`; then nothing about the issue on the
 * sender's own topic within the echo window after it (both connectors judge one change together).
 */
async function crossAndNoEcho(deps: TwoWayDeps, from: number, check: EchoCheck): Promise<void> {
  const { siteHost, issue, origin, other, own } = check;
  const about = (e: ReadEvent, topic: string) => isAbout(e, topic, siteHost, issue);
  const crossed = await deps.events.waitFor(
    (e) => about(e, other.topic) && e.headers.ce_type === `dev.jirarelay.${other.type}`,
    waitMs,
    from,
  );
  if (!crossed)
    console.log(`  X ${other.topic}: no ${other.type} for ${issue.key} within ${waitMs / 1000} s`);
  else if (crossed.headers.ce_origin !== origin)
    console.log(
      `  X ${other.topic}: ${other.type} for ${issue.key} with ce_origin ${crossed.headers.ce_origin}, not ${origin}`,
    );
  else console.log(`  ok ${other.topic}: ${other.type} for ${issue.key} with ce_origin=${origin}`);

  const echo = await deps.events.waitFor((e) => about(e, own.topic), echoWindowMs, from);
  if (echo) {
    console.log(`  X ${own.topic}: the ${own.name} got its own change back (an echo):`);
    console.log(`    ${eventLine(echo.headers, echo.data)}`);
  } else {
    console.log(
      `  ok ${own.topic}: nothing about ${issue.key} within ${echoWindowMs / 1000} s: the ${own.name}'s own change was not sent back to it`,
    );
  }
}

/** The admin API's view of the same commands: GET /admin/api/connections/:id/commands. */
async function showRecentCommands(deps: TwoWayDeps, siteHost: string): Promise<void> {
  const api = async (path: string): Promise<LooseJson> => {
    const response = await fetch(`${deps.relayUrl}/admin/api${path}`, {
      headers: { authorization: `Bearer ${deps.adminToken}` },
    });
    return response.json();
  };
  const { connections } = await api('/connections');
  const connection = (connections as LooseJson[]).find((c) => c.site.host === siteHost);
  if (!connection) return;
  const path = `/connections/${connection.id}/commands?limit=5`;
  const { commands } = await api(path);
  console.log(`\nadmin API: GET ${deps.relayUrl}/admin/api${path}`);
  for (const c of commands as LooseJson[]) {
    const at = new Date(c.at)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z');
    console.log(
      `  ${at}  ${String(c.type).padEnd(32)} ${String(c.issue?.key ?? '').padEnd(9)} ${c.status}  from ${c.source}`,
    );
  }
}

/** Jira's REST API on the simulator, as an app with its own grant reads it. */
async function jiraReader(sim: Simulator, cloudId: string): Promise<Jira> {
  const { access_token: token } = await obtainTokens(sim.url, {
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    loginHint: sim.users[0]?.accountId ?? '',
  });
  return async (path) => (await jiraRequest({ simUrl: sim.url, token, cloudId }, 'GET', path)).json;
}
