import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { OpenApiValidator } from '../../sim/openapi/validator.ts';
import { jiraRequest, type LooseJson, obtainTokens } from '../../sim/test-client.ts';

let sim: Simulator;
let token: string;
let cloudId: string;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, sites: 1, issuesPerSite: 10 });
  token = (await obtainTokens(sim.url)).access_token;
  cloudId = sim.sites[0]?.cloudId as string;
});
afterAll(async () => {
  await sim.close();
});

function jira(method: string, path: string, body?: unknown) {
  return jiraRequest({ simUrl: sim.url, token, cloudId }, method, path, body);
}

const ADF = {
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content: [{ type: 'text', text: 'in ADF' }] }],
};

/** Jira v3's answer to a comment body that is not ADF (atlassian-facts §5; JiraPS #602). */
const NOT_ADF = { errorMessages: [], errors: { comment: 'Comment body is not valid!' } };

describe('comments in v3 are ADF only', () => {
  it('refuses a plain-string body on create and on edit with 400 "Comment body is not valid!"', async () => {
    const { key } = sim.createIssue(cloudId, { fields: { summary: 'plain strings' } });
    const created = await jira('POST', `/issue/${key}/comment`, { body: 'just text' });
    expect(created).toEqual({ status: 400, json: NOT_ADF });
    // Wiki markup is a string too: v2 takes it, v3 does not.
    expect((await jira('POST', `/issue/${key}/comment`, { body: '*bold* text' })).status).toBe(400);
    expect((await jira('GET', `/issue/${key}/comment`)).json.total).toBe(0);

    const comment = await jira('POST', `/issue/${key}/comment`, { body: ADF });
    expect(comment.status).toBe(201);
    const edited = await jira('PUT', `/issue/${key}/comment/${comment.json.id}`, { body: 'plain edit' });
    expect(edited).toEqual({ status: 400, json: NOT_ADF });
    const kept = await jira('GET', `/issue/${key}/comment/${comment.json.id}`);
    expect(kept.json.body).toEqual(ADF);
  });
});

describe('historyMetadata on an issue edit', () => {
  it('is stored on the changelog entry of that edit and read back from the changelog APIs', async () => {
    const { key, id } = sim.createIssue(cloudId, { fields: { summary: 'marked edits' } });
    const historyMetadata = {
      type: 'jira-relay:sync',
      description: 'Synced from the CRM',
      descriptionKey: 'relay.sync',
      actor: { id: 'jira-relay', displayName: 'jira-relay', type: 'application' },
      extraData: { origin: 'crm', run: '42' },
    };
    const marked = await jira('PUT', `/issue/${key}`, {
      fields: { summary: 'edited by the relay' },
      historyMetadata,
    });
    expect(marked.status).toBe(204);
    expect((await jira('PUT', `/issue/${key}`, { fields: { summary: 'edited by a person' } })).status).toBe(
      204,
    );

    const page = await jira('GET', `/issue/${key}/changelog`);
    const [relayEdit, personEdit] = page.json.values.slice(-2);
    expect(relayEdit.items.map((i: { field: string }) => i.field)).toEqual(['summary']);
    expect(relayEdit.items[0].toString).toBe('edited by the relay');
    expect(relayEdit.historyMetadata).toEqual(historyMetadata);
    expect(personEdit.items[0].toString).toBe('edited by a person');
    expect(personEdit.historyMetadata).toBeUndefined();

    const bulk = await jira('POST', '/changelog/bulkfetch', { issueIdsOrKeys: [key] });
    const histories = bulk.json.issueChangeLogs.find((l: { issueId: string }) => l.issueId === id)
      .changeHistories as LooseJson[];
    expect(histories.find((h) => h.id === relayEdit.id)?.historyMetadata).toEqual(historyMetadata);

    const issue = await jira('GET', `/issue/${key}?expand=changelog&fields=summary`);
    const embedded = issue.json.changelog.histories.find((h: { id: string }) => h.id === relayEdit.id);
    expect(embedded.historyMetadata).toEqual(historyMetadata);
  });
});

