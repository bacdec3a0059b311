import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { jiraRequest, type LooseJson, obtainTokens } from '../../sim/test-client.ts';
import { type ReceivedDelivery, WebhookReceiver } from '../../sim/webhook-receiver.ts';

/**
 * Writes the relay makes through REST fire the same webhooks a person's changes fire, as the
 * consenting user whose token made the call (3LO acts as that user), and no delivery carries
 * entity properties (atlassian-facts §2.5, §6).
 */
let sim: Simulator;
let token: string;
let cloudId: string;
let relayUser: string;
const dynamic = new WebhookReceiver();
const admin = new WebhookReceiver();
let propertyHookId: number;
let issueHookId: number;

const ISSUE_AND_COMMENT_EVENTS = [
  'jira:issue_created',
  'jira:issue_updated',
  'jira:issue_deleted',
  'comment_created',
  'comment_updated',
  'comment_deleted',
];
const MARKER = { origin: 'jira-relay', run: 'marker-7f3a' };
const ADF = (text: string) => ({
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
});

beforeAll(async () => {
  sim = await startSimulator({ port: 0, sites: 1, issuesPerSite: 10 });
  cloudId = sim.sites[0]?.cloudId as string;
  // Not the first user: the control API's default actor must not be mistaken for the caller.
  relayUser = sim.users[1]?.accountId as string;
  token = (await obtainTokens(sim.url, { loginHint: relayUser })).access_token;
  const registered = await jira('POST', '/webhook', {
    url: await dynamic.start(),
    webhooks: [
      { events: ISSUE_AND_COMMENT_EVENTS, jqlFilter: 'project = OPS' },
      {
        events: ['issue_property_set'],
        jqlFilter: 'project = OPS',
        issuePropertyKeysFilter: ['jira-relay.origin'],
      },
    ],
  });
  [issueHookId, propertyHookId] = registered.json.webhookRegistrationResult.map(
    (r: { createdWebhookId: number }) => r.createdWebhookId,
  );
  sim.control.registerAdminWebhook(cloudId, { url: await admin.start(), events: ISSUE_AND_COMMENT_EVENTS });
});
afterAll(async () => {
  await sim.close();
  await Promise.all([dynamic.close(), admin.close()]);
});

function jira(method: string, path: string, body?: unknown) {
  return jiraRequest({ simUrl: sim.url, token, cloudId }, method, path, body);
}

/** Waits for the next delivery of `event` after `from` deliveries, on a receiver. */
async function next(receiver: WebhookReceiver, event: string, from: number): Promise<LooseJson> {
  const isIt = (d: ReceivedDelivery) => d.body.webhookEvent === event;
  await receiver.waitFor((r) => r.slice(from).some(isIt));
  return receiver.received.slice(from).find(isIt)?.body;
}

const fieldsOf = (body: LooseJson) => body.changelog.items.map((i: { field: string }) => i.field);

