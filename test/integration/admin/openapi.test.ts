import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { type AdminStack, adminRoutesOnly, failedJob, startAdminStack, startWorker } from './admin-stack.ts';

interface Operation {
  summary?: string;
  parameters?: { name: string; in: string; required: boolean; schema: object }[];
  requestBody?: { content: Record<string, { schema: object }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: object }> }>;
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

async function docsOf(stack: AdminStack): Promise<Document> {
  const response = await stack.api('GET', '/admin/api/docs');
  expect(response.status).toBe(200);
  return response.json as unknown as Document;
}

const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('admin API: the OpenAPI description at /admin/api/docs', () => {
  it('describes exactly the routes that are registered, with their path parameters', async () => {
    const stack = await startAdminStack();
    const doc = await docsOf(stack);
    expect(doc.openapi).toMatch(/^3\.1\./);

    const { routes } = await adminRoutesOnly(stack.deps);
    const registered = routes
      .filter((r) => r.url.startsWith('/admin/api/'))
      .flatMap((r) =>
        [r.method]
          .flat()
          .filter((m) => m !== 'HEAD')
          .map((m) => `${m} ${toOpenApiPath(r.url)}`),
      );
    const described = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(registered.length).toBeGreaterThanOrEqual(13);
    expect(described.sort()).toEqual(registered.sort());

    for (const [path, ops] of Object.entries(doc.paths)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared, `${method} ${path}`).toEqual(inPath);
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
    expect(doc.paths['/admin/api/connections/{id}/backfill']?.post?.requestBody).toBeDefined();
    const query = doc.paths['/admin/api/dead-letters']?.get?.parameters?.map((p) => p.name);
    expect(query).toEqual(['page', 'pageSize', 'queue']);
  });

  it('documents the responses the routes really give (bodies validate against the documented schemas)', async () => {
    const stack = await startAdminStack();
    const doc = await docsOf(stack);
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const conforms = async (
      method: 'GET' | 'POST' | 'PUT',
      template: string,
      url: string,
      body?: unknown,
    ) => {
      const response = await stack.api(method, url, body);
      const documented = doc.paths[template]?.[method.toLowerCase()]?.responses[String(response.status)];
      expect(
        documented,
        `${method} ${url} answered ${response.status}, which is not documented`,
      ).toBeDefined();
      const schema = documented?.content?.['application/json']?.schema;
      if (!schema) throw new Error(`${method} ${template} ${response.status} has no schema`);
      const validate = ajv.compile(schema);
      expect(validate(response.json), `${method} ${url}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      return response;
    };

    const [first] = await stack.connect();
    const id = first?.id ?? '';
    await stack.registrar.reconcile(id);
    const one = '/admin/api/connections/{id}';
    await conforms('GET', '/admin/api/connections', '/admin/api/connections');
    await conforms('GET', '/admin/api/connections', '/admin/api/connections?page=0');
    await conforms('GET', one, `/admin/api/connections/${id}`);
    await conforms('GET', one, '/admin/api/connections/00000000-0000-4000-8000-000000000000');
    await conforms('POST', `${one}/backfill`, `/admin/api/connections/${id}/backfill`, {
      from: '2024-01-01',
    });
    await conforms('POST', `${one}/rewind`, `/admin/api/connections/${id}/rewind`, { to: 'yesterday' });
    await conforms('PUT', `${one}/projects`, `/admin/api/connections/${id}/projects`, {
      projectKeys: ['OPS'],
    });
    await conforms('POST', `${one}/pause`, `/admin/api/connections/${id}/pause`);
    await conforms('POST', `${one}/resync`, `/admin/api/connections/${id}/resync`);
    await conforms('POST', `${one}/disconnect`, `/admin/api/connections/${id}/disconnect`);

    startWorker(stack, stack.queues.changes, () => true);
    const job = await failedJob(stack.queues.changes, 'issue.updated', { n: 1 });
    const letters = await conforms('GET', '/admin/api/dead-letters', '/admin/api/dead-letters');
    expect(letters.json.total).toBe(1);
    await conforms('GET', '/admin/api/dead-letters', '/admin/api/dead-letters?queue=nope');
    await conforms('POST', '/admin/api/dead-letters/redrive', '/admin/api/dead-letters/redrive', {});
    const redrive = '/admin/api/dead-letters/{queue}/{jobId}/redrive';
    await conforms('POST', redrive, `/admin/api/dead-letters/jira-changes/${job.id}/redrive`);
    await conforms('POST', redrive, '/admin/api/dead-letters/jira-changes/no-such-job/redrive');
  });
});
