import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../../../src/commands/command.ts';
import type { RecentCommand } from '../../../src/commands/command-store.ts';
import { type AdminStack, startAdminStack } from './admin-stack.ts';

const unknownId = '00000000-0000-4000-8000-000000000000';

/** Records a command's result as the command runner does: the result, and the site's recent line. */
async function finished(
  stack: AdminStack,
  siteHost: string,
  line: Omit<RecentCommand, 'at'>,
  at: number,
): Promise<RecentCommand> {
  const recent: RecentCommand = { ...line, at };
  const result: CommandResult = {
    commandId: line.commandId,
    status: line.status,
    issue: line.issue,
    jira: null,
    attempts: 1,
    ...(line.reason === undefined ? {} : { reason: line.reason }),
  };
  await stack.commands.finish(line.source, siteHost, recent, result);
  return recent;
}

describe('admin API: recent commands of a connection', () => {
  it("lists the site's recent commands and their results, newest first, up to `limit`, never another site's", async () => {
    const stack = await startAdminStack();
    const [first, second] = await stack.connect();
    if (!first || !second) throw new Error('two sites expected');
    const t0 = Date.parse('2024-03-01T09:30:00Z');
    const note = await finished(
      stack,
      first.siteHost,
      {
        commandId: 'crm-0001',
        type: 'crm.note.create',
        source: 'urn:demo:crm',
        status: 'applied',
        issue: { id: '10042', key: 'OPS-7' },
      },
      t0,
    );
    const ack = await finished(
      stack,
      first.siteHost,
      {
        commandId: 'pager-0001',
        type: 'monitoring.incident.acknowledge',
        source: 'urn:demo:pager',
        status: 'conflict',
        issue: { id: '10043', key: 'OPS-8' },
        reason: 'the issue changed since ifUpdated',
      },
      t0 + 1000,
    );
    const rejected = await finished(
      stack,
      first.siteHost,
      {
        commandId: 'crm-0002',
        type: 'jira.issue.create',
        source: 'urn:demo:crm',
        status: 'rejected',
        issue: null,
        reason: 'the site is paused',
      },
      t0 + 2000,
    );
    await finished(
      stack,
      second.siteHost,
      {
        commandId: 'other-0001',
        type: 'jira.comment.create',
        source: 'urn:x',
        status: 'applied',
        issue: null,
      },
      t0 + 3000,
    );

    const all = await stack.api('GET', `/admin/api/connections/${first.id}/commands`);
    expect(all.status).toBe(200);
    expect(all.json).toEqual({
      connectionId: first.id,
      siteHost: first.siteHost,
      commands: [rejected, ack, note],
    });

    const two = await stack.api('GET', `/admin/api/connections/${first.id}/commands?limit=2`);
    expect(two.json.commands).toEqual([rejected, ack]);

    const other = await stack.api('GET', `/admin/api/connections/${second.id}/commands?limit=500`);
    expect((other.json.commands as RecentCommand[]).map((c) => c.commandId)).toEqual(['other-0001']);

    // The body is what the OpenAPI document says it is.
    const docs = (await stack.api('GET', '/admin/api/docs')).json as {
      paths: Record<
        string,
        { get: { responses: Record<string, { content: Record<string, { schema: object }> }> } }
      >;
    };
    const schema =
      docs.paths['/admin/api/connections/{id}/commands']?.get.responses['200']?.content['application/json']
        ?.schema;
    if (!schema) throw new Error('GET /admin/api/connections/{id}/commands 200 is not documented');
    const validate = new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
    expect(validate(all.json), JSON.stringify(validate.errors)).toBe(true);
  });

  it('answers an empty list for a site that has had no commands', async () => {
    const stack = await startAdminStack();
    const [first] = await stack.connect();
    if (!first) throw new Error('a site expected');
    const response = await stack.api('GET', `/admin/api/connections/${first.id}/commands`);
    expect(response).toEqual({
      status: 200,
      json: { connectionId: first.id, siteHost: first.siteHost, commands: [] },
    });
  });

  it('needs the admin token; an unknown connection is a 404, a bad limit or id a 400 naming it', async () => {
    const stack = await startAdminStack();
    const [first] = await stack.connect();
    if (!first) throw new Error('a site expected');
    await finished(
      stack,
      first.siteHost,
      {
        commandId: 'secret-0001',
        type: 'crm.note.create',
        source: 'urn:demo:crm',
        status: 'applied',
        issue: null,
      },
      Date.now(),
    );

    const anonymous = await stack.app.inject({
      method: 'GET',
      url: `/admin/api/connections/${first.id}/commands`,
    });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).not.toContain('secret-0001');

    const unknown = await stack.api('GET', `/admin/api/connections/${unknownId}/commands`);
    expect(unknown).toMatchObject({ status: 404, json: { error: 'NOT_FOUND' } });

    for (const limit of ['0', 'abc', '501', '2.5', '']) {
      const response = await stack.api('GET', `/admin/api/connections/${first.id}/commands?limit=${limit}`);
      expect(response.status, `limit=${limit}`).toBe(400);
      expect(response.json, `limit=${limit}`).toMatchObject({
        error: 'BAD_REQUEST',
        fields: ['query.limit'],
      });
    }
    const badId = await stack.api('GET', '/admin/api/connections/not-a-uuid/commands');
    expect(badId).toMatchObject({ status: 400, json: { fields: ['params.id'] } });
  });

  it("shows each site's recent commands on the dashboard page, escaped, behind the admin login", async () => {
    const stack = await startAdminStack();
    const [first] = await stack.connect();
    if (!first) throw new Error('a site expected');
    await finished(
      stack,
      first.siteHost,
      {
        commandId: 'crm-<b>0002</b>',
        type: 'crm.note.create',
        source: 'urn:demo:crm',
        status: 'failed',
        issue: { key: 'OPS-9' },
        reason: 'Field "x" is not on the screen',
      },
      Date.parse('2024-03-01T09:31:00Z'),
    );
    const page = await stack.page('/admin/commands');
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.body).toContain(first.siteHost);
    expect(page.body).toContain('crm-&lt;b&gt;0002&lt;/b&gt;');
    expect(page.body).not.toContain('<b>0002');
    expect(page.body).toContain('Field &quot;x&quot; is not on the screen');
    const anonymous = await stack.page('/admin/commands', false);
    expect(anonymous.status).not.toBe(200);
    expect(anonymous.body).not.toContain('crm-');
  });
});