describe('REST writes fire the webhooks Jira sends, as the calling user', () => {
  let key: string;
  let commentId: string;

  it('POST /issue: jira:issue_created to dynamic and admin webhooks, user = the token user', async () => {
    const mark = dynamic.received.length;
    const adminMark = admin.received.length;
    const created = await jira('POST', '/issue', {
      fields: { project: { key: 'OPS' }, issuetype: { name: 'Task' }, summary: 'from the relay' },
      properties: [{ key: 'jira-relay.origin', value: MARKER }],
      historyMetadata: { type: 'jira-relay:sync', extraData: { run: '1' } },
    });
    expect(created.status).toBe(201);
    key = created.json.key;
    const body = await next(dynamic, 'jira:issue_created', mark);
    expect(body).toMatchObject({ issue_event_type_name: 'issue_created', matchedWebhookIds: [issueHookId] });
    expect(body.issue.key).toBe(key);
    expect(body.user.accountId).toBe(relayUser);
    expect(body.issue.fields.creator.accountId).toBe(relayUser);
    expect(body.issue.fields.reporter.accountId).toBe(relayUser);
    // The creation changelog names the values as the real capture does (priority "High", Status "To Do").
    const priority = body.changelog.items.find((i: LooseJson) => i.field === 'priority');
    const status = body.changelog.items.find((i: LooseJson) => i.field === 'Status');
    expect(priority.toString).toBe(body.issue.fields.priority.name);
    expect(status).toMatchObject({ fieldId: 'status', toString: 'To Do' });
    const fromAdmin = await next(admin, 'jira:issue_created', adminMark);
    expect(fromAdmin.user.accountId).toBe(relayUser);
    expect(fromAdmin.matchedWebhookIds).toBeUndefined();
  });

  it('PUT /issue/{key}: jira:issue_updated (issue_updated) with a changelog of what changed', async () => {
    const mark = dynamic.received.length;
    const adminMark = admin.received.length;
    const edited = await jira('PUT', `/issue/${key}`, {
      fields: { summary: 'edited by the relay' },
      update: { labels: [{ add: 'synced' }] },
      properties: [{ key: 'jira-relay.origin', value: MARKER }],
      historyMetadata: { type: 'jira-relay:sync' },
    });
    expect(edited.status).toBe(204);
    const body = await next(dynamic, 'jira:issue_updated', mark);
    expect(body.issue_event_type_name).toBe('issue_updated');
    expect(body.user.accountId).toBe(relayUser);
    expect(fieldsOf(body).sort()).toEqual(['labels', 'summary']);
    expect(body.changelog.items.find((i: LooseJson) => i.field === 'summary')).toMatchObject({
      fromString: 'from the relay',
      toString: 'edited by the relay',
    });
    expect((await next(admin, 'jira:issue_updated', adminMark)).changelog).toEqual(body.changelog);
  });

  it('POST transitions: jira:issue_updated (issue_generic) changing status and resolution', async () => {
    const list = await jira('GET', `/issue/${key}/transitions`);
    const done = list.json.transitions.find((t: LooseJson) => t.to.statusCategory.key === 'done');
    const mark = dynamic.received.length;
    expect((await jira('POST', `/issue/${key}/transitions`, { transition: { id: done.id } })).status).toBe(
      204,
    );
    const body = await next(dynamic, 'jira:issue_updated', mark);
    expect(body.issue_event_type_name).toBe('issue_generic');
    expect(body.user.accountId).toBe(relayUser);
    expect(body.changelog.items).toEqual([
      expect.objectContaining({ field: 'status', fromString: 'To Do', toString: done.to.name }),
      expect.objectContaining({ field: 'resolution', from: null, to: '10000', toString: 'Done' }),
    ]);
    expect(body.issue.fields.status.name).toBe(done.to.name);
    expect(body.issue.fields.resolution).toMatchObject({ name: 'Done' });
  });

  it('comments: created, updated and deleted, authored by the token user', async () => {
    let mark = dynamic.received.length;
    const posted = await jira('POST', `/issue/${key}/comment`, {
      body: ADF('relay comment'),
      properties: [{ key: 'jira-relay.origin', value: MARKER }],
    });
    expect(posted.status).toBe(201);
    commentId = posted.json.id;
    const created = await next(dynamic, 'comment_created', mark);
    expect(created.comment).toMatchObject({ id: commentId, body: 'relay comment' });
    expect(created.comment.author.accountId).toBe(relayUser);
    expect(created.comment.updateAuthor.accountId).toBe(relayUser);
    expect((await next(dynamic, 'jira:issue_updated', mark)).issue_event_type_name).toBe('issue_commented');

    mark = dynamic.received.length;
    const put = await jira('PUT', `/issue/${key}/comment/${commentId}`, { body: ADF('relay edit') });
    expect(put.status).toBe(200);
    const updated = await next(dynamic, 'comment_updated', mark);
    expect(updated.comment).toMatchObject({ id: commentId, body: 'relay edit' });
    expect(updated.comment.updateAuthor.accountId).toBe(relayUser);

    mark = dynamic.received.length;
    expect((await jira('DELETE', `/issue/${key}/comment/${commentId}`)).status).toBe(204);
    expect((await next(dynamic, 'comment_deleted', mark)).comment.id).toBe(commentId);
    expect((await next(admin, 'comment_deleted', 0)).comment.id).toBe(commentId);
  });

  it('issue_property_set goes only to webhooks that ask for it, and only for the keys they name', async () => {
    const mark = dynamic.received.length;
    expect((await jira('PUT', `/issue/${key}/properties/other.app`, { x: 1 })).status).toBe(201);
    expect((await jira('PUT', `/issue/${key}/properties/jira-relay.origin`, MARKER)).status).toBe(200);
    const body = await next(dynamic, 'issue_property_set', mark);
    expect(body).toMatchObject({
      matchedWebhookIds: [propertyHookId],
      property: { key: 'jira-relay.origin' },
    });
    expect(body.user.accountId).toBe(relayUser);
    await new Promise((r) => setTimeout(r, 50));
    const propertyEvents = dynamic.received.filter((d) => d.body.webhookEvent === 'issue_property_set');
    // The create, the PUT edit and the property PUT each set the key; other.app matched no filter.
    expect(propertyEvents.map((d) => d.body.property.key)).toEqual([
      'jira-relay.origin',
      'jira-relay.origin',
      'jira-relay.origin',
    ]);
    expect(admin.received.some((d) => d.body.webhookEvent === 'issue_property_set')).toBe(false);
  });

  it('DELETE /issue/{key}: jira:issue_deleted with the token user', async () => {
    const mark = dynamic.received.length;
    expect((await jira('DELETE', `/issue/${key}`)).status).toBe(204);
    const body = await next(dynamic, 'jira:issue_deleted', mark);
    expect(body.issue.key).toBe(key);
    expect(body.user.accountId).toBe(relayUser);
  });

  it('no delivery carries entity properties; only property events name the marker', () => {
    const all = [...dynamic.received, ...admin.received];
    expect(all.length).toBeGreaterThan(10);
    for (const { body, raw } of all) {
      expect(body.issue?.properties).toBeUndefined();
      expect(body.comment?.properties).toBeUndefined();
      if (body.webhookEvent !== 'issue_property_set') expect(raw).not.toContain(MARKER.run);
    }
  });
});