describe('the jira-relay.origin marker is read back by GET issue and search, not by webhooks', () => {
  it('returns properties asked for with properties=, and only those', async () => {
    const marker = { origin: 'jira-relay', eventId: 'evt-1' };
    const created = await jira('POST', '/issue', {
      fields: { project: { key: 'OPS' }, issuetype: { name: 'Task' }, summary: 'marked create' },
      properties: [
        { key: 'jira-relay.origin', value: marker },
        { key: 'other.app', value: { x: 1 } },
      ],
    });
    const { key, id } = created.json;
    const fetched = await jira('GET', `/issue/${key}?fields=summary&properties=jira-relay.origin`);
    expect(fetched.json.properties).toEqual({ 'jira-relay.origin': marker });
    expect((await jira('GET', `/issue/${key}?fields=summary`)).json.properties).toBeUndefined();

    const jql = encodeURIComponent(`key = ${key}`);
    const viaGet = await jira('GET', `/search/jql?jql=${jql}&fields=summary&properties=jira-relay.origin`);
    expect(viaGet.json.issues[0].properties).toEqual({ 'jira-relay.origin': marker });
    const viaPost = await jira('POST', '/search/jql', {
      jql: `key = ${key}`,
      fields: ['summary'],
      properties: ['jira-relay.origin'],
    });
    expect(viaPost.json.issues[0].properties).toEqual({ 'jira-relay.origin': marker });
    const bulk = await jira('POST', '/issue/bulkfetch', {
      issueIdsOrKeys: [id],
      fields: ['summary'],
      properties: ['jira-relay.origin'],
    });
    expect(bulk.json.issues[0].properties).toEqual({ 'jira-relay.origin': marker });
  });
});

describe('historyMetadata on a transition', () => {
  const validator = new OpenApiValidator();

  it('lands on the changelog entry with the status and resolution items, valid per the OpenAPI', async () => {
    const { key, id } = sim.createIssue(cloudId, { fields: { summary: 'marked transition' } });
    const historyMetadata = {
      type: 'jira-relay:sync',
      description: 'Closed from the CRM',
      actor: { id: 'jira-relay', displayName: 'jira-relay', type: 'application' },
      cause: { id: 'crm-ticket-9', type: 'crm' },
      extraData: { eventId: 'evt-9' },
    };
    const moved = await jira('POST', `/issue/${key}/transitions`, {
      transition: { id: '41' },
      properties: [{ key: 'jira-relay.origin', value: { eventId: 'evt-9' } }],
      historyMetadata,
    });
    expect(moved.status).toBe(204);
    expect((await jira('GET', `/issue/${key}/properties/jira-relay.origin`)).json.value).toEqual({
      eventId: 'evt-9',
    });

    const page = await jira('GET', `/issue/${key}/changelog`);
    expect(validator.check('get', '/rest/api/3/issue/{issueIdOrKey}/changelog', 200, page.json)).toEqual([]);
    const entry = page.json.values.at(-1);
    expect(entry.historyMetadata).toEqual(historyMetadata);
    expect(entry.items.map((i: { field: string }) => i.field)).toEqual(['status', 'resolution']);

    const bulk = await jira('POST', '/changelog/bulkfetch', { issueIdsOrKeys: [id] });
    expect(validator.check('post', '/rest/api/3/changelog/bulkfetch', 200, bulk.json)).toEqual([]);
    const histories = bulk.json.issueChangeLogs[0].changeHistories as LooseJson[];
    expect(histories.find((h) => h.id === entry.id)?.historyMetadata).toEqual(historyMetadata);

    const issue = await jira('GET', `/issue/${key}?expand=changelog&fields=status`);
    expect(validator.check('get', '/rest/api/3/issue/{issueIdOrKey}', 200, issue.json)).toEqual([]);
    const embedded = issue.json.changelog.histories.find((h: { id: string }) => h.id === entry.id);
    expect(embedded.historyMetadata).toEqual(historyMetadata);
  });
});
