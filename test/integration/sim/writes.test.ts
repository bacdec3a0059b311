import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.ts';
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
