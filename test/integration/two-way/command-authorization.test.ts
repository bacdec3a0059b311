import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayAdminToken } from '../../helpers/relay-process.ts';
import { startTwoWayStack, type TwoWayStack } from './two-way-stack.ts';

/** The relay asked only for read scopes at consent: its grants cannot write. */
describe('commands the relay may not apply are rejected with the reason, and the consumer goes on', () => {
  let stack: TwoWayStack;

  beforeAll(async () => {
    stack = await startTwoWayStack({
      env: { ATLASSIAN_SCOPES: 'read:jira-work read:jira-user manage:jira-webhook offline_access' },
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const admin = async (method: string, path: string) => {
    const res = await fetch(`${stack.relays[0]?.url}/admin/api${path}`, {
      method,
      headers: { authorization: `Bearer ${relayAdminToken}`, 'content-type': 'application/json' },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  it('rejects a command for a site whose grant lacks write:jira-work', async () => {
    const site = stack.site();
    const issue = stack.sim.createIssue(site.cloudId, { fields: { summary: 'Read only' } });
    const id = await stack.send({ type: 'crm.note.create', data: { issue: issue.key, body: 'nope' } });
    const [result] = await stack.results(id);
    expect(result?.data).toMatchObject({ status: 'rejected', attempts: 1 });
    expect(result?.data.reason).toContain('write:jira-work');
    const comments = await stack.jira('GET', `/issue/${issue.key}/comment`);
    expect(comments.json.total).toBe(0);
  });

  it('rejects a command for a paused site', async () => {
    const site = stack.site();
    const list = await admin('GET', '/connections');
    const connections = list.json.connections as { id: string; site: { host: string } }[];
    const connection = connections.find((c) => c.site.host === site.host);
    expect((await admin('POST', `/connections/${connection?.id}/pause`)).status).toBe(200);
    const id = await stack.send({ type: 'jira.comment.create', data: { issue: 'OPS-1', body: 'paused' } });
    const [result] = await stack.results(id);
    expect(result?.data).toMatchObject({ status: 'rejected', reason: `site ${site.host} is paused` });
  });
});
