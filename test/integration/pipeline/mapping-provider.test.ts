import { describe, expect, it } from 'vitest';
import { parseConnectorsConfig } from '../../../connectors/config/parse-connectors-config.ts';
import { enabledConnectors } from '../../../connectors/registry.ts';
import type { BudgetedRequest, RequestBudget } from '../../../src/atlassian/budget/request-budget.ts';
import { fieldListOfSite, listFields } from '../../../src/atlassian/jira/jira-reads.ts';
import { MappingProvider } from '../../../src/pipeline/mapping-provider.ts';
import { consent, startTokenStack } from '../tokens/token-stack.ts';

const fieldRoute = 'GET /ex/jira/:cloudId/rest/api/3/field';

/** Connector mappings by field name (custom fields included), by id, and one name no site has. */
const connectorsYaml = `
connectors:
  crm:
    fields:
      customer: Customer
      points: { name: story point estimate }
      title: Summary
      due: { id: duedate }
      tier: { name: Tier }
  monitoring:
    fields:
      account: { name: Customer }
`;

async function connectedStack() {
  const stack = await startTokenStack();
  if ((await consent(stack)).status !== 200) throw new Error('consent failed');
  const [connection] = await stack.services.connections.list();
  if (!connection) throw new Error('no connection');
  const budgeted: BudgetedRequest[] = [];
  const budget: RequestBudget = {
    beforeRequest: async (request) => {
      budgeted.push(request);
    },
    afterResponse: async () => undefined,
  };
  return { stack, connection, budgeted, clientFor: (c: typeof connection) => stack.jira(c, budget) };
}

function connectors() {
  const parsed = parseConnectorsConfig(connectorsYaml);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return enabledConnectors(parsed.config);
}

const fieldListRequests = (stats: { requests: Record<string, number> }) =>
  Object.entries(stats.requests)
    .filter(([key]) => key.startsWith(`${fieldRoute} `))
    .reduce((sum, [, n]) => sum + n, 0);

describe('field names resolved through Jira’s field list', () => {
  it('reads the site’s field list with its own route class and cost estimate', async () => {
    const { stack, connection, budgeted, clientFor } = await connectedStack();
    const fields = await listFields(clientFor(connection));

    expect(fields).toContainEqual({ id: 'customfield_10010', name: 'Customer' });
    expect(fields).toContainEqual({ id: 'summary', name: 'Summary' });
    expect(fields.every((f) => Object.keys(f).sort().join() === 'id,name')).toBe(true);
    expect(budgeted).toEqual([
      expect.objectContaining({ method: 'GET', routeClass: 'field', estimatedCost: 151 }),
    ]);
    expect(stack.sim.stats().pointsByRoute[fieldRoute]).toBe(1 + fields.length);
  });

  it('maps connector fields named by name to the site’s field ids, fetching the list once per cache period', async () => {
    const { stack, connection, clientFor } = await connectedStack();
    let now = Date.now();
    const provider = new MappingProvider({
      connectors: connectors(),
      fields: fieldListOfSite(stack.services.connections, clientFor),
      ttlMs: 60_000,
      log: stack.log,
      now: () => now,
    });

    const first = await provider.mappingsFor(connection.siteHost);
    expect(first.get('crm')?.fields).toEqual({
      customer: 'customfield_10010',
      points: 'customfield_10016',
      title: 'summary',
      due: 'duedate',
    });
    expect(first.get('monitoring')?.fields).toEqual({ account: 'customfield_10010' });
    expect(stack.logs.some((l) => l.includes('no field named \\"Tier\\" on this site'))).toBe(true);
    expect(fieldListRequests(stack.sim.stats())).toBe(1);

    // Within the cache period: the same mappings, no further request to the field list.
    now += 59_000;
    expect(await provider.mappingsFor(connection.siteHost)).toBe(first);
    expect(await provider.mappingsFor(connection.siteHost)).toBe(first);
    expect(fieldListRequests(stack.sim.stats())).toBe(1);

    // Once it has passed, the list is read again (a field renamed in Jira is picked up).
    now += 2_000;
    const later = await provider.mappingsFor(connection.siteHost);
    expect(later).not.toBe(first);
    expect(later.get('crm')?.fields.customer).toBe('customfield_10010');
    expect(fieldListRequests(stack.sim.stats())).toBe(2);
  });

  it('asks no one for a site without a connection, and leaves names unresolved there', async () => {
    const { stack, clientFor } = await connectedStack();
    const lookup = fieldListOfSite(stack.services.connections, clientFor);
    expect(await lookup('unknown-site.atlassian.net')).toBeUndefined();

    const provider = new MappingProvider({
      connectors: connectors(),
      fields: lookup,
      ttlMs: 60_000,
      log: stack.log,
    });
    const mappings = await provider.mappingsFor('unknown-site.atlassian.net');
    expect(mappings.get('crm')?.fields).toEqual({ due: 'duedate' });
    expect(fieldListRequests(stack.sim.stats())).toBe(0);
  });
});
